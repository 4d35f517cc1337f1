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

from linkcrawl.history.recheck import Fetch, Verdict, diff_page, moved_within_site, verdict_fields
from linkcrawl.ops.localweb import LocalWeb, Resolved
from linkcrawl.store import open_store
from tests.conftest import scrapy_crawl

WEB = Path(__file__).resolve().parents[1] / "fixtures" / "webs" / "recheck"
TARGET = "shopbrand.test"
SEEDED = [
    "stays", "removed", "gone404", "gone410", "moves", "relocated", "noindex", "nofollow",
    "ugc", "sponsored", "comeback", "private/secret", "shifted",
]
OUR_FRAME = re.compile(r'File "[^"]*/(linkcrawl|pipelines|spiders)/[^"]*", line')
SOURCES = [f"http://blog.test/{name}.html" for name in SEEDED] + ["http://gone.test/"]


class UnreachableWeb(LocalWeb):
    """Like a proxy that cannot connect: a host without a site folder gets no answer.
    Paths in ``flaky`` answer 404 to their first request (a hiccup, then fine)."""

    flaky: frozenset[tuple[str, str]] = frozenset({("blog.test", "/stays.html")})

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.failed: set[tuple[str, str]] = set()

    def resolve(self, host: str, target: str) -> Resolved:
        if not (self.root / host.lower()).is_dir():
            raise ConnectionAbortedError(f"no route to {host}")
        if (host, target) in self.flaky and (host, target) not in self.failed:
            self.failed.add((host, target))
            return Resolved(404)
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
    # moved: the link leaves shifted.html and shows up on moved-here.html (crawled below)
    _edit(blog / "shifted.html", '<a href="http://shopbrand.test/m">ShopBrand tools</a>',
          "ShopBrand tools")
    _edit(blog / "moved-here.html", "Tools we use.",
          'Tools we use: <a href="http://shopbrand.test/m">ShopBrand tools</a>.')
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
    "http://blog.test/shifted.html": ("lost", "moved"),
    "http://blog.test/noindex.html": ("lost", "noindex"),
    "http://blog.test/nofollow.html": ("lost", "nofollow"),
    "http://blog.test/ugc.html": ("lost", "nofollow"),
    "http://blog.test/sponsored.html": ("lost", "nofollow"),
    "http://blog.test/private/secret.html": ("lost", "robots_blocked"),
}
# A host that does not answer is an outage, not a removal: its link and page stay as stored.
UNREACHABLE_SOURCE = "http://gone.test/"


VERIFY = {"LINKCRAWL_RECHECK_VERIFY_DELAY": 0.2}


def recheck(root: Path, uri: str, **args: str) -> str:
    with UnreachableWeb(root) as web:
        result = scrapy_crawl("recheck", store_uri=uri, proxy=web.proxy_url, args=args,
                              settings=VERIFY)
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
    with LocalWeb(root) as web:  # a later crawl finds the link on its new page
        scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                     args={"seeds": "http://blog.test/moved-here.html", "targets": TARGET,
                           "max_depth": "0"}).check()
    recheck(root, uri)
    yield root, uri, before


def test_initial_crawl_found_one_live_followed_link_per_page(rechecked) -> None:
    _, _, before = rechecked
    assert sorted(before) == sorted([*EXPECTED, UNREACHABLE_SOURCE])
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


def test_an_unreachable_host_changes_nothing_stored(rechecked) -> None:
    _, uri, before = rechecked
    doc = by_source(uri)[UNREACHABLE_SOURCE]
    old = before[UNREACHABLE_SOURCE]
    assert (doc["status"], doc["lost_reason"]) == ("live", None)
    assert doc["checked_at"] == old["checked_at"]
    assert doc["history"] == old["history"]
    with open_store(uri) as store:
        (page,) = store.find("pages", {"url": UNREACHABLE_SOURCE})
        run = store.find("runs", {"spider": "recheck"})[0]
    assert page["status"] == 200 and page["title"]
    assert run["stats"]["recheck/unreachable"] == 1


@pytest.mark.parametrize(("source", "status", "error"), [
    ("http://blog.test/gone404.html", 404, "http 404"),
    ("http://blog.test/gone410.html", 410, "http 410"),
    ("http://blog.test/private/secret.html", 200, "robots"),
])
def test_an_error_answer_records_the_error_and_keeps_what_the_page_was(
    rechecked, source: str, status: int, error: str
) -> None:
    _, uri, _ = rechecked
    with open_store(uri) as store:
        (page,) = store.find("pages", {"url": source})
    assert page["status"] == status  # robots.txt: no answer now, the last real status stays
    assert error in page["error"]
    assert page["title"], "the title the page had is kept"


