"""Reports from a hand-made store: terminal sections, CSV columns, HTML escaping, and the
HTML rendered by headless Chromium to a PNG that must show the charts."""

from __future__ import annotations

import csv
import os
import re
import struct
import subprocess
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.classify.anchors import AnchorRules
from linkcrawl.report.build import best_link, build_report, report_text, summary_text
from linkcrawl.report.to_csv import write_csv
from linkcrawl.report.to_html import render_html
from linkcrawl.store import Store, open_store
from tests.conftest import linkcrawl_cli, need

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EVIL_ANCHOR = '<script>alert("anchor")</script>'
EVIL_TITLE = "<img src=x onerror=alert(1)> Widget & Co"
CHROMIUM = "/usr/bin/chromium"


def link(src: str, anchor: str, days_ago: int, **fields: Any) -> dict[str, Any]:
    host = src.split("/")[2]
    doc = {
        "source_url": src, "source_host": host, "source_domain": host,
        "target_url": "http://shop.test/", "target_host": "shop.test",
        "target_domain": "shop.test", "anchor_text": anchor, "rel": [], "follow": True,
        "location": "content", "link_type": "editorial", "is_image": False,
        "seen_at": NOW - timedelta(days=days_ago),
    }
    return {**doc, **fields}


def fill(store: Store) -> None:
    store.upsert_backlinks([
        link("http://a.test/post", "Shop Test", 3),
        link("http://a.test/about", "click here", 200, location="footer", link_type="partner"),
        link("http://b.test/review", EVIL_ANCHOR, 10, rel=["ugc"], follow=False,
             location="comment", link_type="comment"),
        link("http://c.test/list", "=HYPERLINK(\"http://evil.test\")", 40,
             location="sidebar", link_type="directory"),
        link("http://d.test/old", "garden widgets", 90),
    ])
    store.upsert_pages([{"url": "http://b.test/review", "title": EVIL_TITLE, "fetched_at": NOW}])
    gone = next(d for d in store.find("backlinks") if d["source_domain"] == "d.test")
    store.update_backlinks({gone["key"]: {
        "status": "lost", "lost_reason": "page_gone", "lost_at": NOW - timedelta(days=5),
        "history": [{"at": NOW - timedelta(days=5), "event": "lost", "reason": "page_gone",
                     "detail": "http 404"}]}})
    store.refresh_referring_domains()
    store.set_domain_scores({"a.test": {"authority": 88.5}, "b.test": {"authority": 12.0}})


@pytest.fixture
def store_uri(tmp_path: Path) -> str:
    uri = f"sqlite:///{tmp_path / 'report.db'}"
    with open_store(uri) as store:
        fill(store)
    return uri


@pytest.fixture
def report(store_uri: str):
    with open_store(store_uri) as store:
        return build_report(store, "shop.test",
                            AnchorRules.for_target("shop.test", keywords=["garden widgets"]),
                            now=NOW)


def test_best_link_prefers_live_followed_content_editorial() -> None:
    links = [
        {"source_url": "1", "status": "lost", "follow": True, "location": "content"},
        {"source_url": "2", "status": "live", "follow": False, "location": "content"},
        {"source_url": "3", "status": "live", "follow": True, "location": "footer"},
        {"source_url": "4", "status": "live", "follow": True, "location": "content",
         "link_type": "directory"},
        {"source_url": "5", "status": "live", "follow": True, "location": "content",
         "link_type": "editorial"},
    ]
    assert best_link(links)["source_url"] == "5"
    assert best_link([]) is None


def test_report_numbers(report) -> None:
    assert {d["referring_domain"]: d["status"] for d in report.domains} == {
        "a.test": "live", "b.test": "live", "c.test": "live", "d.test": "lost"}
    assert report.counts("follow") == {"follow": 3, "nofollow": 1}
    assert report.counts("anchor") == {"branded": 1, "generic": 1, "other": 2}
    assert [b["source_domain"] for b in report.lost] == ["d.test"]
    assert {b["source_url"] for b in report.new()} == {"http://a.test/post", "http://b.test/review"}
    a = next(d for d in report.domains if d["referring_domain"] == "a.test")
    assert a["best"]["source_url"] == "http://a.test/post"
    assert report.velocity_month[-1]["period"] == "2026-11"


