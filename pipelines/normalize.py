"""Canonical form for every link: absolute URL, normalized URL, registrable domains.

Spiders already normalize during page analysis (they need canonical URLs to decide what
to follow); this step completes any item that arrives without it (replays, other spiders).
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from linkcrawl.analysis.links import normalize_other_links, normalize_page_links
from linkcrawl.crawl.spider import ROBOTS_BLOCKED
from linkcrawl.items import PageItem
from linkcrawl.web.domains import page_identity
from pipelines._base import CrawlerPipeline


class NormalizePipeline(CrawlerPipeline):
    def process_item(self, item: PageItem) -> PageItem:
        if not isinstance(item, PageItem):
            self.stats.inc_value("linkcrawl/dropped/unknown_item")
            raise DropItem(f"not a page item: {ItemAdapter(item).item_class.__name__}")
        if not item.host:
            item.url, item.host, item.domain = page_identity(item.url)
        # links analysis already dropped (page.unusable_links) count as found and unusable
        found = len(item.links) + item.unusable_links
        dropped = normalize_page_links(item) + item.unusable_links
        normalize_other_links(item)
        if item.error == ROBOTS_BLOCKED:
            self.stats.inc_value("linkcrawl/robots_blocked")
        elif item.error:
            self.stats.inc_value("linkcrawl/page_errors")
        else:
            self.stats.inc_value("linkcrawl/pages")
        self.stats.inc_value("linkcrawl/links_found", found)
        if dropped:
            self.stats.inc_value("linkcrawl/links_unusable", dropped)
        if item.links_past_depth_limit:  # nesting deeper than the parser builds
            self.stats.inc_value("linkcrawl/pages_past_depth_limit")
            self.stats.inc_value("linkcrawl/links_past_depth_limit", item.links_past_depth_limit)
        return item
