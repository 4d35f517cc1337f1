"""Unlinked mentions and sitewide placements end to end: `scrapy crawl sites` on a small web.

tests/web/mentions/ has a blog that names Acme Widgets in one post without a link (one
mention) and links to it in another (no mention, one backlink), and Acme's own site (no
mention). A club site whose footer links to Acme on each of its 50 pages is generated here.
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

WEB = Path(__file__).resolve().parents[1] / "fixtures" / "webs" / "mentions"
ACME = "acme-widgets.test"
CLUB_PAGES = 50
SEEDS = "http://maker-notes.test/,http://footer-club.test/,http://acme-widgets.test/"


def club_page(i: int) -> str:
    listing = "".join(f'<li><a href="/p{k}.html">Meeting {k}</a></li>'
                      for k in range(1, CLUB_PAGES)) if i == 0 else ""
    return f"""<!DOCTYPE html><html lang="en"><head><title>Club page {i}</title></head><body>
<nav><a href="/">Footer Club</a></nav>
<main><h1>Meeting notes {i}</h1>
<p>At meeting {i} the members sharpened chisels, argued about finishes and planned the
next open workshop day for the neighbourhood, with coffee and far too many biscuits.</p>
<ul>{listing}</ul></main>
<footer><p>Footer Club is supported by <a href="http://acme-widgets.test/">Acme
Widgets</a>.</p></footer></body></html>"""


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWeb]:
    root = tmp_path_factory.mktemp("mentions-web")
    shutil.copytree(WEB, root, dirs_exist_ok=True)
    club = root / "footer-club.test"
    club.mkdir()
    (club / "index.html").write_text(club_page(0), encoding="utf-8")
    for i in range(1, CLUB_PAGES):
        (club / f"p{i}.html").write_text(club_page(i), encoding="utf-8")
    with LocalWeb(root) as served:
        yield served


# Mentions and placements come out the same whether pages are analysed in the crawl process
# or in a worker process (LINKCRAWL_ANALYSIS_WORKERS), where the mentions pass runs too.
@pytest.fixture(scope="module", params=[0, 1], ids=["in-process", "worker"])
def crawled(web: LocalWeb, tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> str:
    uri = f"sqlite:///{tmp_path_factory.mktemp('mentions') / 'crawl.db'}"
    scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                 args={"seeds": SEEDS, "targets": ACME},
                 settings={"LINKCRAWL_ANALYSIS_WORKERS": request.param}).check()
    return uri


def test_a_mention_without_a_link_is_stored_once(crawled: str) -> None:
    with open_store(crawled) as store:
        mentions = store.find("mentions")
    assert [(m["source_url"], m["term"], m["location"]) for m in mentions] == [
        ("http://maker-notes.test/bench-rebuild.html", "acme widgets", "content")]
    (m,) = mentions
    assert "brackets from Acme Widgets" in m["context"]
    assert (m["target_domain"], m["source_domain"], m["occurrences"]) == (
        ACME, "maker-notes.test", 1)  # the URL and the e-mail address on the page do not count
    assert m["first_seen"] and m["run_id"]


def test_a_page_that_links_gives_a_backlink_and_no_mention(crawled: str) -> None:
    with open_store(crawled) as store:
        linked = store.find("backlinks", {"source_domain": "maker-notes.test"})
        assert store.count("pages", {"domain": ACME}) >= 1  # crawled, yet no mention
    assert [b["source_url"] for b in linked] == ["http://maker-notes.test/clamp-test.html"]


def test_a_footer_link_on_50_pages_is_one_sitewide_placement(crawled: str) -> None:
    with open_store(crawled) as store:
        backlinks = store.count("backlinks", {"source_domain": "footer-club.test"})
        placements = store.find("placements", {"source_domain": "footer-club.test"})
        (rd,) = store.find("referring_domains", {"referring_domain": "footer-club.test"})
        runs = store.find("runs")
    assert backlinks == CLUB_PAGES
    assert rd["pages"] == CLUB_PAGES
    assert len(placements) == 1
    (p,) = placements
    assert (p["page_count"], p["backlinks"], p["sitewide"], p["location"]) == (
        CLUB_PAGES, CLUB_PAGES, True, "footer")
    assert (p["target_url"], p["anchor_text"]) == ("http://acme-widgets.test/", "Acme Widgets")
    assert p["representative_url"] == "http://footer-club.test/"
    assert runs[0]["stats"]["linkcrawl/placements"] == 2  # the club's and maker-notes' link
    assert runs[0]["stats"]["linkcrawl/mentions_stored"] == 1


def test_report_counts_placements_and_lists_mentions(crawled: str) -> None:
    proc = linkcrawl_cli("report", "--store", crawled, "--target", ACME)
    assert proc.returncode == 0, proc.stderr
    out: Any = proc.stdout
    flat = " ".join(out.split())  # the summary wraps at 100 columns
    assert "2 placements" in flat and "1 sitewide" in flat
    section = out.split("Unlinked mentions", 1)[1]
    assert "http://maker-notes.test/bench-rebuild.html" in section
    assert "clamp-test" not in section


def test_brand_terms_setting_replaces_the_default(web: LocalWeb, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'terms.db'}"
    scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                 args={"seeds": "http://maker-notes.test/", "targets": ACME,
                       "brand_terms": f"{ACME}=workbench|glue-ups"}).check()
    with open_store(uri) as store:
        found = sorted((m["source_url"].rsplit("/", 1)[1], m["term"])
                       for m in store.find("mentions"))
    # clamp-test.html says "glue-ups" but links to Acme: no mention
    assert found == [("bench-rebuild.html", "workbench")]


# A bad -a brand_terms never gets this far: the preflight rejects it (tests/test_bad_input.py).
@pytest.mark.parametrize(("args", "settings", "log"), [
    ({}, {"LINKCRAWL_MENTIONS": False}, ""),
    ({}, {"LINKCRAWL_MENTIONS": False, "LINKCRAWL_ANALYSIS_WORKERS": 1}, ""),
])
def test_mentions_off_or_bad_terms_store_backlinks_and_no_mentions(
    web: LocalWeb, tmp_path: Path, args: dict[str, str], settings: dict[str, Any], log: str,
) -> None:
    uri = f"sqlite:///{tmp_path / 'off.db'}"
    result = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, settings=settings,
                          args={"seeds": "http://maker-notes.test/", "targets": ACME, **args})
    result.check()  # no traceback
    assert log in result.stderr
    with open_store(uri) as store:
        assert store.count("mentions") == 0
        assert store.count("backlinks") == 1