def test_top_pages_anchor_rows_and_balance(report) -> None:
    # live: a.test x2 (one nofollow-free footer), b.test (nofollow), c.test; d.test is lost
    assert report.top_pages() == [{
        "target_url": "http://shop.test/", "referring_domains": 3, "backlinks": 4,
        "followed": 3, "top_anchors": [EVIL_ANCHOR, '=HYPERLINK("http://evil.test")',
                                       "Shop Test"]}]
    rows = report.anchor_rows()
    assert [(r["anchor"], r["class"], r["referring_domains"], r["followed_share"])
            for r in rows] == [
        (EVIL_ANCHOR, "other", 1, 0.0), ('=HYPERLINK("http://evil.test")', "other", 1, 1.0),
        ("Shop Test", "branded", 1, 1.0), ("click here", "generic", 1, 1.0)]
    assert report.anchor_balance() == {"branded": 0.25, "generic": 0.25, "other": 0.5}


def test_backlinks_csv_flags_the_links_of_a_sitewide_placement(store_uri: str,
                                                                tmp_path: Path) -> None:
    from linkcrawl.history.refresh import refresh_placements

    with open_store(store_uri) as store:
        store.upsert_backlinks([link(f"http://e.test/p{i}", "Shop", 1, location="footer")
                                for i in range(3)] + [link("http://e.test/x", "Shop review", 1)])
        refresh_placements(store, [("shop.test", "e.test")], min_pages=3)
        report = build_report(store, "shop.test", now=NOW)
    write_csv(report, tmp_path)
    with (tmp_path / "backlinks.csv").open(encoding="utf-8-sig") as f:
        sitewide = {r["Referring page URL"]: r["Sitewide"] for r in csv.DictReader(f)
                    if r["Referring domain"] == "e.test"}
    assert sitewide == {"http://e.test/p0": "true", "http://e.test/p1": "true",
                        "http://e.test/p2": "true", "http://e.test/x": "false"}


@pytest.mark.parametrize(("domain", "tld"), [
    ("example.com", ".com"), ("bbc.co.uk", ".uk"), ("ox.ac.uk", ".ac.uk"),
    ("justice.gov.uk", ".gov.uk"), ("mit.edu", ".edu"), ("uni-koeln.de", ".de"),
    ("my.blogspot.com", ".com"),
])
def test_top_level(domain: str, tld: str) -> None:
    from linkcrawl.report.build import top_level

    assert top_level(domain) == tld


def test_diversity_and_lost_restored_per_week(store_uri: str) -> None:
    with open_store(store_uri) as store:
        store.upsert_backlinks([link("http://x.ac.uk/p", "Shop", 1),
                                link("http://y.de/p", "Shop", 2)])
        store.upsert_pages([{"url": "http://y.de/p", "language": "de-DE", "fetched_at": NOW},
                            {"url": "http://a.test/post", "language": "en", "fetched_at": NOW}])
        (gone,) = store.find("backlinks", {"source_domain": "d.test"})
        store.update_backlinks({gone["key"]: {"restored_at": NOW}})
        report = build_report(store, "shop.test", now=NOW)
    assert report.diversity()["tld"] == [
        {"tld": ".test", "referring_domains": 3}, {"tld": ".ac.uk", "referring_domains": 1},
        {"tld": ".de", "referring_domains": 1}]
    assert report.diversity()["language"] == [
        {"language": "unknown", "referring_domains": 4}, {"language": "de",
                                                           "referring_domains": 1},
        {"language": "en", "referring_domains": 1}]
    # d.test's link was lost on Sunday 15 November (ISO week 46) and restored at NOW,
    # Friday 20 November (week 47)
    assert report.lost_and_restored() == [{"period": "2026-W46", "lost": 1, "restored": 0},
                                          {"period": "2026-W47", "lost": 0, "restored": 1}]


def test_a_restored_link_is_listed(store_uri: str) -> None:
    with open_store(store_uri) as store:
        (gone,) = store.find("backlinks", {"source_domain": "d.test"})
        store.upsert_backlinks([{**gone, "seen_at": NOW}])  # live again, as a crawl writes it
        store.update_backlinks({gone["key"]: {"restored_at": NOW}})
        report = build_report(store, "shop.test", now=NOW)
    assert [b["source_url"] for b in report.restored()] == ["http://d.test/old"]
    assert "\nRestored (latest 20)" in report_text(report)


def test_terminal_report_has_every_section(report) -> None:
    text = report_text(report)
    for title in ("Referring domains", "Best backlinks", "Anchors", "Anchor texts",
                  "Top linked pages", "New in the last 30 days",
                  "Lost", "Restored", "Link types", "Locations", "Placements",
                  "Referring domains per month",
                  "Recent changes"):
        assert f"\n{title}" in text
    assert "page_gone" in text


