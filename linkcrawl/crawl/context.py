"""What one crawl's components share: the config, read once, and data passed between them.

Every middleware, pipeline and extension of a crawl asks :func:`crawl_context` for the
same object, so the ``LINKCRAWL_*`` settings are parsed once per crawler, and components
hand each other data here instead of reaching into the engine or the spider's attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from linkcrawl.analysis.page import AnalysisSetup
from linkcrawl.config import LinkcrawlConfig
from linkcrawl.web.robots import SearchRules

__all__ = ["CrawlContext", "crawl_config", "crawl_context"]


@dataclass(slots=True)
class CrawlContext:
    """Per-crawler shared state; built on first use, dropped with the crawler."""

    config: LinkcrawlConfig
    # what the spider analyses pages for (targets, brand terms); the analysis workers get it
    analysis: AnalysisSetup | None = None
    # target domains whose unlinked mentions this run looks for (set by the mentions step,
    # read by the store step, which marks the others' stored mentions gone only for these)
    mention_targets: frozenset[str] = frozenset()
    # recheck: source page URL -> keys of the stored backlinks it is fetched for
    recheck_plan: dict[str, list[str]] = field(default_factory=dict)
    # id(item) -> number of the store batch holding it: the request journal sets it to {}
    # when it runs and pops each item's entry; the store step fills it only then
    item_batches: dict[int, int] | None = None
    # why not everything the crawl found is durable ("" when it is): the journal then
    # does not mark the run clean, so a resume fetches the unfinished requests again
    not_durable: str = ""
    # netloc -> (Scrapy's robots.txt parser, the rules Googlebot obeys): set by the robots.txt
    # middleware, read by the spider to flag pages search engines may not crawl
    search_robots: dict[str, tuple[Any, SearchRules]] = field(default_factory=dict)


_CONTEXTS: WeakKeyDictionary[Crawler, CrawlContext] = WeakKeyDictionary()


def crawl_context(crawler: Crawler) -> CrawlContext:
    """The crawl's shared context; raises ConfigError for a bad setting (once)."""
    context = _CONTEXTS.get(crawler)
    if context is None:
        context = _CONTEXTS[crawler] = CrawlContext(LinkcrawlConfig.from_settings(crawler.settings))
    return context


def crawl_config(crawler: Crawler) -> LinkcrawlConfig:
    """The crawl's ``LINKCRAWL_*`` settings, parsed once per crawler."""
    return crawl_context(crawler).config
