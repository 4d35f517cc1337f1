"""Checks made before a crawl starts, so that bad input fails in one line, not mid-crawl."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from linkcrawl.config import LinkcrawlConfig, parse_brand_terms
from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.errors import FrontierError
from linkcrawl.store import mask_uri, open_store


def preflight(settings: BaseSettings, spider_cls: type, spargs: dict[str, Any]) -> None:
    """Raise :class:`linkcrawl.errors.LinkcrawlError` if the crawl cannot run as asked:
    bad seeds, targets or brand terms, unreadable files, unknown or unreachable store, a
    Redis frontier that does not answer."""
    config = LinkcrawlConfig.from_settings(settings)
    parse_brand_terms(spargs.get("brand_terms"))
    if issubclass(spider_cls, LinkcrawlSpider):
        spider = spider_cls(**spargs)
        spider.configure(settings)
    open_store(config.store_uri).close()
    check_frontier(str(settings.get("LINKCRAWL_REDIS_URL") or ""))


def check_frontier(url: str, timeout: float = 5.0) -> None:
    """Raise :class:`FrontierError` (one line, password masked) unless Redis at ``url``
    answers a PING; a bad URL or password used to end in Scrapy's "Engine slot not
    assigned" traceback once the crawl had started."""
    if not url:
        return
    try:
        import redis
    except ImportError:  # the add-on names the missing extra
        return
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout,
                                      socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise FrontierError(f"cannot use the Redis frontier {mask_uri(url)}: {reason}") from None
