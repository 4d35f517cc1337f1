"""Recheck end to end: crawl a small web, change it on disk, ``scrapy crawl recheck``,
and check each stored backlink's verdict against the change made to its page.

The web is ``tests/web/recheck`` (one page per lost reason). Expected reasons are written
by hand from the change made; nothing is derived from linkcrawl's output.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.localweb import LocalWeb, Resolved
from linkcrawl.store import open_store
from tests.conftest import scrapy_crawl

WEB = Path(__file__).resolve().parent / "web" / "recheck"
TARGET = "shopbrand.test"
SEEDED = [
    "stays", "removed", "gone404", "gone410", "moves", "relocated", "noindex", "nofollow",
    "ugc", "sponsored", "comeback", "private/secret",
]
OUR_FRAME = re.compile(r'File "[^"]*/(linkcrawl|pipelines|spiders)/[^"]*", line')
SOURCES = [f"http://blog.test/{name}.html" for name in SEEDED] + ["http://gone.test/"]


class UnreachableWeb(LocalWeb):
    """Like a proxy that cannot connect: a host without a site folder gets no answer."""

    def resolve(self, host: str, target: str) -> Resolved:
        if not (self.root / host.lower()).is_dir():
            raise ConnectionAbortedError(f"no route to {host}")
        return super().resolve(host, target)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def mutate(root: Path) -> None:
    """One change per page; the comment says which lost reason it must produce."""
    blog = root / "blog.test"
    # link_removed
    _edit(blog / "removed.html", '<a href="http://shopbrand.test/widgets">widget guide</a>',
          "widget guide")
    _edit(blog / "comeback.html", '<a href="http://shopbrand.test/i">ShopBrand</a>', "ShopBrand")
    # page_gone (404 by deleting the file, 410 by the site config)
    (blog / "gone404.html").unlink()
    (blog / "_site.json").write_text(json.dumps({
        "status": {"/gone410.html": 410},
        # redirected (to another site) and moved (to a page of the same site with the link)
        "redirects": {"/moves.html": ["http://other.test/", 301],
                      "/relocated.html": ["/new-home.html", 301]},
    }))
    # noindex
    _edit(blog / "noindex.html", '<meta charset="utf-8">',
          '<meta charset="utf-8"><meta name="robots" content="noindex">')
    # nofollow / ugc / sponsored
    for name, rel in (("nofollow", "nofollow"), ("ugc", "ugc"), ("sponsored", "sponsored")):
        _edit(blog / f"{name}.html", '<a href=', f'<a rel="{rel}" href=')
    # robots_blocked
    (blog / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    # host_unreachable
    shutil.rmtree(root / "gone.test")
    # still live, but the link moved from the article into the footer (a change record)
    _edit(blog / "stays.html", '<p>Still a fan of <a href="http://shopbrand.test/">ShopBrand</a>.</p>',
          "<p>Still a fan.</p>")
    _edit(blog / "stays.html", "</article>",
          '</article><footer class="site-footer"><a href="http://shopbrand.test/">ShopBrand</a>'
          "</footer>")


EXPECTED = {
    "http://blog.test/stays.html": ("live", None),
    "http://blog.test/removed.html": ("lost", "link_removed"),
    "http://blog.test/comeback.html": ("lost", "link_removed"),
    "http://blog.test/gone404.html": ("lost", "page_gone"),
    "http://blog.test/gone410.html": ("lost", "page_gone"),
    "http://blog.test/moves.html": ("lost", "redirected"),
    "http://blog.test/relocated.html": ("lost", "moved"),
    "http://blog.test/noindex.html": ("lost", "noindex"),
    "http://blog.test/nofollow.html": ("lost", "nofollow"),
    "http://blog.test/ugc.html": ("lost", "nofollow"),
    "http://blog.test/sponsored.html": ("lost", "nofollow"),
    "http://blog.test/private/secret.html": ("lost", "robots_blocked"),
    "http://gone.test/": ("lost", "host_unreachable"),
}


def recheck(root: Path, uri: str, **args: str) -> str:
    with UnreachableWeb(root) as web:
        result = scrapy_crawl("recheck", store_uri=uri, proxy=web.proxy_url, args=args)
    assert result.returncode == 0, result.stderr[-4000:]
    # Scrapy's robots.txt middleware logs a traceback for an unreachable host; none of
    # linkcrawl's own code may appear in one.
    assert not OUR_FRAME.search(result.stderr), result.stderr[-4000:]
    return result.stderr


def by_source(uri: str) -> dict[str, dict[str, Any]]:
    with open_store(uri) as store:
        docs = store.find("backlinks")
    return {d["source_url"]: d for d in docs}


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict]]:
    root = tmp_path_factory.mktemp("recheck") / "web"
    shutil.copytree(WEB, root)
    uri = f"sqlite:///{root.parent / 'links.db'}"
    with LocalWeb(root) as web:
        scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                     args={"seeds": ",".join(SOURCES), "targets": TARGET, "max_depth": "0"}).check()
    before = by_source(uri)
    mutate(root)
    recheck(root, uri)
    yield root, uri, before


def test_initial_crawl_found_one_live_followed_link_per_page(rechecked) -> None:
    _, _, before = rechecked
    assert sorted(before) == sorted(EXPECTED)
    assert all(d["status"] == "live" and d["follow"] for d in before.values())


@pytest.mark.parametrize(("source", "expected"), sorted(EXPECTED.items()))
def test_each_link_gets_its_exact_verdict(rechecked, source: str, expected: tuple) -> None:
    _, uri, _ = rechecked
    doc = by_source(uri)[source]
    assert (doc["status"], doc["lost_reason"]) == expected
    assert doc["checked_at"] is not None
    if expected[0] == "lost":
        assert doc["lost_at"] is not None
        assert doc["history"][-1]["event"] == "lost"
        assert doc["history"][-1]["reason"] == expected[1]


@pytest.mark.parametrize(("source", "detail"), [
    ("http://blog.test/gone404.html", "http 404"),
    ("http://blog.test/gone410.html", "http 410"),
    ("http://blog.test/ugc.html", "rel:ugc"),
    ("http://blog.test/sponsored.html", "rel:sponsored"),
    ("http://blog.test/moves.html", "to http://other.test/"),
])
def test_lost_details_name_what_was_seen(rechecked, source: str, detail: str) -> None:
    _, uri, _ = rechecked
    assert by_source(uri)[source]["history"][-1]["detail"] == detail


def test_a_live_link_records_its_location_change(rechecked) -> None:
    _, uri, _ = rechecked
    doc = by_source(uri)["http://blog.test/stays.html"]
    assert doc["location"] == "footer"
    change = [h for h in doc["history"] if h["event"] == "changed"]
    assert ("location", "content", "footer") in [(c["field"], c["old"], c["new"]) for c in change]
    assert "rel" not in {c["field"] for c in change}


def test_a_link_moved_by_a_redirect_keeps_its_first_seen(rechecked) -> None:
    _, uri, before = rechecked
    now = by_source(uri)
    moved = now["http://blog.test/new-home.html"]
    assert moved["status"] == "live"
    assert moved["first_seen"] == before["http://blog.test/relocated.html"]["first_seen"]
    assert moved["moved_from"] == "http://blog.test/relocated.html"


def test_referring_domains_follow_the_verdicts(rechecked) -> None:
    _, uri, _ = rechecked
    with open_store(uri) as store:
        rows = {r["referring_domain"]: r for r in store.find("referring_domains")}
    assert rows["gone.test"]["status"] == "lost"
    # blog.test: stays (live, followed) and new-home (live, followed) remain
    assert rows["blog.test"]["live_backlinks"] == 2
    assert rows["blog.test"]["followed_backlinks"] == 2


def test_a_lost_link_that_reappears_is_live_again_with_its_history(rechecked) -> None:
    root, uri, before = rechecked
    page = root / "blog.test" / "comeback.html"
    shutil.copy(WEB / "blog.test" / "comeback.html", page)
    lost_before = by_source(uri)
    recheck(root, uri, status="lost")
    after = by_source(uri)
    doc = after["http://blog.test/comeback.html"]
    assert (doc["status"], doc["lost_reason"], doc["lost_at"]) == ("live", None, None)
    assert [h["event"] for h in doc["history"]] == ["lost", "live"]
    assert doc["first_seen"] == before["http://blog.test/comeback.html"]["first_seen"]
    # links still lost keep the time they were first found lost, and one history entry
    gone = after["http://blog.test/gone410.html"]
    assert gone["lost_at"] == lost_before["http://blog.test/gone410.html"]["lost_at"]
    assert [h["event"] for h in gone["history"]] == ["lost"]
    # the live link was not rechecked (status=lost): its checked_at did not move
    stays = "http://blog.test/stays.html"
    assert after[stays]["checked_at"] == lost_before[stays]["checked_at"]
