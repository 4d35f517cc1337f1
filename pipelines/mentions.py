"""Find unlinked brand mentions of the targets on each page (see :mod:`linkcrawl.mentions`).

Runs after the target filter, so ``item.links`` holds the page's backlinks: a page that
links to a target gives no mention of that target. Reads the parsed page the analysis left
on ``item.details`` and drops it (the tree is not kept past this step), also when mentions are
off (``LINKCRAWL_MENTIONS=False``).
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from linkcrawl.analysis_pool import worker_setup
from linkcrawl.config import LinkcrawlConfig
from linkcrawl.errors import ConfigError
from linkcrawl.items import PageItem
from linkcrawl.links import TargetMatcher
from linkcrawl.mentions import BrandTerms, page_mentions
from pipelines._base import CrawlerPipeline

logger = logging.getLogger(__name__)


class MentionsPipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.config = LinkcrawlConfig.from_settings(crawler.settings)
        self._brands: BrandTerms | None = None
        self._matcher: TargetMatcher | None = None
        self._enabled = self.config.mentions

    def _setup(self) -> tuple[BrandTerms, TargetMatcher]:
        if self._brands is None or self._matcher is None:
            setup = worker_setup(self.spider, self.config)  # as the analysis workers do
            self._brands = BrandTerms(setup.targets, setup.brand_terms)
            self._matcher = TargetMatcher(setup.targets)
        return self._brands, self._matcher

    @property
    def looked_for(self) -> frozenset[str]:
        """Target domains whose mentions this run looks for (empty while mentions are off):
        the store marks the others' stored mentions on a re-crawled page as gone only for
        these (``linkcrawl.store.sightings``)."""
        if not self._enabled:
            return frozenset()
        try:
            brands, _ = self._setup()
        except ConfigError:
            return frozenset()
        return frozenset(brands.domains.values())

    def open_spider(self, spider: object = None) -> None:
        if not self.config.mentions:
            return
        try:
            self._setup()
        except ConfigError as exc:  # a bad -a brand_terms (preflight should catch it first)
            logger.error("%s; unlinked mentions are off for this run", exc)
            self._enabled = False

    def process_item(self, item: PageItem) -> PageItem:
        details, item.details = item.details, None
        if details is None:  # analysed by a worker process, mentions included (analysis_pool)
            if item.mentions and self._enabled:
                self.stats.inc_value("linkcrawl/mentions_found", len(item.mentions))
            elif not self._enabled:
                item.mentions = []
            return item
        if item.error or not self._enabled:
            return item
        brands, matcher = self._setup()
        linked = {matcher.match(link.target_host, link.target_domain) for link in item.links}
        item.mentions = page_mentions(details.root, item.final_url or item.url, item.domain,
                                      {t for t in linked if t}, brands)
        if item.mentions:
            self.stats.inc_value("linkcrawl/mentions_found", len(item.mentions))
        return item
