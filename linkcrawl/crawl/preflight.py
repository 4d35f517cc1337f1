"""Checks made before a crawl starts, so that bad input fails in one line, not mid-crawl."""

from __future__ import annotations

import os
import sys
from typing import Any

from scrapy.settings import BaseSettings

from linkcrawl.config import ENV_SETTINGS, SETTINGS, LinkcrawlConfig, parse_brand_terms
from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.store import open_store


def preflight(settings: BaseSettings, spider_cls: type, spargs: dict[str, Any]) -> None:
    """Raise :class:`linkcrawl.errors.LinkcrawlError` if the crawl cannot run as asked:
    bad seeds, targets or brand terms, unreadable files, unknown or unreachable store."""
    for name in ignored_environment():
        print(f"linkcrawl: note: the environment variable {name} is not read (only "
              f"{', '.join(ENV_SETTINGS)} are); pass -s {name}=... instead", file=sys.stderr)
    config = LinkcrawlConfig.from_settings(settings)
    parse_brand_terms(spargs.get("brand_terms"))
    if issubclass(spider_cls, LinkcrawlSpider):
        spider = spider_cls(**spargs)
        spider.configure(settings)
    open_store(config.store_uri).close()


def ignored_environment() -> list[str]:
    """linkcrawl settings set in the environment that only ``-s`` sets: a user who exports
    one expects it to count, and is told that it does not."""
    return sorted(n for n in SETTINGS if n not in ENV_SETTINGS and os.environ.get(n))
