"""Vendor exports read as claims: layouts by header, rows, the store, and the verdicts.

The fixtures in tests/fixtures/exports were written by hand from the tools' published column
lists (docs/sources.md); the expected values below are read off those files, not off
linkcrawl's output.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from linkcrawl.errors import ConfigError
from linkcrawl.history.claims import ClaimVerdict, claim_fields, judge_claim, loose_url
from linkcrawl.history.recheck import Fetch
from linkcrawl.keys import backlink_key
from linkcrawl.report.build import build_report
from linkcrawl.sources.imports import (
    ImportCounts,
    claim_report,
    column_name,
    detect_layout,
    import_exports,
    parse_date,
    read_export,
)
from linkcrawl.store import open_store

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Referring page URL", "referringpageurl"),
    ("referring_page_url", "referringpageurl"),
    ("\ufeffReferringPageURL", "referringpageurl"),
    ("  Source url ", "sourceurl"),
    ("Flag-No-Follow", "flagnofollow"),
])
def test_column_names_compare_without_case_space_or_punctuation(raw: str, expected: str) -> None:
    assert column_name(raw) == expected


@pytest.mark.parametrize(("header", "tool"), [
    (["Referring page title", "Referring page URL", "Target URL", "Anchor"], "ahrefs"),
    (["REFERRING PAGE URL", "target url"], "ahrefs"),
    (["Page ascore", "Source url", "Target url", "Anchor"], "semrush"),
    (["SourceURL", "TargetURL", "AnchorText", "SourceTrustFlow"], "majestic"),
    (["URL", "Anchor Text", "Spam Score", "Target URL"], "moz"),
    (["Linking page", "Last crawled"], "gsc"),
    (["Linking page"], "gsc"),
])
def test_layouts_are_recognised_by_their_columns(header: list[str], tool: str) -> None:
    layout, roles = detect_layout(header)
    assert layout.tool == tool
    assert "source" in roles


def test_an_unknown_layout_is_one_line_naming_found_and_expected_columns() -> None:
    with pytest.raises(ConfigError) as caught:
        detect_layout(["From", "To", "Text"], "x.csv")
    message = str(caught.value)
    assert "\n" not in message
    assert "'From', 'To', 'Text'" in message
    for expected in ("ahrefs: Referring page URL", "semrush: Source url + Page ascore",
                     "gsc: Linking page"):
        assert expected in message


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-12", datetime(2026, 1, 12, tzinfo=UTC)),
    ("2026-01-12 08:30:00", datetime(2026, 1, 12, 8, 30, tzinfo=UTC)),
    ("2026-01-12T08:30:00+01:00", datetime(2026, 1, 12, 7, 30, tzinfo=UTC)),
    ("12 Jan 2026", datetime(2026, 1, 12, tzinfo=UTC)),
    ("Jan 12, 2026", datetime(2026, 1, 12, tzinfo=UTC)),
    ("", None),
    ("yesterday", None),
])
def test_vendor_dates(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("name", "tool", "first"), [
    ("ahrefs_backlinks.tsv", "ahrefs",
     ("http://blog.test/review.html", "https://shopbrand.test/widgets/", "ShopBrand widgets")),
    ("semrush_backlinks.csv", "semrush",
     ("http://news.test/story.html", "http://shopbrand.test/about", "ShopBrand")),
    ("majestic_backlinks.csv", "majestic",
     ("http://shop.test/partners.html", "http://shopbrand.test", "ShopBrand")),
    ("moz_inbound_links.csv", "moz",
     ("http://forum.test/thread.html", "http://shopbrand.test/", "shopbrand.test")),
    ("gsc_latest_links.csv", "gsc", ("http://forum.test/thread.html", "", "")),
    ("gsc_top_linking_pages.csv", "gsc", ("http://news.test/story.html", "", "")),
])
def test_each_fixture_export_reads_its_rows(name: str, tool: str, first: tuple) -> None:
    counts = ImportCounts(name)
    rows = list(read_export(EXPORTS / name, counts))
    assert counts.tool == tool
    assert (rows[0].source_url, rows[0].target_url, rows[0].anchor_text) == first


def test_dates_and_nofollow_come_through() -> None:
    counts = ImportCounts("a")
    ahrefs = list(read_export(EXPORTS / "ahrefs_backlinks.tsv", counts))  # UTF-16, tabs
    assert ahrefs[0].first_seen == datetime(2026, 1, 12, 8, 30, tzinfo=UTC)
    assert [r.nofollow for r in ahrefs] == [False, False, True, False]
    gsc = list(read_export(EXPORTS / "gsc_latest_links.csv", ImportCounts("g")))
    assert gsc[1].last_seen == datetime(2026, 1, 8, tzinfo=UTC)
    moz = list(read_export(EXPORTS / "moz_inbound_links.csv", ImportCounts("m")))
    assert moz[0].nofollow is True


def test_the_unknown_fixture_fails_with_its_columns() -> None:
    with pytest.raises(ConfigError, match="columns found: 'From', 'To', 'Text'"):
        list(read_export(EXPORTS / "unknown_layout.csv", ImportCounts("u")))


ALL = ["ahrefs_backlinks.tsv", "semrush_backlinks.csv", "majestic_backlinks.csv",
       "moz_inbound_links.csv", "gsc_latest_links.csv", "gsc_top_linking_pages.csv"]


@pytest.mark.parametrize("uri", ["sqlite", "mongomock"])
def test_import_writes_claims_once_and_counts_none_of_them(tmp_path: Path, uri: str) -> None:
    uri = f"sqlite:///{tmp_path}/s.db" if uri == "sqlite" else "mongomock://claims"
    with open_store(uri) as store:
        results = import_exports(store, [EXPORTS / n for n in ALL], "shopbrand.test", NOW)
        by_file = {Path(r.path).name: (r.rows, r.claims, r.known) for r in results}
        # ahrefs: 4 rows, one to othersite.test; majestic: the review link ahrefs had
        assert by_file == {
            "ahrefs_backlinks.tsv": (4, 3, 0), "semrush_backlinks.csv": (2, 2, 0),
            "majestic_backlinks.csv": (2, 1, 1), "moz_inbound_links.csv": (1, 1, 0),
            "gsc_latest_links.csv": (2, 2, 0), "gsc_top_linking_pages.csv": (1, 1, 0),
        }
        assert store.count("backlinks") == 10
        assert store.count("backlinks", {"status": "claimed"}) == 10
        review = store.find("backlinks", {"key": backlink_key(
            "http://blog.test/review.html", "https://shopbrand.test/widgets/",
            "ShopBrand widgets")})[0]
        assert review["claimed_by"] == ["ahrefs", "majestic"]
        assert review["source"] == "import:ahrefs"
        assert review["claimed_first_seen"] == datetime(2026, 1, 12, 8, 30, tzinfo=UTC)
        assert store.refresh_referring_domains() == 0
        again = import_exports(store, [EXPORTS / "semrush_backlinks.csv"], "shopbrand.test", NOW)
        assert (again[0].claims, again[0].known) == (0, 2)
        assert store.count("backlinks") == 10
        # claims are in no report: no backlink, no new link, no referring domain yet
        built = build_report(store, "shopbrand.test")
        assert (built.backlinks, built.new(), built.domains) == ([], [], [])
        report = claim_report(store, ["shopbrand.test"])
        assert {t: (c["claims"], c["pending"]) for t, c in report.items()} == {
            "ahrefs": (3, 3), "gsc": (3, 3), "majestic": (2, 2), "moz": (1, 1),
            "semrush": (2, 2)}


def test_a_crawled_link_claimed_by_an_export_is_known(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/s.db") as store:
        store.upsert_backlinks([{
            "source_url": "http://news.test/story.html", "source_host": "news.test",
            "source_domain": "news.test", "target_url": "http://shopbrand.test/about",
            "target_host": "shopbrand.test", "target_domain": "shopbrand.test",
            "anchor_text": "ShopBrand", "seen_at": NOW}])
        import_exports(store, [EXPORTS / "semrush_backlinks.csv"], "shopbrand.test", NOW)
        doc = store.find("backlinks", {"source_url": "http://news.test/story.html"})[0]
        assert (doc["status"], doc["claimed_by"], doc["claim_status"]) == (
            "live", ["semrush"], "known")


def _link(target_url: str, anchor: str, source: str = "http://a.test/p") -> dict:
    return {"key": backlink_key(source, target_url, anchor), "target_url": target_url,
            "target_domain": "t.test", "anchor_text": anchor}


def _claim(target_url: str, anchor: str) -> dict:
    return {"key": backlink_key("http://a.test/p", target_url, anchor), "target_url": target_url,
            "target_domain": "t.test", "anchor_text": anchor}


PAGE = "http://a.test/p"


@pytest.mark.parametrize(("claim", "fetch", "outcome", "detail"), [
    (_claim("http://t.test/x", "T"), Fetch(PAGE, PAGE, 200, links=[_link("http://t.test/x", "T")]),
     "confirmed", "same link"),
    (_claim("https://www.t.test/x/", "t"), Fetch(PAGE, PAGE, 200,
                                               links=[_link("http://t.test/x", "T")]),
     "confirmed", "anchor matches"),
    (_claim("http://t.test/x", "old words"),
     Fetch(PAGE, PAGE, 200, links=[_link("http://t.test/x", "T")]), "confirmed", "other anchor"),
    (_claim("", ""), Fetch(PAGE, PAGE, 200, links=[_link("http://t.test/y", "T")]),
     "confirmed", "other anchor"),
    (_claim("http://t.test/x", "T"), Fetch(PAGE, PAGE, 200, links=[_link("http://t.test/y", "T")]),
     "not_found", "no link to http://t.test/x on http://a.test/p"),
    (_claim("http://t.test/x", "T"), Fetch(PAGE, PAGE, 200), "not_found",
     "no link to http://t.test/x on http://a.test/p"),
    (_claim("http://t.test/x", "T"), Fetch(PAGE, "", 410), "page_gone", "page_gone: http 410"),
    (_claim("http://t.test/x", "T"), Fetch(PAGE, "", 503), "unreachable", "http_error: http 503"),
    (_claim("http://t.test/x", "T"), Fetch(PAGE, "", 0, error="blocked by robots.txt"),
     "unreachable", "robots_blocked: robots.txt"),
])
def test_claim_verdicts(claim: dict, fetch: Fetch, outcome: str, detail: str) -> None:
    verdict = judge_claim(claim, fetch)
    assert (verdict.outcome, verdict.detail) == (outcome, detail)


def test_loose_url_ignores_scheme_www_and_trailing_slash() -> None:
    assert loose_url("https://www.t.test/x/") == loose_url("http://t.test/x") == "t.test/x"
    assert loose_url("http://t.test/x") != loose_url("http://t.test/y")


def test_claim_fields_supersede_a_claim_found_under_another_key() -> None:
    found = {"key": "k2"}
    assert claim_fields(ClaimVerdict("k1", "confirmed", "", found), NOW) == {
        "claim_status": "confirmed", "checked_at": NOW, "status": "superseded",
        "superseded_by": "k2"}
    assert claim_fields(ClaimVerdict("k1", "confirmed", "", {"key": "k1"}), NOW) == {
        "claim_status": "confirmed", "checked_at": NOW, "first_seen": NOW}
    assert claim_fields(ClaimVerdict("k1", "not_found"), NOW) == {
        "claim_status": "not_found", "checked_at": NOW}
