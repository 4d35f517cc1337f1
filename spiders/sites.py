"""Crawl seed sites: each seed's own site, to a depth and a page budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from linkcrawl.spiderbase import LinkcrawlSpider


class SitesSpider(LinkcrawlSpider):
    """``scrapy crawl sites -a targets=example.com -a seeds_file=data/seeds/demo.txt``"""

    name = "sites"

    async def start(self) -> AsyncIterator[Any]:
        for request in self.seed_requests():
            yield request
