"""Keep the links that point at a target; remember every external domain edge."""

from __future__ import annotations

from scrapy.crawler import Crawler

from linkcrawl.config import LinkcrawlConfig
from linkcrawl.items import PageItem
from linkcrawl.links import TargetMatcher, split_backlinks
from pipelines._base import CrawlerPipeline


class TargetFilterPipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._matcher: TargetMatcher | None = None

    @property
    def matcher(self) -> TargetMatcher:
        if self._matcher is None:
            targets = getattr(self.spider, "targets", None)
            if not targets:
                targets = LinkcrawlConfig.from_settings(self.crawler.settings).targets
            self._matcher = TargetMatcher(targets)
        return self._matcher

    def process_item(self, item: PageItem) -> PageItem:
        backlinks, edges = split_backlinks(item, self.matcher)
        if item.details is not None:  # read where its backlinks sit (a no-op when done)
            item.details.fill(backlinks)
        item.links = backlinks
        item.domain_edges = dict(edges)
        if backlinks:
            self.stats.inc_value("linkcrawl/backlinks_found", len(backlinks))
        return item
