"""What every linkcrawl spider shares: arguments, page analysis, following, errors.

Spiders decide what to start from and what to follow; everything about a page's
content happens in :func:`linkcrawl.analysis.page.analyze_page`.
"""

from __future__ import annotations

import difflib
import inspect
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from linkcrawl.analysis.page import AnalysisSetup, PageAnalyzer
from linkcrawl.config import LinkcrawlConfig
from linkcrawl.crawl import browser
from linkcrawl.crawl.analysis_pool import is_html, pooled_page, response_headers
from linkcrawl.crawl.context import crawl_config, crawl_context
from linkcrawl.crawl.robotstxt import RobotsTxtHeld, search_engine_block
from linkcrawl.errors import ConfigError
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.navigate.seeds import Seed, load_seeds, load_targets
from linkcrawl.navigate.seen import SeenSet, seen_set
from linkcrawl.navigate.traps import TrapPolicy, check_url, page_number
from linkcrawl.web.addresses import network_of
from linkcrawl.web.domains import host_of, page_identity

logger = logging.getLogger(__name__)

# The error recorded for a page robots.txt forbids (recheck reads it as a lost reason).
ROBOTS_BLOCKED = "blocked by robots.txt"
# Page types a spider's hint may replace: page analysis found nothing more specific.
GENERIC_PAGE_TYPES = frozenset({"other", "article", "homepage"})
HINT_CONFIDENCE = 0.7


