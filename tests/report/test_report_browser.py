"""The HTML report in Chromium at the two ends of the supported window (700 and 1,600 px):
no sideways scroll, no text under 11 px (SVG text measured as drawn, after the chart's
scaling), charts with axes, values and legends, evidence behind ``<details>``, and the
layout that changes with the width (charts side by side, then stacked)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.classify.anchors import AnchorRules
from linkcrawl.report.build import build_report
from linkcrawl.report.gap import link_gap
from linkcrawl.report.to_html import render_html
from linkcrawl.store import Store, open_store
from tests.conftest import need
from tests.report.test_report import CHROMIUM, NOW, fill, link

LONG_URL = "http://p1.test/" + "a-very-long-path-segment/" * 8 + "final-page.html"
WIDTHS = (700, 1600)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (the image itself is too big to decode here)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def ago(day: datetime) -> int:
    return (NOW - day).days


def fill_history(store: Store) -> None:
    """fill() plus one new referring domain a month from June to September and a burst of
    seven in October (the spike), authority for some, evidence on one link, and a competitor
    with a domain of its own.

    Months by first sighting: 05 a; 06 p1; 07 p2; 08 d, p3; 09 p4; 10 c + s0..s6; 11 b.
    d.test is lost in 11. New per month 1,1,1,2,1,8,1; cumulative 1,2,3,5,6,14,14.
    """
    fill(store)
    monthly = [
        link(LONG_URL if m == 6 else f"http://p{m - 5}.test/post", "Shop Test",
             ago(datetime(2026, m, 15, tzinfo=UTC)))
        for m in (6, 7, 8, 9)
    ]
    burst = [link(f"http://s{i}.test/story", "Shop Test", ago(datetime(2026, 10, 3 + i,
                                                                       tzinfo=UTC)))
             for i in range(7)]
    burst[0].update(location_evidence=["tag:article", "text:paragraph"], location_confidence=0.9,
                    evidence=["text:review of"], confidence=0.82)
    rival = {"target_url": "http://rival.test/", "target_host": "rival.test",
             "target_domain": "rival.test"}
    competitor = [link("http://x.test/list", "Rival", 20, **rival),
                  link("http://s1.test/other", "Rival", 20, **rival)]
    store.upsert_backlinks(monthly + burst + competitor)
    store.refresh_referring_domains()
    store.set_domain_scores({"a.test": {"authority": 88.5}, "b.test": {"authority": 12.0},
                             "s0.test": {"authority": 45.0}, "s1.test": {"authority": 70.0},
                             "x.test": {"authority": 52.0}})


def fill_reclaim(store: Store) -> None:
    """Page languages and target-page checks on links fill_history made, so no count above
    changes: s0..s6 German, p1..p4 and a.test/post English (a.test/about, b.test and c.test
    have none: "unknown"); s1.test's link (authority 70) points to a page answering 503,
    p3.test's to one redirecting to another site, p2.test's to a page that is fine.

    Live referring domains by language (of 14): de 7, en 5 (p1..p4, a), unknown 3 (a, b, c).
    """
    urls = [LONG_URL, *(f"http://p{i}.test/post" for i in (2, 3, 4)), "http://a.test/post"]
    store.upsert_pages([{"url": u, "language": "en-GB" if "a.test" in u else "en",
                         "fetched_at": NOW} for u in urls]
                       + [{"url": f"http://s{i}.test/story", "language": "de-DE",
                           "fetched_at": NOW} for i in range(7)])
    keys = {d["source_domain"]: d["key"] for d in store.find("backlinks",
                                                             {"target_domain": "shop.test"})}
    checked = NOW - timedelta(days=1)
    store.update_backlinks({
        keys["s1.test"]: {"target_state": "broken", "target_status": 503,
                          "target_reason": "http 503", "target_checked_at": checked},
        keys["p3.test"]: {"target_state": "redirect_offsite", "target_status": 200,
                          "target_reason": "redirects to http://parked.example/",
                          "target_final_url": "http://parked.example/",
                          "target_checked_at": checked},
        keys["p2.test"]: {"target_state": "ok", "target_status": 200,
                          "target_reason": "http 200", "target_checked_at": checked},
    })


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    with open_store(f"sqlite:///{tmp / 'r.db'}") as store:
        fill_history(store)
        fill_reclaim(store)
        report = build_report(store, "shop.test",
                              AnchorRules.for_target("shop.test", keywords=["garden widgets"]),
                              now=NOW)
        gap = link_gap(store, "shop.test", ["rival.test"])
    path = tmp / "report.html"
    path.write_text(render_html(report, gap=(["rival.test"], gap)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(Path(CHROMIUM).exists(), f"Debian's Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu",
                                           "--disable-background-networking"])
        yield chromium
        chromium.close()


# Every element with text of its own, and the size it is drawn at: the computed font size,
# times the SVG's scale for chart text (a viewBox shrunk to fit draws smaller letters).
SIZES_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    if (el instanceof SVGElement && !(el instanceof SVGGraphicsElement)) continue;  // <title>
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGGraphicsElement) size *= el.getScreenCTM().a;
    out.push([el.tagName, el.textContent.trim().slice(0, 40), size]);
  }
  return out;
}"""
CHART_JS = """(id) => {
  const fig = document.getElementById(id);
  const svg = fig.querySelector('svg');
  return {texts: [...svg.querySelectorAll('text')].map(t => t.textContent),
          axes: svg.querySelectorAll('line.axis').length,
          legend: [...svg.querySelectorAll('g.legend text')].map(t => t.textContent),
          note: fig.innerText, box: fig.getBoundingClientRect().toJSON()};
}"""
WRAPPED_DATES_JS = """() => [...document.querySelectorAll('td.d, th.d')].filter(td => {
  const range = document.createRange(); range.selectNodeContents(td);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).map(td => td.textContent)"""
