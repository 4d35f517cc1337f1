"""Progress while crawling: periodic ``progress:`` log lines, and on a terminal a status
line rewritten in place (pages done, rate, queue, elapsed).

The terminal line is drawn only when stderr is a TTY and Scrapy's log is not writing INFO
lines to it (``linkcrawl demo`` and ``linkcrawl recheck`` log at WARNING), so a log file,
a pipe or a Scrapyd job never gets it.
"""

from __future__ import annotations

import logging
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from twisted.internet import task

from linkcrawl.crawl.context import crawl_config
from linkcrawl.crawl.terminal import TerminalLine

logger = logging.getLogger(__name__)
TERMINAL_EVERY = 1.0  # seconds between redraws of the terminal line
# a crawl is done with a page when it is analysed, failed, or blocked by robots.txt
PAGES_DONE = ("linkcrawl/pages", "linkcrawl/page_errors", "linkcrawl/robots_blocked")


def _log_owns_terminal(settings: BaseSettings) -> bool:
    """True when Scrapy writes INFO (or more) log lines to stderr: a status line rewritten
    in place would be torn by them."""
    if not settings.getbool("LOG_ENABLED", True) or settings.get("LOG_FILE"):
        return False
    level = settings.get("LOG_LEVEL", "DEBUG")
    number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    return not isinstance(number, int) or number < logging.WARNING


class ProgressLog:
    """Log pages, backlinks found, queue size and rate every ``LINKCRAWL_PROGRESS_INTERVAL`` s;
    draw the same on a terminal every second.

    Two counts of pages appear in a crawl's log, and the line names both so they do not seem
    to disagree: *pages* are linkcrawl's page documents (``linkcrawl/pages``: every HTML page
    analysed and every page that failed), *responses* are Scrapy's ``Crawled N pages``
    (every HTTP response, including robots.txt, feeds, sitemaps, redirects and non-HTML).
    """

    def __init__(self, crawler: Crawler, interval: float, terminal: TerminalLine) -> None:
        self.crawler = crawler
        self.interval = interval
        self.terminal = terminal
        self._tasks: list[task.LoopingCall] = []
        self._last = (0, time.monotonic())
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawl_config(crawler).progress_interval
        terminal = TerminalLine()
        if _log_owns_terminal(crawler.settings):
            terminal.enabled = False
        if interval <= 0 and not terminal.enabled:
            raise NotConfigured("LINKCRAWL_PROGRESS_INTERVAL is 0 and stderr is no terminal")
        return cls(crawler, interval, terminal)

    def spider_opened(self, spider: Spider) -> None:
        self._last = (0, time.monotonic())
        self.terminal.started = time.monotonic()
        if self.interval > 0:
            self._start(self.log_progress, self.interval)
        if self.terminal.enabled:
            self._start(self.draw, TERMINAL_EVERY)

    def _start(self, func: object, every: float) -> None:
        loop = task.LoopingCall(func)
        loop.start(every, now=False)
        self._tasks.append(loop)

    def _queued(self) -> int:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        return len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0

    def log_progress(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        pages = stats.get_value("linkcrawl/pages", 0)
        now = time.monotonic()
        rate = (pages - self._last[0]) / max(now - self._last[1], 1e-9) * 60
        self._last = (pages, now)
        logger.info(
            "progress: %d pages, %d backlinks found, %d queued, %.0f pages/min "
            "(%d responses: Scrapy's count, robots.txt, feeds and redirects included)",
            pages,
            stats.get_value("linkcrawl/backlinks_found", 0),
            self._queued(),
            rate,
            stats.get_value("response_received_count", 0),
        )

    def status(self) -> str:
        """The terminal line: pages done (analysed by a crawl, fetched by a recheck), what
        they gave, the queue, the average rate and the time so far."""
        stats = self.crawler.stats
        assert stats is not None
        done = sum(stats.get_value(k, 0) for k in PAGES_DONE)
        pages = done or stats.get_value("response_received_count", 0)
        seconds = max(time.monotonic() - self.terminal.started, 1e-9)
        live = stats.get_value("recheck/live")
        lost = sum(v for k, v in stats.get_stats().items() if k.startswith("recheck/lost/"))
        found = (f"{live or 0} live, {lost} lost" if live is not None or lost else
                 f"{stats.get_value('linkcrawl/backlinks_found', 0)} backlinks")
        return (f"{pages} pages, {found}, {self._queued()} queued, "
                f"{pages / seconds * 60:.0f} pages/min, {self.terminal.elapsed()}")

    def draw(self) -> None:
        self.terminal.show(self.status(), force=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for loop in self._tasks:
            if loop.running:
                loop.stop()
        if self.terminal.enabled:
            self.terminal.done(self.status())
