"""A peer in the benchmark: advertools' SEO crawler (``advertools.crawl``, Scrapy-based).

Runs inside advertools' own virtual environment (its pins need not match ours; run.py makes
it under ``var/advertools-venv`` on first use). ``advertools.crawl`` starts
``scrapy runspider`` in a child process that writes one JSON line per page (title, meta tags,
headings, body text, the page's links with their text and nofollow flag, and which links sit
in ``<nav>``, ``<header>`` and ``<footer>``) to ``--out``. Its log goes to our stderr, where
crawlwatch reads Scrapy's progress lines. The benchmark server is reached as an HTTP proxy
through ``http_proxy`` (Scrapy's HttpProxyMiddleware reads it); nothing else is contacted.

    var/advertools-venv/bin/python benchmarks/advertools_crawl.py --seeds homes.txt \
        --proxy http://127.0.0.1:PORT --pages 3000 --out crawl.jl
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="advertools.crawl of the benchmark web.")
    ap.add_argument("--seeds", required=True, help="file with one start URL per line")
    ap.add_argument("--proxy", required=True, help="HTTP proxy URL (the benchmark server)")
    ap.add_argument("--pages", type=int, default=20_000, help="CLOSESPIDER_PAGECOUNT")
    ap.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    ap.add_argument("--per-domain", type=int, default=8, help="CONCURRENT_REQUESTS_PER_DOMAIN")
    ap.add_argument("--out", required=True, help="advertools' output file (.jl)")
    args = ap.parse_args(argv)
    os.environ["http_proxy"] = os.environ["HTTP_PROXY"] = args.proxy
    # advertools starts "scrapy" from PATH: this environment's, not another one's
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY"):
        os.environ.pop(name, None)
    import advertools as adv  # imported here: pandas takes a second, --help should not

    seeds = Path(args.seeds).read_text().split()
    adv.crawl(seeds, args.out, follow_links=True, custom_settings={
        "ROBOTSTXT_OBEY": False,  # as the bare spider; linkcrawl fetches ~200 robots.txt
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_domain,
        "CLOSESPIDER_PAGECOUNT": args.pages,
        "LOGSTATS_INTERVAL": 1,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    })


if __name__ == "__main__":
    main()
