"""`scrapy crawl forums` over five forums: vBulletin, XenForo, Discourse, Invision, generic.

Expected backlinks and requested URLs were written by hand from tests/web/policy/*.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CrawlResult, scrapy_crawl
from tests.policyweb import TARGETS, PolicyWeb, backlinks, run_stats

SEEDS = ["http://vbforum.test/", "http://xfforum.test/", "http://discourse.test/",
         "http://ipsforum.test/", "http://smallboard.test/"]

EXPECTED_BACKLINKS = {
    # vBulletin: post text, signature (utm_* removed), second page of the thread
    ("http://vbforum.test/showthread.php?t=10", "http://acme-widgets.test/products/whisper/",
     "Acme Whisper"),
    ("http://vbforum.test/showthread.php?t=10", "http://rival-gadgets.test/",
     "Rival Gadgets outlet"),
    ("http://vbforum.test/showthread.php?t=10&page=2", "http://www.acme-widgets.test/shop/",
     "their shop"),
    # XenForo: post, signature on page 2, a thread found on the board's page 2
    ("http://xfforum.test/threads/lathe-help.7/", "http://acme-widgets.test/mounts/",
     "damped widget mount"),
    ("http://xfforum.test/threads/lathe-help.7/page-2", "http://rival-gadgets.test/",
     "rival-gadgets.test"),
    ("http://xfforum.test/threads/gadget-swap.3/", "http://rival-gadgets.test/gizmo-one/",
     "Gizmo One"),
    # Discourse (crawler view): topic and its ?page=2
    ("http://discourse.test/t/best-widget-oil/42", "https://acme-widgets.test/oil/",
     "widget oil"),
    ("http://discourse.test/t/best-widget-oil/42?page=2", "http://rival-gadgets.test/care/",
     "Rival Gadgets"),
    # Invision: post, signature on page 2
    ("http://ipsforum.test/topic/15-widget-recommendations/",
     "http://acme-widgets.test/starter-kit/", "the Acme starter kit"),
    ("http://ipsforum.test/topic/15-widget-recommendations/page/2/",
     "http://rival-gadgets.test/dmitri/", "Dmitri builds gadgets"),
    # generic engine
    ("http://smallboard.test/topics/widget-maintenance.html",
     "http://acme-widgets.test/maintenance/", "Acme's guide"),
}

# Everything each forum should be asked for (login, profile, search, reply, print, report,
# post permalinks and sort/session variants must not appear).
EXPECTED_REQUESTS = {
    "vbforum.test": {"/", "/forumdisplay.php?f=2", "/showthread.php?t=10",
                     "/showthread.php?t=10&page=2"},
    "xfforum.test": {"/", "/forums/workshop.2/", "/forums/workshop.2/page-2",
                     "/threads/lathe-help.7/", "/threads/lathe-help.7/page-2",
                     "/threads/gadget-swap.3/"},
    "discourse.test": {"/", "/c/tools/5", "/t/best-widget-oil/42",
                       "/t/best-widget-oil/42?page=2"},
    "ipsforum.test": {"/", "/forum/3-general/", "/topic/15-widget-recommendations/",
                      "/topic/15-widget-recommendations/page/2/"},
    # /boards/private/ is disallowed by the board's robots.txt
    "smallboard.test": {"/", "/boards/general.html", "/topics/widget-maintenance.html"},
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PolicyWeb, CrawlResult]]:
    tmp = tmp_path_factory.mktemp("forums")
    with PolicyWeb(tmp / "generated") as web:
        result = scrapy_crawl(
            "forums",
            store_uri=f"sqlite:///{tmp / 'forums.db'}",
            proxy=web.proxy_url,
            args={"seeds": ",".join(SEEDS), "targets": TARGETS},
        ).check()
        yield web, result


def test_finds_exactly_the_post_and_signature_links(crawl) -> None:
    _, result = crawl
    assert backlinks(result.store_uri) == EXPECTED_BACKLINKS


@pytest.mark.parametrize("host", sorted(EXPECTED_REQUESTS))
def test_walks_boards_threads_and_pages_only(crawl, host: str) -> None:
    web, _ = crawl
    paths = web.paths(host)
    assert set(paths) == EXPECTED_REQUESTS[host]
    assert len(paths) == len(set(paths)), "a page was fetched twice"


def test_forum_links_are_typed_forum_and_no_browser_started(crawl) -> None:
    _, result = crawl
    stats = run_stats(result.store_uri)
    assert stats["linkcrawl/link_type/forum"] == len(EXPECTED_BACKLINKS)
    assert stats["linkcrawl/forums/skipped"] > 0
    assert not any(str(k).startswith(("playwright/", "linkcrawl/browser/")) for k in stats)


def test_robots_txt_is_obeyed_by_default(crawl) -> None:
    _, result = crawl
    assert run_stats(result.store_uri)["robotstxt/forbidden"] == 1


@pytest.mark.parametrize(
    ("name", "urls"),
    [
        ("forums", ["http://makersforum.test/"]),
        ("directories", ["http://bizdirectory.test/"]),
        ("wires", ["http://newswire.test/", "http://newswire.test/feed.xml"]),
        ("sites", ["http://widgetweekly.test/", "http://makerfaire-berlin.test/"]),
    ],
)
def test_demo_seed_files_parse(name: str, urls: list[str]) -> None:
    from linkcrawl.navigate.seeds import load_seeds

    path = Path(__file__).parent.parent.parent / "data" / "seeds" / f"{name}.txt"
    assert [s.url for s in load_seeds(None, str(path))] == urls
