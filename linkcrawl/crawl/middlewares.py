"""Downloader middlewares: a configured proxy, and the guard against crawling inward."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.statscollectors import StatsCollector

from linkcrawl.crawl.context import crawl_config
from linkcrawl.web.addresses import address_refusal, host_refusal, resolve_host

logger = logging.getLogger(__name__)


class ProxyMiddleware:
    """Send every request through ``LINKCRAWL_HTTP_PROXY`` when it is set."""

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        proxy = crawl_config(crawler).http_proxy
        if not proxy:
            raise NotConfigured  # no message: the normal case, Scrapy then logs nothing
        return cls(proxy)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy


class AddressVerdicts:
    """Why a URL's host may not be fetched ("" when it may).

    Shared by the downloader middleware (pages, redirects) and the browser (the scripts,
    frames and XHRs a rendered page asks for). This is a look-up ahead of the connection,
    for a clear refusal; the connection itself is judged again where it is made
    (:mod:`linkcrawl.crawl.resolver`, :mod:`linkcrawl.crawl.guard_proxy`). Only settled
    verdicts are cached for the crawl: a name that does not resolve now is looked up again
    next time (it may resolve inward by then).
    """

    def __init__(self) -> None:
        self._verdicts: dict[str, str] = {}  # host -> "" (ok) or reason

    async def refusal(self, url: str) -> str:
        # "localhost." names the same host as "localhost" (some resolvers disagree)
        try:
            host = (urlsplit(url).hostname or "").lower().rstrip(".")
        except ValueError:
            return "unreadable URL"
        problem = host_refusal(host)
        if problem:
            return f"{host[:80]!r}: {problem}"
        verdict = self._verdicts.get(host)
        if verdict is None:
            verdict, settled = await asyncio.to_thread(self._check, host)
            if settled:
                self._verdicts[host] = verdict
        return verdict

    @staticmethod
    def _check(host: str) -> tuple[str, bool]:
        """(reason or "", whether the verdict may be cached)."""
        try:
            addresses = resolve_host(host)
        except (OSError, UnicodeError):
            # Not resolvable now: the downloader fails with its own DNS error (which recheck
            # reports as "host unreachable"), or a configured proxy resolves it. Not cached.
            return "", False
        for address in addresses:
            why = address_refusal(address)
            if why:
                return f"{host} resolves to non-public address {address} ({why})", True
        return "", True


class AddressGuardMiddleware:
    """Refuse hosts that resolve to private, loopback, link-local or multicast addresses.

    Runs for every request, so redirects (which come back as new requests) are checked
    too. Verdicts are cached per host for the crawl. Not configured when
    ``LINKCRAWL_ALLOW_PRIVATE_ADDRESSES`` is true (tests and the demo web need that).
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.verdicts = AddressVerdicts()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        if crawl_config(crawler).allow_private_addresses:
            raise NotConfigured  # no message: Scrapy logs nothing (tests, the demo web)
        assert crawler.stats is not None
        return cls(crawler.stats)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        verdict = await self.verdicts.refusal(request.url)
        if verdict:
            self.stats.inc_value("address_guard/refused")
            logger.warning("refused %s: %s", request.url, verdict)
            raise IgnoreRequest(f"address guard: {verdict}")
