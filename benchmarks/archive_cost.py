"""What the evidence archive (LINKCRAWL_ARCHIVE_DIR) costs a crawl, on the benchmark web.

    .venv/bin/python benchmarks/archive_cost.py              # 3,000 pages, off/on twice
    .venv/bin/python benchmarks/archive_cost.py --pages 10000 --rounds 1

Crawls the generated benchmark web (benchmarks/webgen.py, served by fastserver) with the
archive off and on, alternately, and prints pages/s, CPU per page and what was archived.
The archive writes only the pages that hold backlinks, so its cost scales with their share.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from crawlwatch import run_crawl  # noqa: E402
from fastserver import ServerProcess  # noqa: E402
from webgen import TARGET_HOSTS, Web  # noqa: E402


def crawl(workdir: Path, name: str, proxy: str, seeds: Path, pages: int,
          archive: Path | None) -> dict[str, Any]:
    uri = f"sqlite:///{workdir / (name + '.db')}"
    settings = {
        "LINKCRAWL_HTTP_PROXY": proxy, "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": "True",
        "LINKCRAWL_STORE_URI": uri, "LINKCRAWL_MAX_DEPTH": "1000",
        "LINKCRAWL_MAX_PAGES_PER_SITE": "1000000", "AUTOTHROTTLE_ENABLED": "False",
        "CLOSESPIDER_PAGECOUNT": str(pages), "LOGSTATS_INTERVAL": "1", "LOG_LEVEL": "INFO",
        "CONCURRENT_REQUESTS": "64", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    }
    if archive is not None:
        settings["LINKCRAWL_ARCHIVE_DIR"] = str(archive)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites", "-a", f"seeds_file={seeds}",
           "-a", f"targets={','.join(TARGET_HOSTS)}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    run = run_crawl(cmd, workdir / f"{name}.log", cwd=REPO,
                    env=dict(os.environ, LINKCRAWL_STORE_URI=uri))
    files = sorted(archive.glob("*.warc.gz")) if archive is not None else []
    return {"name": name, "pages": run.pages, "pages_per_s": run.pages_per_s,
            "cpu_ms_per_page": run.cpu_s / run.pages * 1000 if run.pages else 0.0,
            "records": sum(responses(f) for f in files),
            "bytes": sum(f.stat().st_size for f in files), "returncode": run.returncode}


def responses(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        return sum(1 for r in ArchiveIterator(fh) if r.rec_type == "response")


def write_cost(workdir: Path, web: Web, n: int = 500) -> tuple[float, float]:
    """(CPU ms per archived page, mean page bytes) of WarcArchive.write alone, on the
    benchmark web's own pages (gzip of the request and response records, one write each)."""
    from linkcrawl.ops.archive import Capture, WarcArchive

    urls = web.urls()[:n]
    bodies = []
    for url in urls:
        host, _, path = url.split("://", 1)[1].partition("/")
        bodies.append((url, web.respond(host, "/" + path)[2]))
    archive = WarcArchive(workdir / "micro", "micro", 10**9)
    at = datetime.now(UTC)
    start = time.process_time()
    for url, body in bodies:
        archive.write(Capture(url, 200, [("Content-Type", "text/html; charset=utf-8"),
                                         ("Content-Length", str(len(body)))], body, at))
    archive.close()
    cpu = time.process_time() - start
    return cpu / len(bodies) * 1000, sum(len(b) for _, b in bodies) / len(bodies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="linkcrawl-archive-bench-"))
    web = Web(args.pages, args.seed)
    seeds = workdir / "seeds.txt"
    seeds.write_text("\n".join(u for u in web.homes() if u.split("/")[2] not in TARGET_HOSTS)
                     + "\n")
    rows = []
    with ServerProcess(args.pages, args.seed) as server:
        for n in range(args.rounds):
            rows.append(crawl(workdir, f"off{n}", server.proxy_url, seeds, args.pages, None))
            rows.append(crawl(workdir, f"on{n}", server.proxy_url, seeds, args.pages,
                              workdir / f"warc{n}"))
    print(f"{'run':6} {'pages':>6} {'pages/s':>8} {'CPU ms/page':>12} {'archived':>9} "
          f"{'WARC MB':>8}")
    for r in rows:
        print(f"{r['name']:6} {r['pages']:6d} {r['pages_per_s']:8.1f} "
              f"{r['cpu_ms_per_page']:12.2f} {r['records']:9d} {r['bytes'] / 1e6:8.2f}"
              + ("" if r["returncode"] == 0 else f"  (exit {r['returncode']})"))
    for mode in ("off", "on"):
        picked = [r for r in rows if r["name"].startswith(mode)]
        rate = sum(r["pages_per_s"] for r in picked) / len(picked)
        cpu = sum(r["cpu_ms_per_page"] for r in picked) / len(picked)
        print(f"mean {mode:3}: {rate:.1f} pages/s, {cpu:.2f} CPU ms/page")
    ms, size = write_cost(workdir, web)
    print(f"WarcArchive.write alone: {ms:.2f} CPU ms per archived page "
          f"({size / 1000:.1f} kB pages)")
    print(f"work folder: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
