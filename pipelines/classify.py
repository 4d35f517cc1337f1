"""Give every backlink a type, a confidence and the evidence behind it."""

from __future__ import annotations

from collections import Counter

from linkcrawl.analysis.page import classify_page_links
from linkcrawl.items import PageItem
from pipelines._base import CrawlerPipeline


class ClassifyPipeline(CrawlerPipeline):
    def process_item(self, item: PageItem) -> PageItem:
        classify_page_links(item)
        for link_type, n in Counter(link.link_type for link in item.links).items():
            self.stats.inc_value(f"linkcrawl/link_type/{link_type}", n)
        return item

