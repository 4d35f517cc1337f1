"""What every linkcrawl pipeline needs: the crawler, its stats, and the spider."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from linkcrawl.config import LinkcrawlConfig
from linkcrawl.crawl.context import CrawlContext, crawl_context


class CrawlerPipeline:
    """Base for pipelines built with ``from_crawler`` that count into ``crawler.stats``,
    read the crawl's config once and share data through its :class:`CrawlContext`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.context: CrawlContext = crawl_context(crawler)
        self.config: LinkcrawlConfig = self.context.config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def start_run_id(self, configured: str, spider_name: str, stamp: datetime) -> str:
        """The configured run id, or ``<spider>-<UTC stamp>-<4 hex>``; counted in stats."""
        run_id = configured or f"{spider_name}-{stamp:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
        self.stats.set_value("linkcrawl/run_id", run_id)
        return run_id
