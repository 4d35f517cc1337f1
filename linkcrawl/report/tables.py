"""Plain-text tables for the terminal: aligned columns, no dependencies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # the day is what a terminal table needs
    return str(value).replace("\n", " ")


# Short headers for the store's field names, so that the data gets the width.
LABELS: dict[str, str] = {
    "referring_domain": "domain", "source_domain": "domain", "source_url": "page",
    "target_url": "target page", "anchor_text": "anchor", "live_backlinks": "live",
    "followed_backlinks": "followed", "first_seen": "first seen", "last_seen": "last seen",
    "lost_reason": "reason", "lost_at": "lost", "restored_at": "restored",
    "referring_domains": "domains", "page_count": "pages", "representative_url": "example page",
    "link_type": "type", "top_anchors": "top anchors", "target_reason": "answer",
}
TERMINAL_WIDTH = 100  # columns a terminal table may take (an 80-100 column terminal)
MIN_COLUMN = 6  # a column is never cut narrower than this (or its header)
ELLIPSIS = "…"


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def format_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], max_width: int = 60,
    width: int = TERMINAL_WIDTH,
) -> str:
    """Rows as an aligned table with a header (short names from :data:`LABELS`); numbers
    right-aligned, days for datetimes. A cell longer than
    ``max_width`` is cut with "…", and the widest columns are cut further until the table
    fits ``width`` characters (never below the header or :data:`MIN_COLUMN`)."""
    names = [LABELS.get(c, c) for c in columns]
    text = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [min(max([len(c)] + [len(r[i]) for r in text]), max(max_width, len(c)))
              for i, c in enumerate(names)]
    floor = [max(len(c), MIN_COLUMN) for c in names]
    gaps = 2 * (len(columns) - 1)
    while sum(widths) + gaps > width:
        cuttable = [i for i, w in enumerate(widths) if w > floor[i]]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
    cells = [[_elide(v, w) for v, w in zip(r, widths, strict=True)] for r in text]
    numeric = [all(isinstance(row.get(c), (int, float)) for row in rows) for c in columns]

    def line(values: Sequence[str]) -> str:
        out = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(out).rstrip()

    header = line([_elide(c, w) for c, w in zip(names, widths, strict=True)])
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([header, rule, *(line(r) for r in cells)])
