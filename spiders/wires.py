"""Crawl press-release wires: newsroom pages, RSS/Atom feeds and (news) sitemaps -> releases.

``scrapy crawl wires -a targets=example.com -a seeds_file=data/seeds/wires.txt
-a since=2024-01-01``

Seeds are wire home pages, newsroom pages, feed or sitemap URLs. Each seed host's
robots.txt sitemaps and the feeds its pages announce are read too. With ``since``,
releases dated before it are neither fetched (dates from feeds, sitemaps and URLs) nor
recorded (dates from the page itself). Links in the release body and its "About"
boilerplate are what the pipelines keep as backlinks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from linkcrawl.crawl.discovery import FeedDiscovery, published
from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.errors import ConfigError
from linkcrawl.items import PageItem
from linkcrawl.navigate.feeds import Entry, page_date
from linkcrawl.navigate.wires import NEWSROOM, RELEASE, SKIP, before, classify_wire_url, url_date


def _since_arg(value: str | None) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"-a since must be a date like 2024-01-31, got {value!r}") from None


class WiresSpider(FeedDiscovery, LinkcrawlSpider):
    name = "wires"
    default_seeds_file = ""

    def __init__(self, since: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.since = _since_arg(since)
        if since:
            self.run_args["since"] = since

    def too_old(self, url: str, when: date | None = None) -> bool:
        """Known to be older than ``since`` (feed/page date, else the URL's month)."""
        if when is not None:
            return before(when, self.since)
        return before(url_date(url), self.since, month_only=True)

    def entry_request(self, entry: Entry, site: str) -> scrapy.Request | None:
        if self.too_old(entry.url, entry.published):
            self.crawler.stats.inc_value("linkcrawl/wires/skipped_old")
            return None
        return super().entry_request(entry, site)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if self.since and isinstance(response, TextResponse) and self._old_release(response):
            self.crawler.stats.inc_value("linkcrawl/wires/skipped_old")
            return
        yield from super().parse(response, **kwargs)

    @staticmethod
    def is_release(url: str, meta: dict[str, Any]) -> bool:
        """A release page: by its URL, or any feed/sitemap entry that is not a listing."""
        kind = classify_wire_url(url)
        return kind == RELEASE or (bool(meta.get("via_feed")) and kind not in (NEWSROOM, SKIP))

    def _old_release(self, response: Response) -> bool:
        if not self.is_release(response.url, response.meta):
            return False
        when = published(response.meta) or page_date(response.text[:300_000])
        return self.too_old(response.url, when)

    def page_type_hint(self, response: Response, page: PageItem) -> str | None:
        return "press_release" if self.is_release(page.url, response.meta) else None

    def follow(self, response: Response, page: PageItem) -> Iterator[scrapy.Request]:
        yield from self.feeds_in_page(response)
        yield from super().follow(response, page)

    def worth_following(self, url: str) -> bool:
        """Release and newsroom links only, and no release known to be older than ``since``."""
        kind = classify_wire_url(url)
        if kind not in (RELEASE, NEWSROOM):
            return False
        if kind == RELEASE and self.too_old(url):
            self.crawler.stats.inc_value("linkcrawl/wires/skipped_old")
            return False
        return True
