"""``linkcrawl import ... --verify`` end to end: six exports of one made-up site, the linking
pages served on loopback, each claim confirmed or refuted by the recheck spider.

What each claim must become is written by hand from the pages in tests/fixtures/webs/claims
(which page has which link) and the export rows in tests/fixtures/exports.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcrawl.analysis.links import TargetMatcher, split_backlinks
from linkcrawl.analysis.page import analyze_page, classify_page_links
from linkcrawl.keys import backlink_key
from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from tests.conftest import linkcrawl_cli

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
WEB = Path(__file__).resolve().parents[1] / "fixtures" / "webs" / "claims"
FILES = ["ahrefs_backlinks.tsv", "semrush_backlinks.csv", "majestic_backlinks.csv",
         "moz_inbound_links.csv", "gsc_latest_links.csv", "gsc_top_linking_pages.csv"]
# tool -> (claims, pending, confirmed, not found, page gone, unreachable)
EXPECTED_REPORT = {
    "ahrefs": (3, 0, 1, 1, 1, 0),  # review has it; old-post lost it; deleted.html is 404
    "semrush": (2, 0, 1, 0, 0, 1),  # story has it; broken.html answers 500
    "majestic": (2, 0, 2, 0, 0, 0),  # partners and review
    "moz": (1, 0, 1, 0, 0, 0),  # the forum thread
    "gsc": (3, 0, 2, 1, 0, 0),  # thread and story link, old-post does not
}


@pytest.fixture(scope="module")
def verified(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    uri = f"sqlite:///{tmp_path_factory.mktemp('claims') / 'links.db'}"
    with LocalWeb(WEB) as web:
        settings = {"LINKCRAWL_HTTP_PROXY": web.proxy_url,
                    "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": "True",
                    "LINKCRAWL_PROGRESS_INTERVAL": "0", "AUTOTHROTTLE_ENABLED": "False",
                    "LINKCRAWL_RECHECK_VERIFY_DELAY": "0", "RETRY_TIMES": "0"}
        sets = [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]
        result = linkcrawl_cli("import", *(str(EXPORTS / f) for f in FILES),
                               "--target", "shopbrand.test", "--verify", "--store", uri, *sets)
    assert result.returncode == 0, result.stderr[-3000:]
    return uri, result.stdout


def test_the_report_counts_each_tools_claims(verified: tuple[str, str]) -> None:
    _, out = verified
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if cells and cells[0] in EXPECTED_REPORT:
            rows[cells[0]] = tuple(int(c) for c in cells[1:7])
    assert rows == EXPECTED_REPORT


def test_the_import_lines_name_tool_and_counts(verified: tuple[str, str]) -> None:
    _, out = verified
    assert "ahrefs (Site Explorer > Backlinks export): 4 rows, 3 new claims, 0 already " \
           "stored; skipped 1 not a link to shopbrand.test" in out
    # ten documents (majestic's review row is ahrefs' claim), nine pages fetched once each
    assert "verified 10 claims: confirmed 6, not found 2, page gone 1, unreachable 1" in out


def test_confirmed_claims_are_live_backlinks_located_and_typed(verified: tuple[str, str]) -> None:
    uri, _ = verified
    with open_store(uri) as store:
        live = {d["source_url"]: d for d in store.find("backlinks", {"status": "live"})}
        rds = sorted(r["referring_domain"] for r in store.find("referring_domains"))
    assert sorted(live) == ["http://blog.test/review.html", "http://forum.test/thread.html",
                            "http://news.test/story.html", "http://shop.test/partners.html"]
    assert rds == ["blog.test", "forum.test", "news.test", "shop.test"]
    review = live["http://blog.test/review.html"]
    assert (review["location"], review["source"], review["claim_status"]) == (
        "content", "import:ahrefs", "confirmed")
    assert review["first_seen"] == review["checked_at"]
    thread = live["http://forum.test/thread.html"]
    assert thread["follow"] is False and "ugc" in thread["rel"]
    assert thread["evidence"]
    # typed and located the way linkcrawl extract reads the same saved page
    for url, doc in live.items():
        host, name = url.split("/")[2:4]
        page = analyze_page((WEB / host / name).read_bytes(), url)
        page.links, _ = split_backlinks(page, TargetMatcher(["shopbrand.test"]))
        classify_page_links(page)
        (link,) = page.links
        assert (doc["location"], doc["link_type"], doc["anchor_text"]) == (
            link.location, link.link_type, link.anchor_text)


def test_refuted_claims_stay_claimed_with_the_reason(verified: tuple[str, str]) -> None:
    uri, _ = verified
    with open_store(uri) as store:
        claims = {(d["source_url"], d["source"]): d["claim_status"]
                  for d in store.find("backlinks", {"status": "claimed"})}
        gsc_story = store.find("backlinks", {"key": backlink_key(
            "http://news.test/story.html", "", "")})[0]
    assert claims == {
        ("http://blog.test/old-post.html", "import:ahrefs"): "not_found",
        ("http://blog.test/old-post.html", "import:gsc"): "not_found",
        ("http://blog.test/deleted.html", "import:ahrefs"): "page_gone",
        ("http://blog.test/broken.html", "import:semrush"): "unreachable",
    }
    # Search Console named the page only: the claim is continued by the link found there
    assert (gsc_story["status"], gsc_story["claim_status"]) == ("superseded", "confirmed")
    assert gsc_story["superseded_by"] == backlink_key(
        "http://news.test/story.html", "http://shopbrand.test/about", "ShopBrand")


def test_a_later_recheck_judges_imported_claims_and_prints_the_table(tmp_path: Path) -> None:
    """Import without --verify, then ``linkcrawl recheck --status claimed``: the same verdicts
    (semrush: story.html has the link, broken.html answers 500)."""
    uri = f"sqlite:///{tmp_path / 'links.db'}"
    imported = linkcrawl_cli("import", str(EXPORTS / "semrush_backlinks.csv"), "--target",
                             "shopbrand.test", "--store", uri)
    assert imported.returncode == 0, imported.stderr[-2000:]
    pending = [line.split() for line in imported.stdout.splitlines() if line.startswith("semrush ")]
    assert pending == [["semrush", "2", "2", "0", "0", "0", "0", "0"]]  # both pending
    with LocalWeb(WEB) as web:
        result = linkcrawl_cli(
            "recheck", "--status", "claimed", "--store", uri,
            "-s", f"LINKCRAWL_HTTP_PROXY={web.proxy_url}",
            "-s", "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES=True", "-s", "RETRY_TIMES=0",
            "-s", "LINKCRAWL_RECHECK_VERIFY_DELAY=0", "-s", "LINKCRAWL_PROGRESS_INTERVAL=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "judged 2 imported claims: confirmed 1, unreachable 1" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("semrush ")]
    assert rows == [["semrush", "2", "0", "1", "0", "0", "1", "0"]]
