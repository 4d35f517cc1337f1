"""Run a linkcrawl spider in this process, the way ``scrapy crawl`` would."""

from __future__ import annotations

import os
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from linkcrawl.crawl.preflight import preflight


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """linkcrawl's Scrapy settings (works from a checkout and from an installed package)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "linkcrawl.crawl.settings")
    settings = get_project_settings()
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(spider: str, spargs: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Crawl to the end and return the crawl's stats. Raises LinkcrawlError on bad input
    before anything is fetched or written."""
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    spider_cls = process.spider_loader.load(spider)
    preflight(settings, spider_cls, spargs)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **spargs)
    process.start()
    assert crawler.stats is not None
    return crawler.stats.get_stats()