class LinkcrawlSpider(scrapy.Spider):
    """Base spider: ``-a targets=… / targets_file=…``, ``-a seeds=… / seeds_file=…``,
    ``-a max_depth=N``, ``-a max_pages=N`` (per site)."""

    default_seeds_file: str = ""
    finds_mentions: bool = True  # unlinked mentions are looked for on its pages
    analyzer: PageAnalyzer

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
        check_spider_args(type(self), kwargs)
        super().__init__(**kwargs)
        self.run_args = {
            k: v
            for k, v in dict(
                targets=targets, targets_file=targets_file, seeds=seeds, seeds_file=seeds_file,
                max_depth=max_depth, max_pages=max_pages, **kwargs,
            ).items()
            if v is not None and not k.startswith("_")
        }
        self.target_notes: list[str] = []  # what parsing the targets reduced, logged on start
        self.targets: list[str] = load_targets(targets, targets_file, self.target_notes)
        self.seeds: list[Seed] = load_seeds(seeds, seeds_file or self.default_seeds_file or None)
        self._max_depth = int_arg("max_depth", max_depth)
        self._max_pages = int_arg("max_pages", max_pages)
        # URLs requested and canonical URLs seen: ~3 bytes a URL in the default Bloom
        # filters (LINKCRAWL_SEEN_SETS); per-site and per-host counters grow with sites only
        self._requested: SeenSet = seen_set("exact")
        self._canonicals: SeenSet = seen_set("exact")
        self._site_requests: Counter[str] = Counter()
        self._calendar_pages: Counter[str] = Counter()
        self._js_sites: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        spider.analyzer = PageAnalyzer(spider.analysis_setup())
        context = crawl_context(crawler)  # what the workers and the pipelines read
        context.analysis = spider.analyzer.setup
        context.mention_targets = spider.analyzer.looked_for
        return spider

    def analysis_setup(self) -> AnalysisSetup:
        """What pages are analysed for: this run's targets and brand terms (spider argument
        ``brand_terms`` over the setting). Raises ConfigError on bad terms."""
        return AnalysisSetup.of(self.targets, self.config.brand_terms,
                                getattr(self, "brand_terms", None),
                                mentions=self.config.mentions and self.finds_mentions,
                                location_model=self.config.location_model)

    def read_config(self, settings: BaseSettings) -> LinkcrawlConfig:
        """The crawl's config (read once per crawler), or the settings' own before a
        crawler exists (the preflight check)."""
        crawler = getattr(self, "crawler", None)
        return crawl_config(crawler) if crawler is not None else LinkcrawlConfig.from_settings(
            settings)

    def configure(self, settings: BaseSettings) -> None:
        """Apply settings and check that the spider can run; raises ConfigError."""
        self.config = self.read_config(settings)
        if not self.targets:
            self.targets = load_targets(list(self.config.targets), None, self.target_notes)
        for note in self.target_notes:
            logger.warning("%s", note)
        if not self.targets:
            raise ConfigError(
                "no targets: pass -a targets=example.com,other.com or -a targets_file=PATH"
            )
        if not self.seeds:
            raise ConfigError("no seeds: pass -a seeds=https://site/ or -a seeds_file=PATH")
        self.max_depth = self._max_depth if self._max_depth is not None else self.config.max_depth
        self.max_pages = self._max_pages or self.config.max_pages_per_site
        self.trap_policy = TrapPolicy(
            max_url_length=self.config.max_url_length,
            max_query_params=self.config.max_query_params,
            max_page_number=self.config.max_page_number,
            max_offset=self.config.max_page_number * 50,
        )
        self._js_sites = {page_identity(s.url)[2] for s in self.seeds if "js" in s.flags}
        self._requested = seen_set(self.config.seen_sets)
        self._canonicals = seen_set(self.config.seen_sets)

    # --- requests -----------------------------------------------------------------
    def page_request(self, url: str, site: str, **meta: Any) -> scrapy.Request | None:
        """A request for ``url`` if it is new, passes the trap policy and ``site`` still has
        page budget. Session ids and sort/filter parameters are stripped first."""
        if url in self._requested:  # most links of a page: checked and requested before
            return None
        stats = self.crawler.stats
        verdict = check_url(url, self.trap_policy)
        if verdict.refused:
            stats.inc_value(f"linkcrawl/trap/{verdict.reason}")
            logger.debug("not following %s: %s", url[:200], verdict.reason)
            return None
        if verdict.url != url:
            url = verdict.url
            if url in self._requested:
                return None
        if self._site_requests[site] >= self.max_pages:
            stats.inc_value("linkcrawl/site_budget_exhausted")
            return None
        host = host_of(url)
        if verdict.calendar:
            if self._calendar_pages[host] >= self.config.max_calendar_pages:
                stats.inc_value("linkcrawl/trap/calendar_budget")
                return None
            self._calendar_pages[host] += 1
        self._requested.add(url)
        self._site_requests[site] += 1
        if site in self._js_sites or browser.domain_wants_browser(
            host, self.config.browser_domains
        ):
            meta.update(browser.browser_meta())
        return scrapy.Request(
            url, callback=self.parse, errback=self.on_error, meta={"site": site, **meta}
        )

    def mark_requested(self, url: str) -> None:
        """Remember ``url`` as fetched (a canonical URL): it is never requested again."""
        self._requested.add(url)

    def seed_requests(self) -> Iterator[scrapy.Request]:
        for seed in self.seeds:
            url, _, site = page_identity(seed.url)
            request = self.page_request(url, site, seed_flags=sorted(seed.flags))
            if request is not None:
                yield request

    # --- responses ----------------------------------------------------------------
    def analyze_response(self, response: Response) -> PageItem | None:
        """The page item for an HTML response, or None for anything that is not HTML."""
        if not is_html(response):
            return None
        page = pooled_page(response) or self.analyzer.analyze(
            response.body, response.request.url if response.request else response.url,
            final_url=response.url, status=response.status, encoding=response.encoding,
            headers=response_headers(response))
        page.spider = self.name
        page.via_browser = browser.rendered_by_browser(response)
        if page.via_browser:
            self.crawler.stats.inc_value("linkcrawl/browser/pages")
        self.mark_fetch(response, page)
        return page

    def feed_page(self, response: Response) -> Iterator[PageItem]:
        """The page item of an RSS/Atom feed whose items link to a target (their links are
        backlinks of the ``feed`` kind); nothing for any other feed."""
        page = self.analyzer.analyze_feed(
            response.body, response.request.url if response.request else response.url,
            final_url=response.url, status=response.status)
        if page is None:
            return
        page.spider = self.name
        self.mark_fetch(response, page)
        self.crawler.stats.inc_value("linkcrawl/feeds/linking")
        yield page

    def mark_fetch(self, response: Response, page: PageItem) -> None:
        """What the fetch itself says about the page: the address it came from, and the
        robots.txt rule that keeps search engines off it."""
        page.ip_address, page.address_source = connection_address(response)
        page.network = network_of(page.ip_address)
        page.robots_rule = search_engine_block(crawl_context(self.crawler), response.url)

    def internal_links(self, page: PageItem, site: str) -> Iterator[LinkItem]:
        for link in page.links:
            if link.target_domain == site:
                yield link

    def follow(self, response: Response, page: PageItem) -> Iterator[scrapy.Request]:
        """Requests for the same-site links of ``page``, within depth and budget."""
        depth = link_depth(response)
        if depth >= self.max_depth or page.nofollow:
            return
        site = response.meta.get("site") or page.domain
        for link in self.internal_links(page, site):
            if not self.worth_following(link.normalized_url):
                continue
            request = self.page_request(link.normalized_url, site, page_depth=depth + 1)
            if request is not None:
                yield request

    def worth_following(self, url: str) -> bool:
        """Whether :meth:`follow` requests this same-site link: every link by default."""
        return True

    def refresh_pages(self, request: scrapy.Request | None) -> Iterator[PageItem]:
        """The pages ``request`` was reached from by a ``<meta http-equiv=refresh>`` that
        Scrapy followed as a redirect, each with its ``meta_refresh`` link, where that link
        points at a target (their bodies are gone: the link is what is known). Whether the
        destination answers does not matter: the page linked to it."""
        if request is None:
            return
        sources = request.meta.get("redirect_urls") or []
        reasons = request.meta.get("redirect_reasons") or []
        destinations = [*sources[1:], request.url]
        for source, reason, destination in zip(sources, reasons, destinations, strict=False):
            if reason != "meta refresh" or not destination:
                continue
            page = self.analyzer.refresh_page(source, destination)
            if page is not None:
                page.spider = self.name
                page.robots_rule = search_engine_block(crawl_context(self.crawler), source)
                yield page

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield from self.refresh_pages(response.request)
        page = self.analyze_response(response)
        if page is None:
            yield from self.parse_other(response)
            return
        retry = self.browser_request(response, page)
        if retry is not None:
            yield retry
            return
        if self.duplicate_canonical(response, page):
            return
        hint = self.page_type_hint(response, page)
        if hint and page.page_type in GENERIC_PAGE_TYPES:
            page.page_type = hint
            page.page_type_confidence = HINT_CONFIDENCE
            page.page_type_evidence = [*page.page_type_evidence, f"spider:{self.name}"]
        yield page
        yield from self.follow(response, page)

    def page_type_hint(self, response: Response, page: PageItem) -> str | None:
        """The page type the crawl path implies (a forum spider on a thread URL): used when
        page analysis found no specific type. None by default."""
        return None

    def parse_other(self, response: Response) -> Iterator[Any]:
        """Responses that are not HTML pages (feeds, sitemaps): nothing by default."""
        return iter(())

    def browser_request(self, response: Response, page: PageItem) -> scrapy.Request | None:
        """The same request through the browser when the static page is an empty script
        shell (``LINKCRAWL_BROWSER_AUTO``); None otherwise."""
        meta = response.meta
        if (
            not self.config.browser_auto
            or browser.rendered_by_browser(response)
            or meta.get("browser_failed")
            or len(page.links) > browser.AUTO_MAX_LINKS
            or not isinstance(response, TextResponse)
        ):
            return None
        if not browser.needs_browser(page.text_length, page.link_count, page.script_count):
            return None
        self.crawler.stats.inc_value("linkcrawl/browser/auto")
        logger.info("rendering %s in the browser: static HTML is a script shell", page.url)
        assert response.request is not None
        return browser.browser_retry(response.request)

    def duplicate_canonical(self, response: Response, page: PageItem) -> bool:
        """True when the page is a parameter variant (same host and path, same page number)
        of a canonical URL already crawled; the canonical URL is then never fetched again."""
        if not page.canonical or page.error:
            return False
        canonical = page_identity(page.canonical)[0]
        if not same_document(canonical, page.url):
            return False
        if canonical != page.url and canonical in self._canonicals:
            self.crawler.stats.inc_value("linkcrawl/trap/duplicate_canonical")
            return True
        self._canonicals.add(canonical)
        self.mark_requested(canonical)
        return False

    def on_error(self, failure: Failure) -> Iterator[PageItem | scrapy.Request]:
        """Record a page that could not be fetched, with the reason, as a page document."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(RobotsTxtHeld):  # sent again once robots.txt can be fetched
            return
        yield from self.refresh_pages(request)
        if request.meta.get("playwright") and not failure.check(HttpError, IgnoreRequest):
            self.crawler.stats.inc_value("linkcrawl/browser/failed")
            logger.warning(
                "browser failed on %s (%s); using the static page instead",
                request.url, failure.getErrorMessage()[:200],
            )
            yield browser.static_retry(request)
            return
        status = 0
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"http {status}"
        elif failure.check(IgnoreRequest):
            error = str(failure.value) or "ignored"
            if "robots" in error.lower() or not error.strip():
                error = ROBOTS_BLOCKED
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        self.crawler.stats.inc_value(f"linkcrawl/fetch_errors/{error.split(':')[0].split()[0]}")
        url, host, domain = page_identity(request.url)
        yield PageItem(url=url, final_url=request.url, status=status, host=host, domain=domain,
                       error=error, spider=self.name)


def connection_address(response: Response) -> tuple[str, str]:
    """(address, how it was learnt) of the server ``response`` came from: the peer of the
    connection Scrapy made (no look-up of its own), kept only when that peer is the host.
    Through a proxy, or Chromium behind the guard proxy, the peer is the proxy: nothing."""
    if browser.rendered_by_browser(response):
        return "", "browser"
    request = response.request
    if request is not None and request.meta.get("proxy"):
        return "", "proxy"
    address = getattr(response, "ip_address", None)
    return (str(address), "connection") if address is not None else ("", "")


def same_document(canonical: str, url: str) -> bool:
    """Same host and path and the same page number: ``url`` is a variant of ``canonical``."""
    a, b = urlsplit(canonical), urlsplit(url)
    return (a.netloc, a.path) == (b.netloc, b.path) and page_number(canonical) == page_number(url)


def link_depth(response: Response) -> int:
    """How many links away from a seed ``response`` is (refetches of a page not counted)."""
    return int(response.meta.get("page_depth", response.meta.get("depth", 0)))


# Spider arguments read outside ``__init__`` signatures (``getattr(self, ...)``).
EXTRA_ARGS = frozenset({"brand_terms"})


def known_spider_args(cls: type) -> set[str]:
    """Every ``-a`` name a linkcrawl spider class takes: the named parameters of the
    ``__init__`` of each class it is built from (up to scrapy.Spider), and EXTRA_ARGS."""
    names = set(EXTRA_ARGS)
    for klass in cls.__mro__:
        if klass is scrapy.Spider:
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        names |= {p.name for p in params if p.name != "self"
                  and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names


def check_spider_args(cls: type, leftover: dict[str, Any]) -> None:
    """Refuse ``-a`` names no spider in ``cls`` reads (a misspelt ``max_page`` would be
    ignored silently otherwise); names starting with "_" (Scrapyd's ``_job``) pass."""
    unknown = sorted(k for k in leftover if not k.startswith("_") and k not in EXTRA_ARGS)
    if not unknown:
        return
    known = sorted(known_spider_args(cls))
    name = unknown[0]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean -a {close[0]}? " if close else ""
    spider = getattr(cls, "name", cls.__name__)
    raise ConfigError(f"unknown spider argument -a {name} for spider {spider!r}: {hint}"
                      f"known: {', '.join(known)}")


def int_arg(name: str, value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"-a {name} must be a whole number, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"-a {name} must be >= 0, got {number}")
    return number
