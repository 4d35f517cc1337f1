"""The pure parts of the HTML report and of the progress line, table-driven: axis ticks,
URL eliding, authority bands, elapsed time, and the terminal line's TTY rule."""

from __future__ import annotations

import io
from typing import Any

import pytest

from linkcrawl.crawl.terminal import TerminalLine, elapsed_text
from linkcrawl.report.authority import authority_band
from linkcrawl.report.to_html import _ticks, _x_labels, elide


@pytest.mark.parametrize(("top", "count", "ticks"), [
    (0, 4, [0, 1]),
    (1, 4, [0, 1]),
    (3, 4, [0, 1, 2, 3]),
    (12, 4, [0, 5, 10, 15]),
    (15, 4, [0, 5, 10, 15]),
    (8, 2, [0, 5, 10]),
    (140, 4, [0, 50, 100, 150]),
    (1999, 4, [0, 500, 1000, 1500, 2000]),
])
def test_ticks_are_round_and_reach_the_top(top: int, count: int, ticks: list[int]) -> None:
    assert _ticks(top, count) == ticks


@pytest.mark.parametrize(("text", "limit", "shown"), [
    ("http://a.test/", 70, "http://a.test/"),
    ("abcdefghij", 10, "abcdefghij"),
    ("abcdefghijk", 10, "abcde…hijk"),
    ("http://x.test/" + "a" * 80 + "/end.html", 30, "http://x.test/aaa…aaa/end.html"),
])
def test_elide_keeps_both_ends(text: str, limit: int, shown: str) -> None:
    assert elide(text, limit) == shown
    assert len(shown) <= limit


@pytest.mark.parametrize(("authority", "band"), [
    (None, "unscored"), (0.0, "weak"), (39.99, "weak"), (40.0, "decent"), (59.9, "decent"),
    (60.0, "top"), (100.0, "top"),
])
def test_authority_bands(authority: float | None, band: str) -> None:
    assert authority_band(authority) == band


@pytest.mark.parametrize(("periods", "step", "shown"), [
    (["2026-01", "2026-02", "2026-03"], 100.0, {0, 1, 2}),
    ([f"2026-{m:02d}" for m in range(1, 13)], 20.0, {0, 3, 6, 11}),  # 57 px: every 3rd
    ([], 10.0, set()),
])
def test_period_labels_never_overlap(periods: list[str], step: float, shown: set[int]) -> None:
    assert _x_labels(periods, step) == shown


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (42.7, "42s"), (60, "1:00"), (185, "3:05"), (3723, "1:02:03"),
])
def test_elapsed_text(seconds: float, text: str) -> None:
    assert elapsed_text(seconds) == text


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_is_rewritten_in_place_on_a_tty_and_absent_elsewhere() -> None:
    tty = Tty()
    line = TerminalLine(tty)
    line.show("10 pages", force=True)
    line.show("9 pages", force=True)  # shorter: the rest of the old text is blanked
    line.done("12 pages")
    assert tty.getvalue() == "\r10 pages\r9 pages \r12 pages\n"
    pipe = io.StringIO()
    quiet = TerminalLine(pipe)
    quiet.show("10 pages", force=True)
    quiet.done("12 pages")
    assert not quiet.enabled and pipe.getvalue() == ""


def _diversity_report(networks: dict[str, str | None]) -> Any:
    """A report on made-up live links, one per referring domain, with the network the crawl
    would have stored (None: not resolved)."""
    from datetime import UTC, datetime

    from linkcrawl.report.build import NETWORK_FIELD, Report

    links = [{"key": d, "source_domain": d, "source_url": f"http://{d}/", "status": "live",
              "target_url": "http://t.test/", **({NETWORK_FIELD: n} if n else {})}
             for d, n in networks.items()]
    return Report(target="t.test", generated_at=datetime(2026, 11, 1, tzinfo=UTC),
                  backlinks=links, titles={}, anchor_class={d: "branded" for d in networks},
                  domains=[{"referring_domain": d, "status": "live"} for d in networks])


@pytest.mark.parametrize(("networks", "rows"), [
    ({"a.de": None, "b.gov.uk": None}, None),  # not stored: no network rows, no chart
    ({"a.de": "192.0.2.0/24", "b.gov.uk": "192.0.2.0/24", "c.edu": "2001:db8:1::/48"},
     [{"network": "192.0.2.0/24", "referring_domains": 2},
      {"network": "2001:db8:1::/48", "referring_domains": 1}]),
])
def test_the_network_hook(networks: dict[str, str | None], rows: Any) -> None:
    from linkcrawl.report.to_html import diversity_section

    report = _diversity_report(networks)
    assert report.diversity().get("network") == rows
    html = diversity_section(report)
    assert ('id="chart-network"' in html) is (rows is not None)
    assert ("not stored by this crawl" in html) is (rows is None)
    assert 'id="chart-tld"' in html and 'id="chart-language"' in html
    if rows:
        assert "the largest, 192.0.2.0/24, has 2 of 3 live referring domains (67%)" in html
    else:
        assert "2 top-level domains; the largest, .de, has 1 of 2" in html
