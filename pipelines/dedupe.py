"""Drop what this run has already seen: the same page twice, the same backlink twice.

A page reached under two URLs (redirects) is stored once; a link repeated on one page
with the same anchor is one backlink. Memory: one 20-byte digest per backlink and page.
"""

from __future__ import annotations

import hashlib

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from linkcrawl.items import PageItem
from linkcrawl.keys import backlink_key
from pipelines._base import CrawlerPipeline


class DedupePipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pages: set[bytes] = set()
        self._links: set[bytes] = set()

    def process_item(self, item: PageItem) -> PageItem:
        page_digest = hashlib.sha1(item.final_url.encode("utf-8", "replace")).digest()
        if item.final_url and page_digest in self._pages and not item.error:
            self.stats.inc_value("linkcrawl/dropped/duplicate_page")
            raise DropItem(f"page already seen in this run: {item.final_url}")
        self._pages.add(page_digest)
        unique = []
        for link in item.links:
            link.key = backlink_key(item.url, link.normalized_url, link.anchor_text)
            digest = bytes.fromhex(link.key)
            if digest in self._links:
                self.stats.inc_value("linkcrawl/duplicate_links")
                continue
            self._links.add(digest)
            unique.append(link)
        item.links = unique
        return item
