"""Periodic progress lines while crawling, and the summary at the end of every crawl."""

from __future__ import annotations

import logging
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from linkcrawl.crawl.context import crawl_config

logger = logging.getLogger(__name__)


class ProgressLog:
    """Log pages, backlinks found, queue size and rate every ``LINKCRAWL_PROGRESS_INTERVAL`` s.

    Two counts of pages appear in a crawl's log, and the line names both so they do not seem
    to disagree: *pages* are linkcrawl's page documents (``linkcrawl/pages``: every HTML page
    analysed and every page that failed), *responses* are Scrapy's ``Crawled N pages``
    (every HTTP response, including robots.txt, feeds, sitemaps, redirects and non-HTML).
    """

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._task: task.LoopingCall | None = None
        self._last = (0, time.monotonic())
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawl_config(crawler).progress_interval
        if interval <= 0:
            raise NotConfigured("LINKCRAWL_PROGRESS_INTERVAL is 0")
        return cls(crawler, interval)

    def spider_opened(self, spider: Spider) -> None:
        self._last = (0, time.monotonic())
        self._task = task.LoopingCall(self.log_progress)
        self._task.start(self.interval, now=False)

    def log_progress(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        pages = stats.get_value("linkcrawl/pages", 0)
        now = time.monotonic()
        rate = (pages - self._last[0]) / max(now - self._last[1], 1e-9) * 60
        self._last = (pages, now)
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        queued = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
        logger.info(
            "progress: %d pages, %d backlinks found, %d queued, %.0f pages/min "
            "(%d responses: Scrapy's count, robots.txt, feeds and redirects included)",
            pages,
            stats.get_value("linkcrawl/backlinks_found", 0),
            queued,
            rate,
            stats.get_value("response_received_count", 0),
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task and self._task.running:
            self._task.stop()
