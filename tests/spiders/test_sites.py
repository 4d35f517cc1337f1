"""`scrapy crawl sites` against crawler traps: session ids, sort variants, a redirect loop,
an endless calendar, endless filter parameters, endless pagination and a huge URL.

Every trap must stay bounded by the trap settings (depth and page budget are set far
above, so they are not what stops the crawl). Expectations were written by hand from
tests/web/policy/traps.test and tests/policyweb.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkcrawl.store import open_store
from tests.conftest import CrawlResult, scrapy_crawl
from tests.policyweb import TARGETS, TRAP_HOST, PolicyWeb, backlinks, page_urls, run_stats
from tests.spiders.test_wires import EXPECTED_BACKLINKS as WIRES_SINCE_2024

T = f"http://{TRAP_HOST}"
CALENDAR_PAGES = 6
PAGE_NUMBER = 10
QUERY_PARAMS = 12
EXPECTED_BACKLINKS = {
    (f"{T}/", "http://acme-widgets.test/", "Acme Widgets"),
    (f"{T}/products.html", "http://rival-gadgets.test/products/", "Rival Gadgets products"),
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PolicyWeb, CrawlResult]]:
    tmp = tmp_path_factory.mktemp("traps")
    with PolicyWeb(tmp / "generated") as web:
        result = scrapy_crawl(
            "sites",
            store_uri=f"sqlite:///{tmp / 'traps.db'}",
            proxy=web.proxy_url,
            args={"seeds": f"{T}/", "targets": TARGETS, "max_depth": "1000"},
            settings={
                "LINKCRAWL_MAX_CALENDAR_PAGES": CALENDAR_PAGES,
                "LINKCRAWL_MAX_PAGE_NUMBER": PAGE_NUMBER,
                "LINKCRAWL_MAX_QUERY_PARAMS": QUERY_PARAMS,
                "LINKCRAWL_MAX_PAGES_PER_SITE": 10_000,
            },
        ).check()
        yield web, result


def test_finds_exactly_the_two_backlinks(crawl) -> None:
    _, result = crawl
    assert backlinks(result.store_uri) == EXPECTED_BACKLINKS


def test_session_ids_and_sort_variants_fetch_one_page(crawl) -> None:
    web, _ = crawl
    products = [p for p in web.paths(TRAP_HOST) if p.startswith("/products.html")]
    # the ?ref= variant is fetched (nothing in its URL says it is a variant) ...
    assert products == ["/products.html", "/products.html?ref=self"]


def test_canonical_duplicate_is_not_recorded(crawl) -> None:
    _, result = crawl
    # ... but its canonical URL was crawled already, so it is neither stored nor followed
    assert f"{T}/products.html?ref=self" not in page_urls(result.store_uri)
    assert run_stats(result.store_uri)["linkcrawl/trap/duplicate_canonical"] == 1


def test_calendar_stops_at_its_budget(crawl) -> None:
    web, result = crawl
    calendar = [p for p in web.paths(TRAP_HOST) if p.startswith("/calendar/")]
    assert len(calendar) == CALENDAR_PAGES
    assert run_stats(result.store_uri)["linkcrawl/trap/calendar_budget"] >= 1


def test_endless_pagination_stops_at_the_page_number_cap(crawl) -> None:
    web, _ = crawl
    archive = sorted(p for p in web.paths(TRAP_HOST) if p.startswith("/archive/"))
    assert archive == sorted(f"/archive/page/{n}/" for n in range(1, PAGE_NUMBER + 1))


def test_endless_parameters_stop_at_the_parameter_cap(crawl) -> None:
    web, result = crawl
    catalog = [p for p in web.paths(TRAP_HOST) if p.startswith("/catalog/")]
    counts = sorted(len(p.split("?", 1)[1].split("&")) for p in catalog)
    assert counts == list(range(1, QUERY_PARAMS + 1))
    assert run_stats(result.store_uri)["linkcrawl/trap/too_many_params"] == 1


def test_redirect_loop_and_long_url_are_bounded(crawl) -> None:
    web, result = crawl
    paths = web.paths(TRAP_HOST)
    assert 1 <= paths.count("/loop-a.html") + paths.count("/loop-b.html") <= 6
    assert not [p for p in paths if p.startswith("/search-results.html")]
    stats = run_stats(result.store_uri)
    assert stats["linkcrawl/trap/url_too_long"] == 1
    with open_store(result.store_uri) as store:
        assert [r["finish_reason"] for r in store.find("runs")] == ["finished"]


def test_whole_crawl_is_bounded(crawl) -> None:
    web, _ = crawl
    # /, /sitemap.xml, products and its ?ref= variant, two loop pages, the three capped traps
    assert len(web.paths(TRAP_HOST)) <= 6 + CALENDAR_PAGES + PAGE_NUMBER + QUERY_PARAMS


# --- sitemaps and feeds: pages no link leads to --------------------------------------------
W = "http://prwire.test"
# Every release on the wire: what `wires` keeps with since=2024-01-01 (the same pages
# through the same newsroom, robots.txt sitemaps and Atom feed), plus the older releases.
ALL_RELEASE_BACKLINKS = WIRES_SINCE_2024 | {
    (f"{W}/news/2023/11/rival-old-news.html", "http://rival-gadgets.test/investors/", "revenue"),
    (f"{W}/news/2023/11/rival-old-news.html", "http://rival-gadgets.test/", "Rival Gadgets"),
    (f"{W}/release/rival-factory-tour", "http://rival-gadgets.test/tours/", "factory tour"),
    (f"{W}/release/rival-factory-tour", "http://rival-gadgets.test/", "Rival Gadgets"),
    # reachable only through robots.txt -> sitemap index -> news sitemap
    (f"{W}/story/rival-recall", "http://rival-gadgets.test/recall/",
     "check their serial number"),
    (f"{W}/story/rival-recall", "http://rival-gadgets.test/", "Rival Gadgets"),
    # reachable only through the Atom feed the home page announces
    (f"{W}/story/old-atom-entry", "http://acme-widgets.test/fair-2022/", "booth 12"),
    (f"{W}/story/old-atom-entry", "http://acme-widgets.test/", "Acme Widgets"),
}


def test_sites_spider_reaches_pages_through_sitemaps_and_feeds(tmp_path) -> None:
    with PolicyWeb(tmp_path / "generated") as web:
        result = scrapy_crawl(
            "sites",
            store_uri=f"sqlite:///{tmp_path / 'sites.db'}",
            proxy=web.proxy_url,
            args={"seeds": f"{W}/", "targets": TARGETS},
        ).check()
    assert backlinks(result.store_uri) == ALL_RELEASE_BACKLINKS
