"""Keep the links that point at a target; remember every external domain edge."""

from __future__ import annotations

from scrapy.crawler import Crawler

from linkcrawl.analysis.links import TargetMatcher, split_backlinks
from linkcrawl.items import PageItem
from pipelines._base import CrawlerPipeline


class TargetFilterPipeline(CrawlerPipeline):
    """Where the kept links sit was read during page analysis
    (:class:`linkcrawl.analysis.page.PageAnalyzer`), for these same targets."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._matcher: TargetMatcher | None = None

    @property
    def matcher(self) -> TargetMatcher:
        if self._matcher is None:
            setup = self.context.analysis
            self._matcher = TargetMatcher(setup.targets if setup else self.config.targets)
        return self._matcher

    def process_item(self, item: PageItem) -> PageItem:
        backlinks, edges = split_backlinks(item, self.matcher)
        item.links = backlinks
        item.domain_edges = dict(edges)
        if backlinks:
            self.stats.inc_value("linkcrawl/backlinks_found", len(backlinks))
            for link in backlinks:
                if link.link_kind != "a":  # counted apart from ordinary anchors
                    self.stats.inc_value(f"linkcrawl/link_kind/{link.link_kind}")
        return item
