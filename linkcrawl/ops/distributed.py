"""Several crawler processes sharing one frontier, one dupe filter and one page budget in Redis.

Switched on by ``LINKCRAWL_REDIS_URL``: :class:`RedisFrontierAddon` then installs
:class:`SharedFrontier` (scrapy-redis' scheduler plus two things linkcrawl needs) and
scrapy-redis' dupe filter. Every worker runs the same ``scrapy crawl SPIDER …`` command;
seed requests that another worker already queued are filtered, so starting N workers with
the same seeds fetches each page once.

What :class:`SharedFrontier` adds to scrapy-redis:

* **A page budget per site across all workers.** ``LinkcrawlSpider.page_request`` counts
  per process; here a URL that enters the shared frontier for the first time also counts in
  a Redis hash, so ``LINKCRAWL_MAX_PAGES_PER_SITE`` holds for the whole crawl.
* **A clean end.** A worker whose queue runs dry while another worker is still fetching
  (and may find more links) stays open; the last worker to finish normally deletes the
  crawl's Redis keys, so the next run starts fresh. A crawl stopped with Ctrl-C keeps its
  keys and resumes when workers are started again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import warnings
from collections.abc import Mapping

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.settings import BaseSettings
from twisted.internet.task import LoopingCall

from linkcrawl.config import setting_default
from linkcrawl.errors import ConfigError

try:
    from scrapy_redis.scheduler import Scheduler as _RedisScheduler
except ImportError:  # the optional "distributed" extra is not installed
    _RedisScheduler = object

__all__ = ["RedisFrontierAddon", "SharedFrontier", "busy_peers", "counts_toward_budget"]

logger = logging.getLogger(__name__)

DEFAULT_KEY: str = setting_default("LINKCRAWL_REDIS_KEY")
HEARTBEAT_SECONDS = 2.0
# A worker that has not written its state for this long is taken for dead (killed, crashed).
STALE_AFTER_SECONDS = 60.0


class RedisFrontierAddon:
    """Scrapy add-on: with ``LINKCRAWL_REDIS_URL`` set, use the shared Redis frontier."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = str(settings.get("LINKCRAWL_REDIS_URL") or "")
        if not url:
            return
        if _RedisScheduler is object:
            raise ConfigError(
                "LINKCRAWL_REDIS_URL is set but scrapy-redis is not installed: "
                "pip install 'linkcrawl[distributed]'"
            )
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("LINKCRAWL_REDIS_URL must start with redis://, rediss:// or unix://")
        prefix = _key_template(settings)
        for name, value in {
            "SCHEDULER": "linkcrawl.ops.distributed.SharedFrontier",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "REDIS_URL": url,
            # Never flush on close: other workers still need the queue and the fingerprints.
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        }.items():
            settings.set(name, value, priority="addon")


def _key_template(settings: BaseSettings) -> str:
    """LINKCRAWL_REDIS_KEY: the prefix of the shared crawl's keys, with ``%(spider)s``."""
    return str(settings.get("LINKCRAWL_REDIS_KEY") or DEFAULT_KEY)


def counts_toward_budget(request: Request) -> str:
    """The site whose page budget ``request`` uses, or "" when it uses none.

    Only first requests for a page count, as in ``page_request``: retries (``dont_filter``)
    and redirect hops of a page already counted do not.
    """
    if request.dont_filter or "redirect_urls" in request.meta:
        return ""
    return str(request.meta.get("site") or "")


def busy_peers(
    states: Mapping[bytes | str, bytes | str], me: str, now: float,
    stale_after: float = STALE_AFTER_SECONDS,
) -> list[str]:
    """Workers other than ``me`` that said "busy" less than ``stale_after`` seconds ago.

    ``states`` is the workers hash: worker id -> ``"busy 1700000000.5"`` / ``"idle …"``.
    Malformed entries are ignored.
    """
    busy = []
    for raw_worker, raw_state in states.items():
        worker = _text(raw_worker)
        state, _, stamp = _text(raw_state).partition(" ")
        try:
            age = now - float(stamp)
        except ValueError:
            continue
        if worker != me and state == "busy" and age < stale_after:
            busy.append(worker)
    return sorted(busy)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class SharedFrontier(_RedisScheduler):  # type: ignore[misc, valid-type]
    """scrapy-redis' scheduler with a shared per-site budget and a clean shared end."""

    crawler: Crawler
    worker: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontier:
        frontier = super().from_crawler(crawler)
        frontier.crawler = crawler
        frontier.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        frontier.prefix_template = _key_template(crawler.settings)
        crawler.signals.connect(frontier.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(frontier.start_heartbeat, signal=signals.spider_opened)
        return frontier

    def open(self, spider: Spider) -> None:
        with warnings.catch_warnings():  # scrapy-redis resumes with the deprecated Spider.log
            warnings.simplefilter("ignore", ScrapyDeprecationWarning)
            super().open(spider)
        prefix = self.prefix_template % {"spider": spider.name}
        self.workers_key = f"{prefix}:workers"
        self.budget_key = f"{prefix}:budget"
        self.budget = int(getattr(spider, "max_pages", 0) or 0)
        self._state = ""
        self._set_state("busy")
        self._beat = LoopingCall(self._heartbeat)
        logger.info(
            "shared frontier: worker %s on %s (%d requests queued, %d workers registered)",
            self.worker, prefix, len(self.queue), self.server.hlen(self.workers_key),
        )

    def start_heartbeat(self) -> None:
        """Refresh this worker's state every few seconds, so that a dead one goes stale."""
        self._beat.start(HEARTBEAT_SECONDS, now=False)

    def close(self, reason: str) -> None:
        if self._beat.running:
            self._beat.stop()
        self.server.hdel(self.workers_key, self.worker)
        if reason == "finished" and not self._peers() and not len(self.queue):
            self.flush()
            self.server.delete(self.budget_key, self.workers_key)
            logger.info("shared frontier: crawl complete (no worker busy); Redis keys cleared")
        super().close(reason)

    # --- the frontier -------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        site = counts_toward_budget(request) if self.budget else ""
        if site and self.server.hincrby(self.budget_key, site, 1) > self.budget:
            self.crawler.stats.inc_value("linkcrawl/site_budget_exhausted")
            return False
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(0)
        if request is not None:
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
            if self._state != "busy":
                self._set_state("busy")
        return request

    # --- knowing when the shared crawl is over --------------------------------------
    def spider_idle(self, spider: Spider) -> None:
        """Our queue is empty; stay open while another worker may still add requests."""
        self._set_state("idle")
        peers = self._peers()
        if peers:
            logger.debug("shared frontier: idle, waiting for %s", ", ".join(peers))
            raise DontCloseSpider

    def _heartbeat(self) -> None:
        try:
            idle = self.crawler.engine.spider_is_idle()  # type: ignore[union-attr]
        except RuntimeError:  # the engine is closing
            return
        self._set_state("idle" if idle else "busy")

    def _now(self) -> float:
        """Redis' clock, so that workers on machines with skewed clocks agree."""
        seconds, micros = self.server.time()
        return float(seconds) + micros / 1e6

    def _set_state(self, state: str) -> None:
        self._state = state
        self.server.hset(self.workers_key, self.worker, f"{state} {self._now():.3f}")

    def _peers(self) -> list[str]:
        return busy_peers(self.server.hgetall(self.workers_key), self.worker, self._now())

