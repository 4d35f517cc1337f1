"""Drop what this run has already seen: the same page twice, the same backlink twice.

A page reached under two URLs (redirects) is stored once; a link repeated on one page
with the same anchor is one backlink. Memory: the stored pages' final URLs in a seen set
(``LINKCRAWL_SEEN_SETS``: a Bloom filter of ~3 bytes a page by default, where a false
positive drops one page of the run, below 1 in 10,000). A backlink's key includes its
page's URL, so a repeat can only come from the same page: links are compared within the page.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from linkcrawl.items import PageItem
from linkcrawl.keys import backlink_key
from linkcrawl.navigate.seen import seen_set
from pipelines._base import CrawlerPipeline


class DedupePipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pages = seen_set(self.config.seen_sets)

    def process_item(self, item: PageItem) -> PageItem:
        if item.final_url and not item.error and item.final_url in self._pages:
            self.stats.inc_value("linkcrawl/dropped/duplicate_page")
            raise DropItem(f"page already seen in this run: {item.final_url}")
        self._pages.add(item.final_url)
        unique = []
        keys: set[str] = set()
        for link in item.links:
            link.key = backlink_key(item.url, link.normalized_url, link.anchor_text,
                                    link.link_kind)
            if link.key in keys:
                self.stats.inc_value("linkcrawl/duplicate_links")
                continue
            keys.add(link.key)
            unique.append(link)
        item.links = unique
        return item