def test_terminal_report_fits_100_columns_and_elides_with_an_ellipsis(store_uri: str) -> None:
    with open_store(store_uri) as store:
        store.upsert_backlinks([link("http://a.test/" + "very-long-path/" * 12, "x" * 150, 1)])
        store.refresh_referring_domains()
        text = report_text(build_report(store, "shop.test", now=NOW))
    assert max(len(line) for line in text.splitlines()) <= 100
    cut = [line for line in text.splitlines() if "http://a.test/very-long-path/" in line]
    assert cut and all("…" in line for line in cut)  # the long URL is elided, not wrapped
    assert "x" * 150 not in text and "xxxxxxxx…" in text


def test_old_summary_functions_still_work(store_uri: str) -> None:
    with open_store(store_uri) as store:
        assert summary_text(store, ["shop.test"]).startswith(
            "shop.test: 3 referring domains, 4 backlinks (3 followed)")


def test_csv_files_columns_and_formula_guard(report, tmp_path: Path) -> None:
    written = write_csv(report, tmp_path / "out")
    assert written == {"referring_domains.csv": 4, "backlinks.csv": 5, "lost.csv": 1,
                       "anchors.csv": 4, "top_pages.csv": 1, "sitewide.csv": 0,
                       "broken.csv": 0, "mentions.csv": 0,
                       "velocity_monthly.csv": len(report.velocity_month),
                       "velocity_weekly.csv": len(report.velocity_week)}
    with (tmp_path / "out" / "backlinks.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "Referring page URL", "Referring page title", "Referring domain", "Target URL",
        "Anchor", "Anchor type", "Nofollow", "Rel", "Link type", "Link location", "Image",
        "First seen", "Last seen", "Last checked", "Status", "Lost date", "Lost reason",
        "Restored date", "UGC", "Sponsored", "Sitewide", "Link type confidence",
        "Link type evidence", "Location confidence", "Location evidence", "Context", "DOM path",
        "Redirect wrapper", "Referring page type", "Linking page flags", "Referring page status",
        "Referring page language", "Rendered by browser", "Backlink key"]
    flags = {r["Referring page URL"]: (r["UGC"], r["Sponsored"], r["Sitewide"]) for r in rows}
    assert flags["http://b.test/review"] == ("true", "false", "false")  # rel=ugc
    assert flags["http://a.test/post"] == ("false", "false", "false")
    by_domain = {r["Referring domain"]: r for r in rows}
    assert by_domain["c.test"]["Anchor"] == "'=HYPERLINK(\"http://evil.test\")"
    with (tmp_path / "out" / "anchors.csv").open(encoding="utf-8-sig") as f:
        anchors = {r["Anchor"]: r for r in csv.DictReader(f)}
    assert anchors["Shop Test"] == {"Anchor": "Shop Test", "Anchor type": "branded",
                                    "Links": "1", "Referring domains": "1",
                                    "Share of class": "100%", "Dofollow share": "100%",
                                    "First seen": "2026-11-17 12:00:00"}
    assert by_domain["b.test"]["Referring page title"] == EVIL_TITLE
    assert by_domain["b.test"]["Nofollow"] == "true"
    with (tmp_path / "out" / "referring_domains.csv").open(encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    assert header == [
        "Domain", "Domain authority", "Public rank", "Links to target", "Live links",
        "Dofollow links", "Referring pages", "Link types", "Link locations", "Best link URL",
        "Best link anchor", "First seen", "Last seen", "Status", "Lost date"]


def test_html_escapes_everything_from_crawled_pages(report) -> None:
    page = render_html(report)
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;anchor&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; Widget &amp; Co" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # nothing is loaded from anywhere: no src attributes, stylesheets, imports or url()
    assert not re.search(r"<[^<>]*\ssrc=", page)
    for loader in ("<link", "@import", "url("):
        assert loader not in page
    for chart in ("velocity", "types", "locations", "follow", "anchors"):
        assert f'id="chart-{chart}"' in page


def test_html_has_the_sections_analysts_read_first(report) -> None:
    page = render_html(report)
    for title in ("Top linked pages", "Anchor texts", "Restored backlinks", "Unlinked mentions"):
        assert f"<h2>{title}</h2>" in page
    assert "branded 25%, generic 25%, other 50%" in page  # the anchor-class balance
    top = page.split("<h2>Top linked pages</h2>", 1)[1].split("<h2>", 1)[0]
    assert 'href="http://shop.test/"' in top and '<td class="n">3</td>' in top  # 3 domains


# --- rendering in headless Chromium -------------------------------------------------------
def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def count_color(rows: list[bytes], bpp: int, rgb: tuple[int, int, int], tol: int = 12) -> int:
    found = 0
    for row in rows:
        for i in range(0, len(row), bpp):
            if all(abs(row[i + k] - rgb[k]) <= tol for k in range(3)):
                found += 1
    return found


@pytest.mark.browser
def test_html_report_renders_in_headless_chromium(report, tmp_path: Path) -> None:
    need(os.path.exists(CHROMIUM), f"Debian's Chromium at {CHROMIUM}")
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    png = tmp_path / "report.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars"]
    shot = subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={png}", "--window-size=1200,1400", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0, shot.stderr[-2000:]
    width, height, rows = png_pixels(png)
    assert (width, height) == (1200, 1400)
    bpp = len(rows[0]) // width
    # the charts are drawn: bars in the velocity green, lost red and the first bar blue
    assert count_color(rows, bpp, (0x16, 0xA3, 0x4A)) > 200
    assert count_color(rows, bpp, (0x25, 0x63, 0xEB)) > 200
    assert count_color(rows, bpp, (0xDC, 0x26, 0x26)) > 50
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # seven charts, and the diversity section's two (top-level domain, page language)
    assert dom.stdout.count('<figure class="chart') == 9
    assert dom.stdout.count("<svg") == 9
    assert "<script" not in dom.stdout


