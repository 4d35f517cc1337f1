"""The baseline: plain Scrapy with a spider that only follows links.

It parses each page once (``response.css``), joins every ``<a href>`` and yields a Request.
No robots.txt, no throttling, no item pipeline. Runs with explicit settings, never the
project's (``linkcrawl.crawl.settings``), so linkcrawl's components cannot leak in.

Two ways to drop links already seen (``--dedupe``):
- ``spider`` (default): the spider keeps a set of the URLs it has yielded and yields each
  once; Scrapy's duplicate filter still runs on what is left. This is the fastest plain-Scrapy
  link follower, so a crawler cannot beat the baseline just by deduplicating early.
- ``scheduler``: yield a Request for every link and let the scheduler's duplicate filter drop
  repeats, the textbook spider. With ~150 links a page, building, fingerprinting and passing
  ~150 Requests through the middlewares costs ~25 ms a page, 3-4x the spider-set variant.

    python benchmarks/bare_spider.py --seeds homes.txt --proxy http://127.0.0.1:PORT \
        --pages 20000 --stats-out stats.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, seeds_file: str, proxy: str, dedupe: str = "spider", **kw: Any) -> None:
        super().__init__(**kw)
        self.seeds = Path(seeds_file).read_text().split()
        self.proxy = proxy
        self.seen: set[str] | None = set(self.seeds) if dedupe == "spider" else None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.seeds:
            yield scrapy.Request(url, meta={"proxy": self.proxy})

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        seen = self.seen
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href).partition("#")[0]
            if not url.startswith("http"):
                continue
            if seen is not None:
                if url in seen:
                    continue
                seen.add(url)
            yield scrapy.Request(url, meta={"proxy": self.proxy})


def settings(pages: int, concurrency: int, per_domain: int, logstats: float) -> dict[str, Any]:
    """Scrapy defaults, except what a link-following crawl of a loopback web needs."""
    return {
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "CLOSESPIDER_PAGECOUNT": pages,
        "LOGSTATS_INTERVAL": logstats,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Bare Scrapy link-following crawl (baseline).")
    ap.add_argument("--seeds", required=True, help="file with one start URL per line")
    ap.add_argument("--proxy", required=True, help="HTTP proxy URL (the benchmark server)")
    ap.add_argument("--pages", type=int, default=20_000, help="CLOSESPIDER_PAGECOUNT")
    ap.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    ap.add_argument("--per-domain", type=int, default=8, help="CONCURRENT_REQUESTS_PER_DOMAIN")
    ap.add_argument("--logstats", type=float, default=1.0, help="LOGSTATS_INTERVAL (seconds)")
    ap.add_argument("--dedupe", choices=("spider", "scheduler"), default="spider",
                    help="who drops links already seen (see the module docstring)")
    ap.add_argument("--stats-out", default="", help="write the final Scrapy stats here (JSON)")
    args = ap.parse_args(argv)
    process = CrawlerProcess(
        settings(args.pages, args.concurrency, args.per_domain, args.logstats))
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, seeds_file=args.seeds, proxy=args.proxy, dedupe=args.dedupe)
    process.start()
    if args.stats_out and crawler.stats:  # complete now: elapsed time and finish reason too
        stats = crawler.stats.get_stats()
        Path(args.stats_out).write_text(json.dumps(stats, default=str, indent=1))


if __name__ == "__main__":
    main()
