"""Edited links, stale mentions and placements on the local web: crawl ``tests/web/edits``,
edit its pages on disk, then crawl again or recheck, and check what the store says.

Edits (one per page, written by hand): an anchor text edited, a target URL edited, a link
removed while another link to another URL appears in the footer, a mention removed, a
mention turned into a link, and a footer link dropped from one of three pages.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from tests.conftest import linkcrawl_cli, scrapy_crawl

WEB = Path(__file__).resolve().parents[1] / "fixtures" / "webs" / "edits"
TARGET = "shopbrand.test"
BLOG = "http://blog.test"
PAGES = ["anchor", "target", "removed", "mention", "mention-linked",
         "footer1", "footer2", "footer3"]
SEEDS = ",".join(f"{BLOG}/{p}.html" for p in PAGES)
NO_VERIFY = {"LINKCRAWL_RECHECK_VERIFY_DELAY": 0}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_pages(root: Path) -> None:
    blog = root / "blog.test"
    _edit(blog / "anchor.html", ">widget guide</a>", ">ShopBrand widget guide</a>")
    _edit(blog / "target.html", "http://shopbrand.test/old-shop", "http://shopbrand.test/shop")
    _edit(blog / "removed.html", '<a href="http://shopbrand.test/tools">tool list</a>',
          "tool list")
    _edit(blog / "removed.html", "<p>Thanks for reading.</p>",
          '<a href="http://shopbrand.test/contact">Contact the makers</a>')
    _edit(blog / "mention.html", "I really like ShopBrand for", "I really like these")
    _edit(blog / "mention-linked.html", "<p>ShopBrand makes",
          '<p><a href="http://shopbrand.test/clamps">ShopBrand</a> makes')
    _edit(blog / "footer3.html", '<a href="http://shopbrand.test/">ShopBrand</a>', "")


def crawl(root: Path, uri: str, workers: int = 0) -> None:
    with LocalWeb(root) as web:
        scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                     args={"seeds": SEEDS, "targets": TARGET, "max_depth": "0"},
                     settings={"LINKCRAWL_ANALYSIS_WORKERS": workers}).check()


def recheck(root: Path, uri: str) -> None:
    with LocalWeb(root) as web:
        scrapy_crawl("recheck", store_uri=uri, proxy=web.proxy_url,
                     settings=NO_VERIFY).check()


def links(uri: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(page name, anchor text) -> backlink."""
    with open_store(uri) as store:
        docs = store.find("backlinks")
    return {(d["source_url"].rsplit("/", 1)[1].removesuffix(".html"), d["anchor_text"]): d
            for d in docs}


def find(uri: str, collection: str, **where: Any) -> list[dict[str, Any]]:
    with open_store(uri) as store:
        return store.find(collection, where)


def start(tmp: Path) -> tuple[Path, str, dict]:
    root = tmp / "web"
    shutil.copytree(WEB, root)
    uri = f"sqlite:///{tmp / 'links.db'}"
    crawl(root, uri)
    before = links(uri)
    edit_pages(root)
    return root, uri, before


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict]]:
    root, uri, before = start(tmp_path_factory.mktemp("recrawl"))
    crawl(root, uri, workers=1)  # the re-crawl analyses in a worker: edits and gone mentions
    yield root, uri, before      # must come out as they do in the crawl process


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict]]:
    root, uri, before = start(tmp_path_factory.mktemp("recheck"))
    recheck(root, uri)
    yield root, uri, before


