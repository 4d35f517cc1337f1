"""Reaching pages through robots.txt sitemaps, sitemaps and RSS/Atom feeds.

A mixin for :class:`linkcrawl.crawl.spider.LinkcrawlSpider` subclasses. Feed and sitemap
fetches do not count against a site's page budget (they are not pages) but are capped per
site; their entries become ordinary page requests, so every trap and budget rule applies.
Parsing lives in :mod:`linkcrawl.navigate.feeds`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from linkcrawl.navigate.feeds import (
    Entry,
    discover_feeds,
    looks_like_feed,
    parse_feed,
    sitemaps_from_robots,
)
from linkcrawl.web.domains import page_identity

__all__ = ["FeedDiscovery"]

logger = logging.getLogger(__name__)

MAX_FEEDS_PER_SITE = 50  # sitemaps (index children included) and feeds fetched per site


class FeedDiscovery:
    """Adds sitemap and feed discovery to a spider (mix in before LinkcrawlSpider)."""

    crawler: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._feed_fetches: Counter[str] = Counter()
        self._feeds_seen: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        """The seed requests, each new seed host's robots.txt right after its first seed."""
        hosts: set[str] = set()
        for request in self.seed_requests():  # type: ignore[attr-defined]
            yield request
            host = urlsplit(request.url).netloc
            if host not in hosts:
                hosts.add(host)
                for discovery in self.discovery_requests(request.url):
                    yield discovery

    def parse_other(self, response: Response) -> Iterator[Any]:
        """Responses that are not HTML pages: read them as feeds or sitemaps."""
        yield from self.parse_feed_response(response)

    def discovery_requests(self, seed_url: str) -> Iterator[scrapy.Request]:
        """robots.txt of the seed's host, for its ``Sitemap:`` lines."""
        parts = urlsplit(seed_url)
        _, _, site = page_identity(seed_url)
        robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
        yield scrapy.Request(
            robots,
            callback=self.parse_robots,
            errback=self.on_discovery_error,
            meta={"site": site, "dont_obey_robotstxt": True, "discovery": "robots",
                  "handle_httpstatus_all": True},
            dont_filter=True,
        )

    def feed_request(self, url: str, site: str, kind: str) -> scrapy.Request | None:
        """A request for a sitemap/feed of ``site`` (same site only, capped, once)."""
        _, _, domain = page_identity(url)
        if domain != site or url in self._feeds_seen:
            return None
        if self._feed_fetches[site] >= MAX_FEEDS_PER_SITE:
            self.crawler.stats.inc_value("linkcrawl/feeds/budget_exhausted")
            return None
        self._feeds_seen.add(url)
        self._feed_fetches[site] += 1
        return scrapy.Request(
            url,
            callback=self.parse_feed_response,
            errback=self.on_discovery_error,
            meta={"site": site, "discovery": kind},
        )

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        site = response.meta["site"]
        text = response.text if isinstance(response, TextResponse) else ""
        sitemaps = sitemaps_from_robots(text) if response.status == 200 else []
        if not sitemaps:
            parts = urlsplit(response.url)
            sitemaps = [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]
        for url in sitemaps:
            request = self.feed_request(url, site, "sitemap")
            if request is not None:
                yield request

    def feeds_in_page(self, response: Response) -> Iterator[scrapy.Request]:
        """Requests for the RSS/Atom feeds an HTML page announces in its ``<head>``."""
        if not isinstance(response, TextResponse):
            return
        site = response.meta.get("site") or page_identity(response.url)[2]
        for url in discover_feeds(response.text, response.url):
            request = self.feed_request(url, site, "feed")
            if request is not None:
                yield request

    def parse_feed_response(self, response: Response) -> Iterator[Any]:
        site = response.meta["site"]
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        feed = parse_feed(response.body, response.url) if looks_like_feed(
            response.body, content_type
        ) else None
        if feed is None:
            if response.meta.get("discovery"):
                self.crawler.stats.inc_value("linkcrawl/feeds/unreadable")
            return
        self.crawler.stats.inc_value(f"linkcrawl/feeds/{feed.kind}")
        if feed.kind in ("rss", "atom"):
            yield from self.feed_page(response)  # type: ignore[attr-defined]
        for entry in feed.entries:
            if feed.is_index:
                request = self.feed_request(entry.url, site, "sitemap")
            else:
                request = self.entry_request(entry, site)
            if request is not None:
                yield request

    def entry_request(self, entry: Entry, site: str) -> scrapy.Request | None:
        """A page request for a feed/sitemap entry of the same site (subclasses filter)."""
        _, _, domain = page_identity(entry.url)
        if domain != site:
            return None
        meta: dict[str, Any] = {"via_feed": True}
        if entry.published is not None:
            meta["published"] = entry.published.isoformat()
        return self.page_request(entry.url, site, **meta)  # type: ignore[attr-defined,no-any-return]

    def on_discovery_error(self, failure: Failure) -> None:
        """A missing sitemap or robots.txt is normal: count it, record nothing."""
        kind = failure.request.meta.get("discovery", "feed")  # type: ignore[attr-defined]
        self.crawler.stats.inc_value(f"linkcrawl/feeds/{kind}_missing")
        logger.debug("no %s at %s", kind, failure.request.url)  # type: ignore[attr-defined]


def published(meta: dict[str, Any]) -> date | None:
    """The feed date a request carried, if any."""
    value = meta.get("published")
    return date.fromisoformat(value) if value else None
