"""What every linkcrawl pipeline needs: the crawler, its stats, and the spider."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector


class CrawlerPipeline:
    """Base for pipelines built with ``from_crawler`` that count into ``crawler.stats``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider
