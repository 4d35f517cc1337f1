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
* **Redis outages.** A worker that loses Redis keeps what it downloads: requests found
  meanwhile wait in memory, the worker stays open, and it tries Redis again with a back-off
  (1 s doubling to 30 s). When Redis answers, the waiting requests are queued (each with
  the dupe-filter and budget steps it had already passed remembered, so none is dropped as
  seen) and the crawl goes on. After ``LINKCRAWL_REDIS_OUTAGE_MAX`` seconds without Redis the
  worker stops cleanly (reason ``redis_unavailable``); the queue in Redis stays as it was,
  and the requests that only waited in memory are counted and logged as not queued.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
import warnings
from collections.abc import Mapping

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from linkcrawl.config import setting_default
from linkcrawl.errors import ConfigError

try:
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError
    from scrapy_redis.scheduler import Scheduler as _RedisScheduler

    REDIS_DOWN: tuple[type[Exception], ...] = (_RedisConnectionError, _RedisTimeoutError)
except ImportError:  # the optional "distributed" extra is not installed
    _RedisScheduler = object
    REDIS_DOWN = ()

__all__ = ["RedisFrontierAddon", "SharedFrontier", "busy_peers", "counts_toward_budget"]

logger = logging.getLogger(__name__)

DEFAULT_KEY: str = setting_default("LINKCRAWL_REDIS_KEY")
HEARTBEAT_SECONDS = 2.0
# A worker that has not written its state for this long is taken for dead (killed, crashed).
STALE_AFTER_SECONDS = 60.0
RECONNECT_MAX_DELAY = 30.0  # longest wait between two tries while Redis is unreachable


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
        outage_max = crawler.settings.get("LINKCRAWL_REDIS_OUTAGE_MAX")
        frontier.outage_max = float(setting_default("LINKCRAWL_REDIS_OUTAGE_MAX")
                                    if outage_max is None else outage_max)
        frontier._down_since = None  # monotonic time Redis was lost, None while it answers
        frontier._retry_at = 0.0
        frontier._delay = 1.0
        # requests found while Redis was down, with the steps they passed (1: dupe filter,
        # 2: budget too), queued when it answers again
        frontier._pending = []
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
        try:
            self.server.hdel(self.workers_key, self.worker)
            if reason == "finished" and not self._peers() and not len(self.queue):
                self.flush()
                self.server.delete(self.budget_key, self.workers_key)
                logger.info("shared frontier: crawl complete (no worker busy); Redis keys cleared")
        except REDIS_DOWN as exc:
            logger.error("shared frontier: Redis unreachable at close (%s); its keys are kept",
                         exc)
        if self._pending:
            self.crawler.stats.set_value("linkcrawl/redis/lost_requests", len(self._pending))
            logger.error("shared frontier: %d requests found while Redis was unreachable were "
                         "not queued", len(self._pending))
        super().close(reason)

    # --- the frontier -------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        if not self._redis_ok():
            self._pending.append((request, 0))
            self.crawler.stats.inc_value("linkcrawl/redis/held_requests")
            return True
        return self._enqueue(request, 0)

    def _enqueue(self, request: Request, passed: int) -> bool:
        """Queue ``request`` in Redis; ``passed`` says which steps it already went through.

        If Redis goes away halfway, the request waits in memory with the steps it passed,
        so the dupe filter that already recorded it does not drop it as seen later.
        """
        try:
            if passed < 1:
                if not request.dont_filter and self.df.request_seen(request):
                    self.df.log(request, self.spider)
                    return False
                passed = 1
            if passed < 2:
                site = counts_toward_budget(request) if self.budget else ""
                if site and self.server.hincrby(self.budget_key, site, 1) > self.budget:
                    self.crawler.stats.inc_value("linkcrawl/site_budget_exhausted")
                    return False
                passed = 2
            self.queue.push(request)
        except REDIS_DOWN as exc:
            self._pending.append((request, passed))
            self.crawler.stats.inc_value("linkcrawl/redis/held_requests")
            self._redis_lost(exc)
            return True
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if not self._redis_ok():
            return None
        try:
            request = self.queue.pop(0)
        except REDIS_DOWN as exc:
            self._redis_lost(exc)
            return None
        if request is not None:
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
            if self._state != "busy":
                self._set_state("busy")
        return request

    def has_pending_requests(self) -> bool:
        if self._down_since is not None or self._pending:
            return True  # Redis may hold requests we cannot see now: stay open and wait
        try:
            return len(self.queue) > 0
        except REDIS_DOWN as exc:
            self._redis_lost(exc)
            return True

    def __len__(self) -> int:
        try:
            queued = len(self.queue) if self._down_since is None else 0
        except REDIS_DOWN:
            queued = 0
        return queued + len(self._pending)

    # --- Redis outages ----------------------------------------------------------------
    def _redis_lost(self, exc: Exception) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since, self._delay = now, 1.0
            self.crawler.stats.inc_value("linkcrawl/redis/outages")
            logger.warning("shared frontier: Redis unreachable (%s); requests wait in memory, "
                           "reconnecting", " ".join(str(exc).split()))
        else:
            self._delay = min(self._delay * 2, RECONNECT_MAX_DELAY)
        self._retry_at = now + self._delay

    def _redis_ok(self) -> bool:
        """True if Redis can be used now: it answers, or it is back (then the waiting
        requests are queued first). Between tries while it is down, False at once."""
        if self._down_since is None:
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            self.server.ping()
        except REDIS_DOWN as exc:
            self._redis_lost(exc)
            return False
        outage = time.monotonic() - self._down_since
        self._down_since = None
        pending, self._pending = self._pending, []
        logger.warning("shared frontier: Redis back after %.1f s; queueing %d waiting requests",
                       outage, len(pending))
        for request, passed in pending:
            self._enqueue(request, passed)  # one that fails again waits again
        return self._down_since is None

    def _stop_if_gone_too_long(self) -> bool:
        """Stop this worker cleanly once Redis has been unreachable past the limit."""
        if self._down_since is None or time.monotonic() - self._down_since < self.outage_max:
            return False
        engine = self.crawler.engine
        if engine is not None and not getattr(self, "_stopping", False):
            self._stopping = True
            logger.error("shared frontier: Redis unreachable for %.0f s "
                         "(LINKCRAWL_REDIS_OUTAGE_MAX); stopping, the queue in Redis is kept",
                         self.outage_max)
            deferred_from_coro(engine.close_spider_async(reason="redis_unavailable"))
        return True

    # --- knowing when the shared crawl is over --------------------------------------
    def spider_idle(self, spider: Spider) -> None:
        """Our queue is empty; stay open while another worker may still add requests."""
        if not self._redis_ok():
            raise DontCloseSpider  # wait for Redis (the heartbeat stops us past the limit)
        self._set_state("idle")
        try:
            peers = self._peers()
        except REDIS_DOWN as exc:
            self._redis_lost(exc)
            raise DontCloseSpider from None
        if peers:
            logger.debug("shared frontier: idle, waiting for %s", ", ".join(peers))
            raise DontCloseSpider

    def _heartbeat(self) -> None:
        if self._stop_if_gone_too_long() or not self._redis_ok():
            return
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
        try:
            self.server.hset(self.workers_key, self.worker, f"{state} {self._now():.3f}")
        except REDIS_DOWN as exc:
            self._redis_lost(exc)

    def _peers(self) -> list[str]:
        return busy_peers(self.server.hgetall(self.workers_key), self.worker, self._now())