# nothing reaches past the body's content box (its right padding stays clear)
RIGHT_EDGES_JS = """() => {
  const body = document.body, pad = parseFloat(getComputedStyle(body).paddingRight);
  const edge = body.getBoundingClientRect().right - pad + 0.5;
  return [...document.querySelectorAll('table, figure, h2, p, details')]
    .filter(el => el.getBoundingClientRect().right > edge)
    .map(el => el.tagName + ' ' + el.textContent.slice(0, 40));
}"""

# what the hand-made store must show (worked out from fill_history, not read off the page)
EXPECTED = {
    "chart-velocity": ({"2026-10", "2026-11", "8"}, {"new", "lost", "spike (outlined)"}),
    "chart-cumulative": ({"14", "1", "2026-05"}, {"live referring domains"}),
    "chart-types": ({"editorial", "12 (80%)", "partner", "1 (7%)"}, {"live backlinks"}),
    "chart-locations": ({"content", "12 (80%)", "footer", "comment", "sidebar"},
                        {"live backlinks"}),
    "chart-authority": ({"top (60–100)", "2 (14%)", "decent (40–59)", "1 (7%)",
                         "weak (below 40)", "unscored", "10 (71%)"},
                        {"live referring domains"}),
    "chart-anchors": ({"branded", "12 (80%)", "generic", "other", "2 (13%)"},
                      {"live backlinks"}),
    # shares of the 14 live referring domains (a.test has pages in two languages)
    "chart-tld": ({".test", "14 (100%)"}, {"live referring domains"}),
    "chart-language": ({"de", "7 (50%)", "en", "5 (36%)", "unknown", "3 (21%)"},
                       {"live referring domains"}),
}


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_report_reads_at_width(browser: Any, page_file: Path, tmp_path: Path,
                               width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.as_uri())
    # no sideways scroll, and nothing sticks out on the right
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(RIGHT_EDGES_JS) == []
    # every text drawn at 11 px or more, chart text included
    sizes = page.evaluate(SIZES_JS)
    assert len(sizes) > 200  # the measure did see the page
    assert sum(1 for tag, _, _ in sizes if tag == "text") > 60  # and the charts' text
    small = [(tag, text, round(size, 1)) for tag, text, size in sizes if size < 11]
    assert small == []
    # charts: axes, values and legends
    for chart, (values, legend) in EXPECTED.items():
        got = page.evaluate(CHART_JS, chart)
        assert values <= set(got["texts"]), (chart, got["texts"])
        assert set(got["legend"]) == legend, chart
        assert got["axes"] >= 2, chart
    follow = page.evaluate(CHART_JS, "chart-follow")
    assert {"follow: 14 (93%)", "nofollow: 1 (7%)", "93% follow"} <= set(follow["texts"])
    velocity = page.evaluate(CHART_JS, "chart-velocity")
    assert "Spike in 2026-10: 8 new referring domains, 8.0× the trailing median of 1" \
        in velocity["note"]
    # the "first seen" (and every date) column stays on one line
    assert page.evaluate(WRAPPED_DATES_JS) == []
    # authority on every referring-domain row
    cells = page.locator("h2:text('Referring domains') + table tbody tr td:nth-child(2)")
    texts = cells.all_inner_texts()
    assert len(texts) == 15 and "88.5 top" in texts and "unscored" in texts
    assert all(t == "unscored" or t.split()[1] in ("top", "decent", "weak") for t in texts)
    # evidence opens without a script, and the open rows still fit
    row = page.locator("h2:text('Best backlinks') + p + table tr", has_text="s0.test")
    row.locator("summary").click()
    why = row.locator("details ul").inner_text()
    assert "tag:article" in why and "text:review of" in why and "confidence 0.82" in why
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the competitor gap: x.test links to rival.test only
    gap = page.locator("h2:text('Competitor gap') + p + table tbody tr").all_inner_texts()
    assert len(gap) == 1 and gap[0].startswith("x.test") and "52.0 decent" in gap[0]
    # broken backlinks to reclaim: the strongest referring domain first, the answer shown
    broken = page.locator("h2#broken + p + table tbody tr").all_inner_texts()
    assert len(broken) == 2
    assert broken[0].startswith("http://shop.test/") and "error page" in broken[0]
    assert "http 503" in broken[0] and "s1.test/story" in broken[0] and "70.0 top" in broken[0]
    assert "redirects to another site" in broken[1] and "parked.example" in broken[1]
    assert page.locator("h2#broken + p").inner_text().startswith(
        "2 live backlinks point to 1 broken or redirected page (error page: 1, redirects to "
        "another site: 1)")
    # diversity: the figures in words, the network hook said
    said = page.locator("h2#diversity + p").inner_text()
    assert "1 top-level domain; the largest, .test, has 14 of 14" in said
    assert "3 page languages; the largest, de, has 7 of 14 live referring domains (50%)" in said
    assert "networks (IP /24 or /48) are not stored by this crawl" in said
    # the long URL is elided on screen, complete in the link
    long = page.locator(f'a[href="{LONG_URL}"]').first
    assert "…" in long.inner_text() and len(long.inner_text()) <= 70
    # the screenshot is the window's width: nothing drew outside it
    shot = tmp_path / f"report-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    png_width, _ = png_size(shot)
    assert png_width == width
    boxes = {c: page.evaluate(CHART_JS, c)["box"] for c in ("chart-types", "chart-locations",
                                                            "chart-authority")}
    page.close()
    types, locations = boxes["chart-types"], boxes["chart-locations"]
    if width == 700:  # one column: stacked, same left edge
        assert locations["y"] >= types["y"] + types["height"]
        assert locations["x"] == types["x"]
    else:  # side by side on one row
        assert locations["y"] == types["y"] and locations["x"] > types["x"] + types["width"]