@pytest.mark.parametrize(("source", "detail"), [
    ("http://blog.test/gone404.html", "http 404"),
    ("http://blog.test/gone410.html", "http 410"),
    ("http://blog.test/ugc.html", "rel:ugc"),
    ("http://blog.test/sponsored.html", "rel:sponsored"),
    ("http://blog.test/moves.html", "to http://other.test/"),
    ("http://blog.test/shifted.html", "to http://blog.test/moved-here.html"),
    ("http://blog.test/relocated.html", "to http://blog.test/new-home.html"),
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
    assert rows["gone.test"]["status"] == "live"  # an outage loses nothing
    # blog.test: stays, new-home and moved-here remain live and followed
    assert rows["blog.test"]["live_backlinks"] == 3
    assert rows["blog.test"]["followed_backlinks"] == 3


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


def test_every_suspected_loss_was_fetched_twice_and_a_hiccup_is_not_a_loss(rechecked) -> None:
    _, uri, _ = rechecked
    with open_store(uri) as store:
        run = store.find("runs", {"spider": "recheck"}, sort=[("started_at", 1)])[0]
    # 12 pages that really lost their link, and stays.html whose first answer was a 404
    # (the unreachable host is not a suspected loss: nothing is recorded for it)
    assert run["stats"]["recheck/verify_refetch"] == 13
    assert by_source(uri)["http://blog.test/stays.html"]["status"] == "live"


# --- the pure verdicts ------------------------------------------------------------------
OLD = [{"key": "k1", "target_url": "http://t.test/", "anchor_text": "T", "follow": True,
        "status": "live", "location": "content", "rel": []}]


@pytest.mark.parametrize(("fetch", "expected"), [
    (Fetch("http://s.test/p", "http://s.test/p", 200, links=[{**OLD[0], "key": "k1"}]),
     ("live", "")),
    (Fetch("http://s.test/p", "http://s.test/p", 200), ("lost", "link_removed")),
    (Fetch("http://s.test/p", "", 0, error="http 410"), ("lost", "page_gone")),
    (Fetch("http://s.test/p", "", 0, error="http 403"), ("lost", "http_error")),
    (Fetch("http://s.test/p", "", 0, error="DownloadTimeoutError: took too long"),
     ("unreachable", "host_unreachable")),
    (Fetch("http://s.test/p", "", 0, error="CannotResolveHostError: no such host"),
     ("unreachable", "host_unreachable")),
    (Fetch("http://s.test/p", "", 0, error="blocked by robots.txt"), ("lost", "robots_blocked")),
    (Fetch("http://s.test/p", "http://s.test/p", 200, noindex=True,
           links=[{**OLD[0], "key": "k1"}]), ("lost", "noindex")),
    (Fetch("http://s.test/p", "http://s.test/p", 200,
           links=[{**OLD[0], "follow": False, "rel": ["sponsored"]}]), ("lost", "nofollow")),
    (Fetch("http://s.test/p", "http://s.test/q", 200, links=[{**OLD[0], "key": "k2"}]),
     ("lost", "moved")),
    (Fetch("http://s.test/p", "http://x.test/", 200, same_site=False,
           links=[{**OLD[0], "key": "k2"}]), ("lost", "redirected")),
])
def test_diff_page_verdicts(fetch: Fetch, expected: tuple[str, str]) -> None:
    (verdict,) = diff_page(OLD, fetch)
    assert (verdict.status, verdict.reason) == expected


def test_a_link_lost_for_nofollow_stays_lost_while_still_nofollow() -> None:
    old = [{**OLD[0], "follow": False, "status": "lost", "lost_reason": "nofollow"}]
    fetch = Fetch("http://s.test/p", "http://s.test/p", 200,
                  links=[{**OLD[0], "follow": False, "rel": ["nofollow"]}])
    assert diff_page(old, fetch)[0].reason == "nofollow"
    # a link that was nofollow all along is not a loss
    never = [{**OLD[0], "follow": False}]
    assert diff_page(never, fetch)[0].status == "live"


def test_a_removed_link_found_later_on_another_page_of_the_site_moved() -> None:
    from datetime import UTC, datetime

    t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    old = {**OLD[0], "source_url": "http://s.test/p", "source_domain": "s.test",
           "first_seen": t1}
    removed = Verdict("k1", "lost", "link_removed")
    elsewhere = {**old, "key": "k9", "source_url": "http://s.test/q"}
    assert moved_within_site(removed, old, [elsewhere]).reason == "link_removed"  # not later
    later = {**elsewhere, "first_seen": datetime(2026, 3, 1, tzinfo=UTC)}
    moved = moved_within_site(removed, old, [later])
    assert (moved.reason, moved.detail) == ("moved", "to http://s.test/q")
    other_site = {**later, "source_domain": "x.test"}
    assert moved_within_site(removed, old, [other_site]).reason == "link_removed"
    assert moved_within_site(removed, {**old, "first_seen": t0}, [{**later, "status": "lost"}]
                             ).reason == "link_removed"


def test_verdict_fields_keep_lost_at_and_append_history_once() -> None:
    from datetime import UTC, datetime

    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 8, tzinfo=UTC)
    lost = Verdict("k1", "lost", "page_gone", "http 404")
    first = verdict_fields(OLD[0], lost, t1)
    assert (first["status"], first["lost_at"], len(first["history"])) == ("lost", t1, 1)
    again = verdict_fields({**OLD[0], **first}, lost, t2)
    assert (again["lost_at"], len(again["history"]), again["checked_at"]) == (t1, 1, t2)
    back = verdict_fields({**OLD[0], **again}, Verdict("k1", "live"), t2)
    assert (back["status"], back["lost_at"], back["history"][-1]["event"]) == ("live", None, "live")
    assert back["restored_at"] == t2  # a lost link found live again is restored, and when
    assert "restored_at" not in first and "restored_at" not in again


@pytest.mark.parametrize("arg", ["target", "targets"])
def test_recheck_is_narrowed_by_target_or_targets(rechecked, arg: str) -> None:
    """Both spellings narrow the recheck (the schedule example uses ``targets``)."""
    root, uri, _ = rechecked
    stderr = recheck(root, uri, **{arg: "nobody-links-here.test"})
    assert "recheck: 0 backlinks on 0 source pages" in stderr
