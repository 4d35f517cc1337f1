"""Crawl web and business directories: categories -> pagination -> listing detail pages.

``scrapy crawl directories -a targets=example.com -a seeds_file=data/seeds/directories.txt``
(optional ``-a max_category_depth=N -a max_listings=N``; defaults from
``LINKCRAWL_MAX_CATEGORY_DEPTH`` and ``LINKCRAWL_MAX_LISTINGS``).

Seeds are directory home pages or category pages. Category links go one level deeper,
pagination stays on its level, listing pages count against a per-directory budget and are
where the listed sites' links sit; everything else on the directory is not followed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings

from linkcrawl.crawl.spider import LinkcrawlSpider, int_arg
from linkcrawl.items import PageItem
from linkcrawl.navigate.directories import CATEGORY, LISTING, PAGE, SKIP, classify_directory_link


class DirectoriesSpider(LinkcrawlSpider):
    name = "directories"
    default_seeds_file = ""

    def __init__(
        self,
        max_category_depth: str | int | None = None,
        max_listings: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._max_category_depth = int_arg("max_category_depth", max_category_depth)
        self._max_listings = int_arg("max_listings", max_listings)
        for name, value in (("max_category_depth", max_category_depth),
                            ("max_listings", max_listings)):
            if value is not None:
                self.run_args[name] = value
        self._listings: Counter[str] = Counter()

    def configure(self, settings: BaseSettings) -> None:
        super().configure(settings)
        self.max_category_depth = (
            self._max_category_depth
            if self._max_category_depth is not None
            else self.config.max_category_depth
        )
        self.max_listings = self._max_listings or self.config.max_listings

    async def start(self) -> AsyncIterator[Any]:
        for request in self.seed_requests():
            request.meta.setdefault("category_depth", 0)
            request.meta.setdefault("directory_kind", CATEGORY)
            yield request

    def page_type_hint(self, response: Response, page: PageItem) -> str | None:
        return "directory"

    def follow(self, response: Response, page: PageItem) -> Iterator[scrapy.Request]:
        if page.nofollow:
            return
        depth = response.meta.get("category_depth", 0)
        here = response.meta.get("directory_kind", CATEGORY)
        site = response.meta.get("site") or page.domain
        stats = self.crawler.stats
        for link in self.internal_links(page, site):
            kind = classify_directory_link(link.normalized_url, link.dom_path, tuple(link.rel))
            if kind == SKIP:
                stats.inc_value("linkcrawl/directories/skipped")
                continue
            if kind == PAGE and here != LISTING:
                request = self.page_request(
                    link.normalized_url, site, category_depth=depth, directory_kind=here
                )
            elif kind == CATEGORY and depth < self.max_category_depth:
                request = self.page_request(
                    link.normalized_url, site, category_depth=depth + 1, directory_kind=CATEGORY
                )
            elif kind == LISTING:
                if self._listings[site] >= self.max_listings:
                    stats.inc_value("linkcrawl/directories/listing_budget_exhausted")
                    continue
                request = self.page_request(
                    link.normalized_url, site, category_depth=depth, directory_kind=LISTING
                )
                if request is not None:
                    self._listings[site] += 1
            else:
                continue
            if request is not None:
                yield request
