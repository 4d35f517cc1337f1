"""Find unlinked brand mentions of the targets on each page (see :mod:`linkcrawl.mentions`).

Runs after the target filter, so ``item.links`` holds the page's backlinks: a page that
links to a target gives no mention of that target. Reads the parsed page the analysis left
on ``item.dom`` and drops it (the tree is not kept past this step).
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from linkcrawl.config import LinkcrawlConfig
from linkcrawl.items import PageItem
from linkcrawl.links import TargetMatcher
from linkcrawl.mentions import BrandTerms, page_mentions, parse_brand_terms
from pipelines._base import CrawlerPipeline


class MentionsPipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.config = LinkcrawlConfig.from_settings(crawler.settings)
        if not self.config.mentions:
            raise NotConfigured("unlinked mentions are off (LINKCRAWL_MENTIONS=False)")
        self._brands: BrandTerms | None = None
        self._matcher: TargetMatcher | None = None

    def _setup(self) -> tuple[BrandTerms, TargetMatcher]:
        if self._brands is None or self._matcher is None:
            targets = list(getattr(self.spider, "targets", None) or self.config.targets)
            explicit = dict(self.config.brand_terms)
            explicit.update(parse_brand_terms(getattr(self.spider, "brand_terms", None)))
            self._brands = BrandTerms(targets, explicit)
            self._matcher = TargetMatcher(targets)
        return self._brands, self._matcher

    def process_item(self, item: PageItem) -> PageItem:
        root, item.dom = item.dom, None
        if root is None or item.error:
            return item
        brands, matcher = self._setup()
        linked = {matcher.match(link.target_host, link.target_domain) for link in item.links}
        item.mentions = page_mentions(root, item.final_url or item.url, item.domain,
                                      {t for t in linked if t}, brands)
        if item.mentions:
            self.stats.inc_value("linkcrawl/mentions_found", len(item.mentions))
        return item