def changed(doc: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [(h["field"], h["old"], h["new"]) for h in doc["history"] if h["event"] == "changed"]


def test_the_first_crawl_saw_each_link_once(recrawled) -> None:
    _, _, before = recrawled
    assert sorted(before) == [
        ("anchor", "widget guide"), ("footer1", "ShopBrand"), ("footer2", "ShopBrand"),
        ("footer3", "ShopBrand"), ("removed", "tool list"), ("target", "ShopBrand")]
    assert {d["status"] for d in before.values()} == {"live"}


@pytest.mark.parametrize("how", ["recrawled", "rechecked"])
def test_an_edited_anchor_is_one_live_link_with_a_dated_change(how: str, request) -> None:
    _, uri, before = request.getfixturevalue(how)
    now = links(uri)
    old, new = now[("anchor", "widget guide")], now[("anchor", "ShopBrand widget guide")]
    assert (new["status"], new["lost_reason"]) == ("live", None)
    assert new["first_seen"] == before[("anchor", "widget guide")]["first_seen"]
    assert changed(new) == [("anchor_text", "widget guide", "ShopBrand widget guide")]
    assert new["history"][-1]["at"] > new["first_seen"]
    assert (old["status"], old["superseded_by"], old["lost_reason"]) == (
        "superseded", new["key"], None)
    assert "lost" not in {h["event"] for d in (old, new) for h in d["history"]}


@pytest.mark.parametrize("how", ["recrawled", "rechecked"])
def test_an_edited_target_url_is_one_live_link_with_a_dated_change(how: str, request) -> None:
    _, uri, before = request.getfixturevalue(how)
    docs = find(uri, "backlinks", source_url=f"{BLOG}/target.html")
    live = [d for d in docs if d["status"] == "live"]
    assert [d["target_url"] for d in live] == ["http://shopbrand.test/shop"]
    assert live[0]["first_seen"] == before[("target", "ShopBrand")]["first_seen"]
    assert changed(live[0]) == [
        ("target_url", "http://shopbrand.test/old-shop", "http://shopbrand.test/shop")]
    assert [d["status"] for d in docs if d is not live[0]] == ["superseded"]


def test_a_removed_link_is_not_paired_with_a_new_link_elsewhere(recrawled, rechecked) -> None:
    # a crawl does not declare losses: the removed link is left alone, the new one is new
    crawled = links(recrawled[1])
    assert (crawled[("removed", "tool list")]["status"],
            crawled[("removed", "tool list")]["history"]) == ("live", [])
    # the recheck finds it removed; the footer link is a new link of its own
    checked = links(rechecked[1])
    gone, contact = checked[("removed", "tool list")], checked[("removed", "Contact the makers")]
    assert (gone["status"], gone["lost_reason"]) == ("lost", "link_removed")
    assert (contact["status"], contact["location"], contact["history"]) == ("live", "footer", [])
    assert contact["first_seen"] > gone["first_seen"]


def test_a_recheck_after_the_recrawl_keeps_edits_live_and_finds_the_removal(recrawled) -> None:
    root, uri, _ = recrawled
    recheck(root, uri)
    now = links(uri)
    assert now[("anchor", "ShopBrand widget guide")]["status"] == "live"
    assert now[("anchor", "widget guide")]["status"] == "superseded"  # not rechecked
    assert (now[("removed", "tool list")]["lost_reason"]) == "link_removed"
    assert len(changed(now[("anchor", "ShopBrand widget guide")])) == 1
    rd = find(uri, "referring_domains")[0]
    # 10 links ever, 2 superseded (not counted), live: anchor, target, contact, clamps,
    # footer1, footer2 (footer3 and tool list lost)
    assert (rd["backlinks"], rd["live_backlinks"]) == (8, 6)


def test_crawling_the_edited_web_again_changes_nothing(recrawled) -> None:
    root, uri, _ = recrawled

    def state() -> dict[str, tuple]:
        return {d["key"]: (d["status"], d["first_seen"], d["history"])
                for d in find(uri, "backlinks")}

    before = state()
    crawl(root, uri)
    assert state() == before
    assert len(before) == 10 and sum(s == "superseded" for s, _, _ in before.values()) == 2


def test_mentions_that_disappear_are_marked_gone(recrawled) -> None:
    _, uri, _ = recrawled
    docs = {d["source_url"].rsplit("/", 1)[1]: d for d in find(uri, "mentions")}
    assert sorted(docs) == ["mention-linked.html", "mention.html"]
    assert (docs["mention.html"]["status"], docs["mention.html"]["gone_reason"]) == (
        "gone", "removed")
    assert (docs["mention-linked.html"]["status"],
            docs["mention-linked.html"]["gone_reason"]) == ("gone", "linked")
    assert all(d["gone_at"] > d["last_seen"] for d in docs.values())


def test_report_shows_edits_and_only_live_mentions(recrawled, tmp_path: Path) -> None:
    _, uri, _ = recrawled
    html = tmp_path / "report.html"
    out = linkcrawl_cli("report", "--target", TARGET, "--store", uri)
    assert out.returncode == 0, out.stderr
    changes = out.stdout.split("Changes in the last 30 days")[1].split("Recent changes")[0]
    assert "anchor text changed" in changes and "target URL changed" in changes
    mentions = out.stdout.split("Unlinked mentions")[1].split("Referring domains per month")[0]
    assert "mention" not in mentions  # both mentions are gone
    assert "0 unlinked mentions" in out.stdout
    assert linkcrawl_cli("report", "--target", TARGET, "--store", uri,
                         "--html", str(html)).returncode == 0
    page = html.read_text(encoding="utf-8")
    counts = page.split("Changes in the last 30 days")[1].split("Recent changes")[0]
    assert "<td>anchor text changed</td>" in counts and "<td>target URL changed</td>" in counts


def test_placements_follow_the_recheck(rechecked) -> None:
    _, uri, _ = rechecked
    footer = [p for p in find(uri, "placements") if p["location"] == "footer"
              and p["anchor_text"] == "ShopBrand"]
    assert [(p["page_count"], p["backlinks"], p["sitewide"]) for p in footer] == [(2, 2, False)]
    anchors = {p["anchor_text"] for p in find(uri, "placements")}
    assert "widget guide" not in anchors and "ShopBrand widget guide" in anchors
