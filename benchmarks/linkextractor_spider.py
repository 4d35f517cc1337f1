"""A peer in the benchmark: the spider a user would write to store every link with Scrapy.

Scrapy's ``LinkExtractor`` reads each page's links (URL and anchor text, with its own URL
canonicalisation and ``unique=True``), every link becomes an item ``(source, target,
anchor)``, and an item pipeline writes the items into SQLite in batches of 1,000 rows. It
follows the same way as the bare spider (``bare_spider.py``, its default ``spider``
dedupe: a set of the URLs already requested), so the difference to the bare crawl is what
reading and storing every link costs, not a different way of following. Same settings as
the bare spider (no robots.txt, no throttling), never the project's.

    python benchmarks/linkextractor_spider.py --seeds homes.txt --proxy http://127.0.0.1:PORT \
        --pages 3000 --db links.db --stats-out stats.json
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from bare_spider import settings as bare_settings
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

BATCH = 1_000


class SQLiteLinksPipeline:
    """Write link items into one table, ``executemany`` a batch at a time; commit at close."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows: list[tuple[str, str, str]] = []
        self.db: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SQLiteLinksPipeline:
        return cls(crawler.settings.get("LINKS_DB"))

    def open_spider(self, spider: scrapy.Spider | None = None) -> None:
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS links "
                        "(source TEXT NOT NULL, target TEXT NOT NULL, anchor TEXT)")

    def process_item(self, item: dict[str, str], spider: scrapy.Spider | None = None) -> Any:
        self.rows.append((item["source"], item["target"], item["anchor"]))
        if len(self.rows) >= BATCH:
            self._flush()
        return item

    def _flush(self) -> None:
        assert self.db is not None
        self.db.executemany("INSERT INTO links VALUES (?, ?, ?)", self.rows)
        self.db.commit()
        self.rows = []

    def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        if self.db is not None:
            if self.rows:
                self._flush()
            self.db.close()


class LinkExtractorSpider(scrapy.Spider):
    name = "linkextractor"

    def __init__(self, seeds_file: str, proxy: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.seeds = Path(seeds_file).read_text().split()
        self.proxy = proxy
        self.seen: set[str] = set(self.seeds)
        self.extractor = LinkExtractor()  # defaults: every <a>/<area> href, unique, canonical off

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.seeds:
            yield scrapy.Request(url, meta={"proxy": self.proxy})

    def parse(self, response: Response) -> Iterator[dict[str, str] | scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        seen = self.seen
        for link in self.extractor.extract_links(response):
            url = link.url
            yield {"source": response.url, "target": url, "anchor": link.text}
            if url not in seen:
                seen.add(url)
                yield scrapy.Request(url, meta={"proxy": self.proxy})


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="LinkExtractor spider writing links to SQLite.")
    ap.add_argument("--seeds", required=True, help="file with one start URL per line")
    ap.add_argument("--proxy", required=True, help="HTTP proxy URL (the benchmark server)")
    ap.add_argument("--pages", type=int, default=20_000, help="CLOSESPIDER_PAGECOUNT")
    ap.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    ap.add_argument("--per-domain", type=int, default=8, help="CONCURRENT_REQUESTS_PER_DOMAIN")
    ap.add_argument("--db", required=True, help="SQLite file for the links table")
    ap.add_argument("--stats-out", default="", help="write the final Scrapy stats here (JSON)")
    args = ap.parse_args(argv)
    conf = bare_settings(args.pages, args.concurrency, args.per_domain, 1.0)
    conf.update({"ITEM_PIPELINES": {SQLiteLinksPipeline: 300}, "LINKS_DB": args.db})
    process = CrawlerProcess(conf)
    crawler = process.create_crawler(LinkExtractorSpider)
    process.crawl(crawler, seeds_file=args.seeds, proxy=args.proxy)
    process.start()
    if args.stats_out and crawler.stats:
        stats = crawler.stats.get_stats()
        with sqlite3.connect(args.db) as db:
            stats["links_stored"] = db.execute("SELECT count(*) FROM links").fetchone()[0]
        Path(args.stats_out).write_text(json.dumps(stats, default=str, indent=1))


if __name__ == "__main__":
    main()
