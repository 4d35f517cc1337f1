"""`scrapy crawl wires` over a wire with a newsroom, an Atom feed and a news sitemap index.

With ``since=2024-01-01`` releases dated earlier must not be recorded, and those whose date
is known before fetching (feed, news sitemap, URL) must not even be fetched. Expectations
were written by hand from tests/web/policy/prwire.test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import CrawlResult, scrapy_crawl
from tests.policyweb import TARGETS, PolicyWeb, backlinks, page_urls, run_stats

W = "http://prwire.test"
EXPECTED_BACKLINKS = {
    # linked from the newsroom and listed in the Atom feed: body + About boilerplate
    (f"{W}/news/2024/05/acme-expands.html", "http://acme-widgets.test/locations/",
     "new Hamburg plant"),
    (f"{W}/news/2024/05/acme-expands.html", "http://acme-widgets.test/", "acme-widgets.test"),
    # newsroom page 2
    (f"{W}/news/2024/02/rival-partnership.html", "http://rival-gadgets.test/partners/",
     "partnership programme"),
    (f"{W}/news/2024/02/rival-partnership.html", "http://www.rival-gadgets.test/",
     "www.rival-gadgets.test"),
    # only in the news sitemap (robots.txt -> sitemap index -> news sitemap)
    (f"{W}/story/acme-award", "http://acme-widgets.test/awards/2024/", "Design Award 2024"),
    (f"{W}/story/acme-award", "http://acme-widgets.test/", "Acme Widgets"),
    # only in the Atom feed (announced by <link rel=alternate> on the home page)
    (f"{W}/story/acme-webinar", "http://acme-widgets.test/webinar/", "register for the webinar"),
    (f"{W}/story/acme-webinar", "http://acme-widgets.test/", "acme-widgets.test"),
}
NEVER_FETCHED = [
    "/news/2023/11/rival-old-news.html",  # URL month before since
    "/story/rival-recall",  # news sitemap date before since
    "/story/old-atom-entry",  # Atom date before since
    "/subscribe/", "/login/", "/contact.html",
]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PolicyWeb, CrawlResult]]:
    tmp = tmp_path_factory.mktemp("wires")
    with PolicyWeb(tmp / "generated") as web:
        result = scrapy_crawl(
            "wires",
            store_uri=f"sqlite:///{tmp / 'wires.db'}",
            proxy=web.proxy_url,
            args={"seeds": f"{W}/", "targets": TARGETS, "since": "2024-01-01"},
        ).check()
        yield web, result


def test_finds_exactly_the_release_links_since_the_date(crawl) -> None:
    _, result = crawl
    assert backlinks(result.store_uri) == EXPECTED_BACKLINKS


@pytest.mark.parametrize("path", NEVER_FETCHED)
def test_old_or_useless_pages_are_not_fetched(crawl, path: str) -> None:
    web, _ = crawl
    assert path not in web.paths("prwire.test")


def test_release_dated_only_in_its_page_is_fetched_but_not_recorded(crawl) -> None:
    web, result = crawl
    assert web.paths("prwire.test").count("/release/rival-factory-tour") == 1
    assert f"{W}/release/rival-factory-tour" not in page_urls(result.store_uri)


def test_feeds_and_sitemaps_were_read(crawl) -> None:
    web, result = crawl
    paths = web.paths("prwire.test")
    for path in ("/sitemap_index.xml", "/news-sitemap.xml", "/pages-sitemap.xml",
                 "/feeds/atom.xml"):
        assert paths.count(path) == 1, path
    stats = run_stats(result.store_uri)
    assert stats["linkcrawl/feeds/sitemapindex"] == 1
    assert stats["linkcrawl/feeds/news"] == 1
    assert stats["linkcrawl/feeds/atom"] == 1
    assert stats["linkcrawl/wires/skipped_old"] >= 4
    assert stats["linkcrawl/link_type/press_release"] == len(EXPECTED_BACKLINKS)


def test_bad_since_is_one_line_error(tmp_path) -> None:
    result = scrapy_crawl(
        "wires", store_uri=f"sqlite:///{tmp_path / 'x.db'}", proxy=None,
        args={"seeds": f"{W}/", "targets": TARGETS, "since": "last week"},
    )
    assert result.returncode != 0
    assert "-a since must be a date like 2024-01-31, got 'last week'" in result.stderr
    assert "Traceback" not in result.stderr
