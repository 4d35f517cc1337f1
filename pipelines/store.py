"""Batched, idempotent writes of pages, backlinks and the domain graph; the run record.

Flushes every ``LINKCRAWL_BATCH_SIZE`` backlinks (or pages) and when the spider closes;
then refreshes ``referring_domains`` for the pairs this run touched, marks reciprocal
links, records the run with its stats and logs the end-of-crawl summary.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler

from linkcrawl.config import LinkcrawlConfig
from linkcrawl.items import PageItem
from linkcrawl.reciprocal import mark_reciprocal
from linkcrawl.records import backlink_doc, page_doc
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from pipelines._base import CrawlerPipeline

logger = logging.getLogger(__name__)


class StorePipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.config = LinkcrawlConfig.from_settings(crawler.settings)
        self.store: Store | None = None
        self.run_id = ""
        self._pages: list[dict[str, Any]] = []
        self._backlinks: list[dict[str, Any]] = []
        self._edges: Counter[tuple[str, str]] = Counter()
        self._pairs: set[tuple[str, str]] = set()

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.spider
        self.store = open_store(self.config.store_uri)
        stamp = datetime.now(UTC)
        self.run_id = self.config.run_id or (
            f"{spider.name}-{stamp:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
        )
        self.stats.set_value("linkcrawl/run_id", self.run_id)
        self.store.start_run(
            {
                "run_id": self.run_id,
                "spider": spider.name,
                "args": dict(getattr(spider, "run_args", {})),
                "store_uri": self.store.masked_uri,
                "started_at": stamp,
            }
        )
        logger.info("run %s writing to %s", self.run_id, self.store.masked_uri)

    def process_item(self, item: PageItem) -> PageItem:
        seen_at = item.fetched_at or datetime.now(UTC)
        self._pages.append(page_doc(item, self.run_id))
        for link in item.links:
            self._backlinks.append(backlink_doc(item, link, self.run_id, seen_at))
            self._pairs.add((link.target_domain, link.source_domain or item.domain))
        for domain, count in item.domain_edges.items():
            self._edges[(item.domain, domain)] += count
        if max(len(self._backlinks), len(self._pages)) >= self.config.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        assert self.store is not None
        if self._pages:
            self.store.upsert_pages(self._pages)
            self.stats.inc_value("linkcrawl/pages_stored", len(self._pages))
            self._pages = []
        if self._backlinks:
            self.store.upsert_backlinks(self._backlinks)
            self.stats.inc_value("linkcrawl/backlinks_stored", len(self._backlinks))
            self._backlinks = []
        if self._edges:
            self.store.add_domain_edges(dict(self._edges), datetime.now(UTC), self.run_id)
            self._edges.clear()

    def close_spider(self, spider: Any = None) -> None:
        if self.store is None:
            return
        try:
            self.flush()
            reciprocal = mark_reciprocal(self.store, self._pairs)
            self.stats.set_value("linkcrawl/reciprocal_links", reciprocal)
            rows = self.store.refresh_referring_domains(self._pairs)
            self.stats.set_value("linkcrawl/referring_domains", rows)
            stats = self.stats.get_stats()
            self.store.finish_run(
                self.run_id,
                finished_at=datetime.now(UTC),
                finish_reason=str(stats.get("finish_reason", "finished")),
                stats=stats,
            )
            self.log_summary(stats)
        finally:
            self.store.close()

    def log_summary(self, stats: dict[str, Any]) -> None:
        logger.info(
            "summary: run %s: %d pages, %d links found, %d backlinks stored, "
            "%d referring domains, %d errors",
            self.run_id,
            stats.get("linkcrawl/pages", 0),
            stats.get("linkcrawl/links_found", 0),
            stats.get("linkcrawl/backlinks_stored", 0),
            stats.get("linkcrawl/referring_domains", 0),
            stats.get("linkcrawl/page_errors", 0),
        )