@pytest.mark.browser
def test_the_narrow_page_stacks_the_charts(browser: Any, page_file: Path,
                                           tmp_path: Path) -> None:
    """The two screenshots compared: at 700 px the nine charts are nine rows (the page is
    longer); at 1,600 px the two time charts are full rows, the five others share two, and
    the two diversity charts share one."""
    heights, rows = {}, {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_file.as_uri())
        tops = page.evaluate("[...document.querySelectorAll('figure.chart')]"
                             ".map(f => Math.round(f.getBoundingClientRect().top))")
        rows[width] = len(set(tops))
        shot = tmp_path / f"r{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.close()
        w, heights[width] = png_size(shot)
        assert w == width
    assert rows == {700: 9, 1600: 5}  # the diversity section's two charts: one row when wide
    assert heights[700] > heights[1600]

def test_cli_report_with_a_competitor_has_the_gap_section(tmp_path: Path) -> None:
    from tests.conftest import linkcrawl_cli

    uri = f"sqlite:///{tmp_path / 'r.db'}"
    with open_store(uri) as store:
        fill_history(store)
    out = linkcrawl_cli("report", "--target", "shop.test", "--store", uri, "--competitor",
                        "rival.test", "--html", str(tmp_path / "gap.html"))
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "gap.html").read_text(encoding="utf-8")
    section = html.split("<h2>Competitor gap</h2>", 1)[1].split("<h2>", 1)[0]
    assert "1 referring domain links to rival.test and not to shop.test" in section
    assert "<td>x.test</td>" in section and 'href="http://x.test/list"' in section
    assert "s1.test" not in section  # it links to the target too
    plain = linkcrawl_cli("report", "--target", "shop.test", "--store", uri,
                          "--html", str(tmp_path / "plain.html"))
    assert plain.returncode == 0, plain.stderr
    assert "Competitor gap" not in (tmp_path / "plain.html").read_text(encoding="utf-8")
