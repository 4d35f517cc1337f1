"""Peak memory of a crawl under hostile responses, one fault at a time (issue 16).

Usage (from a checkout's root; ``--repo`` runs another checkout's code, e.g. an older one)::

    .venv/bin/python benchmarks/hostile_rss.py [--repo PATH] [--flood-mb 3072]

Each case is one real ``scrapy crawl`` of ``hostile.test`` (tests/hostileweb.py) seeded with
the index of that case only, with the default DOWNLOAD_TIMEOUT (30 s) and DOWNLOAD_MAXSIZE
(10 MB): ``baseline`` (one normal page), ``flood`` (header lines until the crawler hangs
up, at most ``--flood-mb``), ``huge`` (20 MB with and without Content-Length), ``deep``
(3,000 unclosed ``<div>`` before a footer backlink). It prints the crawl process's peak
RSS (VmHWM), its wall time, and the backlinks stored.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkcrawl.store import open_store
from tests import hostileweb
from tests.crawl.test_hostile_responses import HOST, hostile_site

CASES = {
    "baseline": ["/ok.html"],
    "flood": ["/flood.html", "/ok.html"],
    "huge": ["/huge.html", "/huge-stream.html", "/ok.html"],
    "deep": ["/deep.html"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=hostileweb.REPO)
    parser.add_argument("--flood-mb", type=int, default=3072)
    args = parser.parse_args()
    hostileweb.REPO = args.repo.resolve()  # the checkout whose code the crawls run
    for case, paths in CASES.items():
        with tempfile.TemporaryDirectory() as tmp, hostileweb.HostileWeb() as web:
            hostile_site(web, flood_bytes=args.flood_mb * 1024 * 1024)
            index = " ".join(f'<a href="{p}">{p}</a>' for p in paths)
            web.html(HOST, "/index.html", hostileweb.page("index", index))
            uri = f"sqlite:///{tmp}/rss.db"
            started = time.monotonic()
            result, peak = hostileweb.crawl_peak_rss(
                "sites", store_uri=uri, proxy=web.proxy_url,
                args={"seeds": f"http://{HOST}/index.html", "targets": hostileweb.TARGET,
                      "max_depth": "1"},
                settings={"RETRY_TIMES": 0, "DOWNLOAD_WARNSIZE": 0}, timeout=600)
            seconds = time.monotonic() - started
            with open_store(uri) as store:
                backlinks = sorted(d["target_url"].rsplit("/", 1)[1]
                                   for d in store.find("backlinks"))
        print(f"{case:9} peak RSS {peak / 2**20:7.0f} MiB  {seconds:5.1f} s  exit "
              f"{result.returncode}  backlinks {backlinks}", flush=True)


if __name__ == "__main__":
    main()
