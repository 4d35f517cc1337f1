"""What every linkcrawl spider shares: arguments, page analysis, following, errors.

Spiders decide what to start from and what to follow; everything about a page's
content happens in :func:`linkcrawl.analyze.analyze_page`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from linkcrawl.analyze import analyze_page, page_identity
from linkcrawl.config import LinkcrawlConfig
from linkcrawl.errors import ConfigError
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.seeds import Seed, load_seeds, load_targets

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class LinkcrawlSpider(scrapy.Spider):
    """Base spider: ``-a targets=… / targets_file=…``, ``-a seeds=… / seeds_file=…``,
    ``-a max_depth=N``, ``-a max_pages=N`` (per site)."""

    default_seeds_file: str = ""

    def __init__(
        self,
        targets: str | None = None,
        targets_file: str | None = None,
        seeds: str | None = None,
        seeds_file: str | None = None,
        max_depth: str | int | None = None,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.run_args = {
            k: v
            for k, v in dict(
                targets=targets, targets_file=targets_file, seeds=seeds, seeds_file=seeds_file,
                max_depth=max_depth, max_pages=max_pages, **kwargs,
            ).items()
            if v is not None and not k.startswith("_")
        }
        self.targets: list[str] = load_targets(targets, targets_file)
        self.seeds: list[Seed] = load_seeds(seeds, seeds_file or self.default_seeds_file or None)
        self._max_depth = _int_arg("max_depth", max_depth)
        self._max_pages = _int_arg("max_pages", max_pages)
        self._requested: set[bytes] = set()
        self._site_requests: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        return spider

    def configure(self, settings: BaseSettings) -> None:
        """Apply settings and check that the spider can run; raises ConfigError."""
        self.config = LinkcrawlConfig.from_settings(settings)
        if not self.targets:
            self.targets = list(self.config.targets)
        if not self.targets:
            raise ConfigError(
                "no targets: pass -a targets=example.com,other.com or -a targets_file=PATH"
            )
        if not self.seeds:
            raise ConfigError("no seeds: pass -a seeds=https://site/ or -a seeds_file=PATH")
        self.max_depth = self._max_depth if self._max_depth is not None else self.config.max_depth
        self.max_pages = self._max_pages or self.config.max_pages_per_site

    # --- requests -----------------------------------------------------------------
    def page_request(self, url: str, site: str, **meta: Any) -> scrapy.Request | None:
        """A request for ``url`` if it is new and ``site`` still has page budget."""
        digest = hashlib.blake2b(url.encode("utf-8", "replace"), digest_size=12).digest()
        if digest in self._requested:
            return None
        if self._site_requests[site] >= self.max_pages:
            self.crawler.stats.inc_value("linkcrawl/site_budget_exhausted")
            return None
        self._requested.add(digest)
        self._site_requests[site] += 1
        return scrapy.Request(
            url, callback=self.parse, errback=self.on_error, meta={"site": site, **meta}
        )

    def seed_requests(self) -> Iterator[scrapy.Request]:
        for seed in self.seeds:
            url, _, site = page_identity(seed.url)
            request = self.page_request(url, site, seed_flags=sorted(seed.flags))
            if request is not None:
                yield request

    # --- responses ----------------------------------------------------------------
    def analyze_response(self, response: Response) -> PageItem | None:
        """The page item for an HTML response, or None for anything that is not HTML."""
        if not isinstance(response, TextResponse):
            return None
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if content_type and not content_type.lower().startswith(HTML_TYPES):
            return None
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        page = analyze_page(
            response.body,
            response.request.url if response.request else response.url,
            final_url=response.url,
            status=response.status,
            headers=headers,
            encoding=response.encoding,
        )
        page.spider = self.name
        page.via_browser = bool(response.meta.get("playwright"))
        return page

    def internal_links(self, page: PageItem, site: str) -> Iterator[LinkItem]:
        for link in page.links:
            if link.target_domain == site:
                yield link

    def follow(self, response: Response, page: PageItem) -> Iterator[scrapy.Request]:
        """Requests for the same-site links of ``page``, within depth and budget."""
        if response.meta.get("depth", 0) >= self.max_depth or page.nofollow:
            return
        site = response.meta.get("site") or page.domain
        for link in self.internal_links(page, site):
            request = self.page_request(link.normalized_url, site)
            if request is not None:
                yield request

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        page = self.analyze_response(response)
        if page is None:
            return
        yield page
        yield from self.follow(response, page)

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        """Record a page that could not be fetched, with the reason, as a page document."""
        request = failure.request  # type: ignore[attr-defined]
        status = 0
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"http {status}"
        elif failure.check(IgnoreRequest):
            error = str(failure.value) or "ignored"
            if "robots" in error.lower() or not error.strip():
                error = "blocked by robots.txt"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        self.crawler.stats.inc_value(f"linkcrawl/fetch_errors/{error.split(':')[0].split()[0]}")
        url, host, domain = page_identity(request.url)
        yield PageItem(url=url, final_url=request.url, status=status, host=host, domain=domain,
                       error=error, spider=self.name)


def _int_arg(name: str, value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"-a {name} must be a whole number, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"-a {name} must be >= 0, got {number}")
    return number