# --- the command line ---------------------------------------------------------------------
def test_cli_report_writes_csv_and_html(store_uri: str, tmp_path: Path) -> None:
    out = linkcrawl_cli("report", "--target", "shop.test", "--store", store_uri,
                        "--csv", str(tmp_path / "csv"), "--html", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "csv" / "backlinks.csv").is_file()
    assert 'id="chart-velocity"' in (tmp_path / "r.html").read_text(encoding="utf-8")
    text = linkcrawl_cli("report", "--target", "shop.test", "--store", store_uri)
    assert text.returncode == 0, text.stderr
    assert "Anchors" in text.stdout and "\ndomain " in text.stdout


def test_cli_authority_scores_and_imports_public_ranks(store_uri: str, tmp_path: Path) -> None:
    with open_store(store_uri) as store:
        store.add_domain_edges({("a.test", "shop.test"): 2, ("b.test", "shop.test"): 1,
                                ("shop.test", "a.test"): 1, ("c.test", "a.test"): 1}, NOW, "r")
    ranks = tmp_path / "ranks.csv"
    ranks.write_text("5,a.test\n9,c.test\n12,unrelated.test\n", encoding="utf-8")
    out = linkcrawl_cli("authority", "--store", store_uri, "--import", str(ranks))
    assert out.returncode == 0, out.stderr
    assert "public rank: 2 of 4 referring domains" in out.stdout
    with open_store(store_uri) as store:
        rows = {r["referring_domain"]: r for r in store.find("referring_domains")}
    # a.test is linked by shop.test and c.test; b.test and c.test by nobody
    assert rows["a.test"]["authority"] > rows["c.test"]["authority"] == 0.0
    assert rows["b.test"]["authority"] == 0.0
    assert (rows["a.test"]["public_rank"], rows["c.test"]["public_rank"]) == (5, 9)
    assert rows["d.test"]["public_rank"] is None
    bad = linkcrawl_cli("authority", "--store", store_uri, "--import", str(tmp_path / "nope"))
    assert bad.returncode == 2 and bad.stderr.startswith("linkcrawl: error: cannot read")


def test_every_report_format_reads_the_stored_sitewide_flag(tmp_path: Path) -> None:
    """With LINKCRAWL_SITEWIDE_MIN_PAGES=5, a link on 4 pages is not sitewide: the terminal,
    CSV and HTML reports say what the stored placements say (issue 14)."""
    from linkcrawl.history.refresh import refresh_placements

    uri = f"sqlite:///{tmp_path / 'sw.db'}"
    with open_store(uri) as store:
        store.upsert_backlinks([link(f"http://e.test/p{i}", "Shop", 1, location="footer")
                                for i in range(4)])
        store.refresh_referring_domains()
        refresh_placements(store, [("shop.test", "e.test")], min_pages=5)
        report = build_report(store, "shop.test", now=NOW)
    (placement,) = report.placements
    assert (placement["page_count"], placement["sitewide"]) == (4, False)
    assert report.sitewide() == []
    assert write_csv(report, tmp_path / "csv")["sitewide.csv"] == 0
    assert "(0 sitewide)" in " ".join(report_text(report).split())
    html = render_html(report)
    section = html.split("<h2>Sitewide placements</h2>", 1)[1].split("<h2>", 1)[0]
    assert "e.test" not in section
