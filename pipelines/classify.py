"""Give every backlink a type, a confidence and the evidence behind it."""

from __future__ import annotations

from linkcrawl.analyze import classify_page_links
from linkcrawl.items import PageItem
from pipelines._base import CrawlerPipeline


class ClassifyPipeline(CrawlerPipeline):
    def process_item(self, item: PageItem) -> PageItem:
        classify_page_links(item)
        for link in item.links:
            self.stats.inc_value(f"linkcrawl/link_type/{link.link_type}")
        return item

