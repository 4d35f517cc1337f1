"""Broken backlinks: ``scrapy crawl targets`` fetches each linked target page of a small local
web once; the answers land on the backlinks, the report lists the links to reclaim."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.history.targetpages import target_state
from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.report.build import build_report
from linkcrawl.store import open_store
from tests.conftest import linkcrawl_cli, scrapy_crawl

WEB = Path(__file__).resolve().parents[1] / "fixtures" / "webs" / "targets"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
# target URL -> what its page answers (see the web's _site.json), written from the web
EXPECTED = {
    "http://acme.test/widget.html": "ok",
    "http://acme.test/gone.html": "broken",  # 410
    "http://acme.test/missing.html": "broken",  # no such file: 404
    "http://acme.test/old-product.html": "redirect_home",
    "http://acme.test/renamed.html": "redirected",  # to another real page: fine
    "http://acme.test/sold.html": "redirect_offsite",
}


def bl(source: str, target: str, **fields: Any) -> dict[str, Any]:
    host = source.split("/")[2]
    return {"source_url": source, "source_host": host, "source_domain": host,
            "target_url": target, "target_host": "acme.test", "target_domain": "acme.test",
            "anchor_text": "Acme", "rel": [], "follow": True, "location": "content",
            "link_type": "editorial", "seen_at": T0, **fields}


def fill(uri: str) -> None:
    with open_store(uri) as store:
        store.upsert_backlinks([bl(f"http://{site}/{i}", url)
                                for i, url in enumerate(EXPECTED) for site in ("weak.test",
                                                                               "strong.test")])
        store.refresh_referring_domains()
        store.set_domain_scores({"strong.test": {"authority": 80.0},
                                 "weak.test": {"authority": 5.0}})


@pytest.fixture
def web() -> Any:
    with LocalWeb(WEB) as served:
        yield served


def test_each_target_page_is_checked_once_and_recorded(web: Any, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 't.db'}"
    fill(uri)
    scrapy_crawl("targets", store_uri=uri, proxy=web.proxy_url,
                 args={"target": "acme.test"}).check()
    fetched = Counter(path for host, path, _ in web.requests if host == "acme.test"
                      and path != "/robots.txt")
    # each target URL once, and the ends of the redirects: "/" and /widget.html again
    assert fetched == {"/gone.html": 1, "/missing.html": 1, "/old-product.html": 1,
                       "/renamed.html": 1, "/sold.html": 1, "/widget.html": 2, "/": 1}
    with open_store(uri) as store:
        states = {d["target_url"]: d["target_state"] for d in store.find("backlinks")}
        report = build_report(store, "acme.test")
    assert states == EXPECTED
    broken = report.broken()
    assert {b["target_url"] for b in broken} == {
        u for u, s in EXPECTED.items() if s in ("broken", "redirect_home", "redirect_offsite")}
    assert {b["source_domain"] for b in broken[:4]} == {"strong.test"}  # strongest first
    gone = next(b for b in broken if b["target_url"].endswith("/gone.html"))
    assert (gone["target_status"], gone["target_reason"]) == (410, "http 410")


def test_the_command_lists_the_links_to_reclaim(web: Any, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 't.db'}"
    fill(uri)
    env = {**os.environ, "LINKCRAWL_HTTP_PROXY": web.proxy_url}
    done = linkcrawl_cli("broken", "--store", uri, "--target", "acme.test", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("checked 6 target URLs: 2 broken, 1 ok, 1 redirect_home, "
                        "1 redirect_offsite, 1 redirected")
    assert "acme.test: 8 live backlinks point to broken or redirected pages" in lines


@pytest.mark.parametrize(("url", "status", "final", "error", "state"), [
    ("http://a.test/x", 200, "http://a.test/x", "", "ok"),
    ("http://a.test/x", 404, "http://a.test/x", "", "broken"),
    ("http://a.test/x", 503, "http://a.test/x", "", "broken"),
    ("http://a.test/x", 200, "http://a.test/", "", "redirect_home"),
    ("http://a.test/", 200, "https://a.test/", "", "redirected"),  # the home page moved
    ("http://a.test/x", 200, "http://www.a.test/x", "", "redirected"),
    ("http://a.test/x", 200, "http://b.test/x", "", "redirect_offsite"),
    ("http://a.test/x", 0, "", "DNSLookupError: no such host", "unreachable"),
])
def test_target_state(url: str, status: int, final: str, error: str, state: str) -> None:
    assert target_state(url, status, final, error)[0] == state
