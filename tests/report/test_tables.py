"""Terminal tables: aligned, short headers, cut to the width with an ellipsis."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkcrawl.report.tables import format_table


def test_alignment_and_short_headers() -> None:
    text = format_table([{"referring_domain": "a.test", "live_backlinks": 3},
                         {"referring_domain": "bb.test", "live_backlinks": 12}],
                        ["referring_domain", "live_backlinks"])
    assert text.splitlines() == ["domain   live", "-------  ----", "a.test      3",
                                 "bb.test    12"]


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""), (1.5, "1.50"), (["a", "b"], "a, b"), ("two\nlines", "two lines"),
    (datetime(2026, 3, 4, 15, 30, tzinfo=UTC), "2026-03-04"),
])
def test_cells(value: object, shown: str) -> None:
    assert format_table([{"v": value}], ["v"]).split("\n")[2].strip() == shown


@pytest.mark.parametrize("width", [40, 60, 100])
def test_wide_rows_are_cut_to_the_width(width: int) -> None:
    rows = [{"page": "http://example.test/" + "p" * 90, "anchor": "a" * 70, "n": 5}]
    lines = format_table(rows, ["page", "anchor", "n"], width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    assert lines[2].split()[0].endswith("…") and lines[2].endswith("5")


def test_a_table_too_narrow_keeps_its_headers() -> None:
    lines = format_table([{"alpha": "x" * 50, "beta": "y" * 50}], ["alpha", "beta"],
                         width=5).splitlines()
    assert lines[0].split() == ["alpha", "beta"]  # never cut below the header or 6
