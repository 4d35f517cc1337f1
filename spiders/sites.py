"""Crawl seed sites: each seed's own site, to a depth and a page budget.

Besides following links, the spider reads each seed host's robots.txt for ``Sitemap:``
lines (or tries ``/sitemap.xml``) and the RSS/Atom feeds pages announce, so pages that
navigation does not link are reached too.
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy.http import Response

from linkcrawl.crawl.discovery import FeedDiscovery
from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.items import PageItem


class SitesSpider(FeedDiscovery, LinkcrawlSpider):
    """``scrapy crawl sites -a targets=example.com -a seeds_file=data/seeds/sites.txt``"""

    name = "sites"
    default_seeds_file = ""

    def follow(self, response: Response, page: PageItem) -> Iterator[scrapy.Request]:
        yield from super().follow(response, page)
        yield from self.feeds_in_page(response)
