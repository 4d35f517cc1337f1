"""Crawl forums: index -> boards -> threads -> thread pages; links in posts and signatures.

``scrapy crawl forums -a targets=example.com -a seeds_file=data/seeds/forums.txt``

Only board and thread URLs (and their pagination) are followed; login, profile, search,
reply, print and post-permalink URLs are not (:mod:`linkcrawl.navigate.forums`). Sort variants are
stripped by the trap policy. Pagination does not count towards ``max_depth``: a 40-page
thread is one level deep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.items import PageItem
from linkcrawl.navigate.forums import (
    BOARD,
    SKIP,
    THREAD,
    classify_forum_url,
    detect_engine,
    item_key,
)


class ForumsSpider(LinkcrawlSpider):
    name = "forums"
    default_seeds_file = ""

    async def start(self) -> AsyncIterator[Any]:
        for request in self.seed_requests():
            request.meta.setdefault("level", 0)
            request.meta.setdefault("forum_kind", BOARD)
            yield request

    def page_type_hint(self, response: Response, page: PageItem) -> str | None:
        kind = response.meta.get("forum_kind") or classify_forum_url(page.url).kind
        return "forum_thread" if kind == THREAD else "forum_index" if kind == BOARD else None

    def follow(self, response: Response, page: PageItem) -> Iterator[scrapy.Request]:
        if page.nofollow:
            return
        level = response.meta.get("level", 0)
        kind = response.meta.get("forum_kind", "")
        site = response.meta.get("site") or page.domain
        links = list(self.internal_links(page, site))
        engine = response.meta.get("engine") or detect_engine([x.normalized_url for x in links])
        here = item_key(page.url)
        for link in links:
            found = classify_forum_url(link.normalized_url, engine)
            if found.kind not in (BOARD, THREAD):
                if found.kind == SKIP:
                    self.crawler.stats.inc_value("linkcrawl/forums/skipped")
                continue
            # Another page of the same board or thread stays on this level.
            same = found.kind == kind and item_key(link.normalized_url) == here
            next_level = level if same else level + 1
            if next_level > self.max_depth:
                continue
            request = self.page_request(
                link.normalized_url, site, level=next_level, forum_kind=found.kind, engine=engine
            )
            if request is not None:
                yield request
