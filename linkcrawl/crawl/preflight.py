"""Checks made before a crawl starts, so that bad input fails in one line, not mid-crawl."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from linkcrawl.config import LinkcrawlConfig, parse_brand_terms
from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.store import open_store


def preflight(settings: BaseSettings, spider_cls: type, spargs: dict[str, Any]) -> None:
    """Raise :class:`linkcrawl.errors.LinkcrawlError` if the crawl cannot run as asked:
    bad seeds, targets or brand terms, unreadable files, unknown or unreachable store."""
    config = LinkcrawlConfig.from_settings(settings)
    parse_brand_terms(spargs.get("brand_terms"))
    if issubclass(spider_cls, LinkcrawlSpider):
        spider = spider_cls(**spargs)
        spider.configure(settings)
    open_store(config.store_uri, **config.store_options).close()
