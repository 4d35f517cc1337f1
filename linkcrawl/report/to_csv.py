"""The report as CSV files for spreadsheets, with the column names of the big tools' exports.

Files written into the chosen folder: ``referring_domains.csv``, ``backlinks.csv``,
``anchors.csv``, ``top_pages.csv``, ``lost.csv``, ``broken.csv``, ``sitewide.csv``,
``mentions.csv``,
``velocity_monthly.csv`` and ``velocity_weekly.csv``. UTF-8 with a
byte-order mark (so Excel reads accents right), comma-separated, ISO dates. Crawled text
that a spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage
return) gets a leading ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from linkcrawl.errors import ConfigError
from linkcrawl.report.build import Report

Column = tuple[str, Callable[[dict[str, Any]], Any]]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One spreadsheet-safe cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple, set)):
        value = ", ".join(str(v) for v in value)
    text = str(value).replace("\r\n", " ").replace("\n", " ")
    return "'" + text if text.startswith(_FORMULA_START) else text


def _get(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(key)


def _best(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: (d.get("best") or {}).get(key)


def _columns(*pairs: tuple[str, str]) -> list[Column]:
    """Columns that each show one key of the row: (header, key) pairs."""
    return [(name, _get(key)) for name, key in pairs]


def backlink_columns(report: Report) -> list[Column]:
    """Every stored backlink field an analyst filters on, with the page's own facts."""
    sitewide = report.sitewide_keys()

    def page(field: str) -> Callable[[dict[str, Any]], Any]:
        return lambda b: (report.pages.get(b["source_url"]) or {}).get(field)

    def placement(b: dict[str, Any]) -> tuple[str, str, str, str]:
        return (b["source_domain"], b["target_url"],
                (b.get("anchor_text") or "").strip().lower(), b.get("location") or "")

    return [
        ("Referring page URL", lambda b: b["source_url"]),
        ("Referring page title", lambda b: report.titles.get(b["source_url"], "")),
        ("Referring domain", lambda b: b["source_domain"]),
        ("Target URL", lambda b: b["target_url"]),
        ("Anchor", _get("anchor_text")),
        ("Anchor type", lambda b: report.anchor_class.get(b["key"])),
        ("Nofollow", lambda b: not b.get("follow")),
        ("Rel", _get("rel")),
        ("Link type", _get("link_type")),
        ("Link location", _get("location")),
        ("Image", _get("is_image")),
        ("First seen", _get("first_seen")),
        ("Last seen", _get("last_seen")),
        ("Last checked", _get("checked_at")),
        ("Status", _get("status")),
        ("Lost date", _get("lost_at")),
        ("Lost reason", _get("lost_reason")),
        ("Restored date", _get("restored_at")),
        ("UGC", lambda b: "ugc" in (b.get("rel") or ())),
        ("Sponsored", lambda b: "sponsored" in (b.get("rel") or ())),
        ("Sitewide", lambda b: placement(b) in sitewide),
        ("Link type confidence", _get("confidence")),
        ("Link type evidence", _get("evidence")),
        ("Location confidence", _get("location_confidence")),
        ("Location evidence", _get("location_evidence")),
        ("Context", _get("context")),
        ("DOM path", _get("dom_path")),
        ("Redirect wrapper", _get("wrapper")),
        ("Referring page type", _get("page_type")),
        ("Linking page flags", _get("page_flags")),
        ("Referring page status", page("status")),
        ("Referring page language", page("language")),
        ("Rendered by browser", page("via_browser")),
        ("Backlink key", _get("key")),
    ]


MENTION_COLUMNS: list[Column] = _columns(
    ("Referring page URL", "source_url"), ("Referring domain", "source_domain"),
    ("Target", "target"), ("Brand term", "term"), ("Occurrences", "occurrences"),
    ("Location", "location"), ("Context", "context"), ("Referring page type", "page_type"),
    ("First seen", "first_seen"), ("Last seen", "last_seen"), ("Status", "status"),
)
VELOCITY_COLUMNS: list[Column] = _columns(
    ("Period", "period"), ("New referring domains", "new"), ("Lost referring domains", "lost"),
    ("Net", "net"), ("Referring domains (cumulative)", "cumulative"),
    ("Trailing median of new", "trailing_median"), ("Spike", "spike"),
)


DOMAIN_COLUMNS: list[Column] = [
    ("Domain", lambda d: d["referring_domain"]),
    ("Domain authority", _get("authority")),
    ("Public rank", _get("public_rank")),
    ("Links to target", _get("backlinks")),
    ("Live links", _get("live_backlinks")),
    ("Dofollow links", _get("followed_backlinks")),
    ("Referring pages", _get("pages")),
    ("Link types", _get("link_types")),
    ("Link locations", _get("locations")),
    ("Best link URL", _best("source_url")),
    ("Best link anchor", _best("anchor_text")),
    ("First seen", _get("first_seen")),
    ("Last seen", _get("last_seen")),
    ("Status", _get("status")),
    ("Lost date", _get("lost_at")),
]


def write_rows(path: Path, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> int:
    """One CSV file: a header of column names, one spreadsheet-safe line per row."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([name for name, _ in columns])
        for row in rows:
            writer.writerow([cell(get(row)) for _, get in columns])
            count += 1
    return count


def write_csv(report: Report, folder: Path,
              progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write the CSV files; returns file name -> data rows, and calls ``progress(name, rows)``
    after each file (the command line counts them on a terminal). Raises ConfigError when
    the folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        links = backlink_columns(report)
        anchors = report.counts("anchor")
        files: list[tuple[str, Sequence[Column], Iterable[dict[str, Any]]]] = [
            ("referring_domains.csv", DOMAIN_COLUMNS, report.domains),
            ("backlinks.csv", links, report.backlinks),
            ("lost.csv", links, report.lost),
            ("anchors.csv",
             _columns(("Anchor", "anchor"), ("Anchor type", "class"), ("Links", "backlinks"),
                      ("Referring domains", "referring_domains"), ("Share of class", "share"),
                      ("Dofollow share", "followed"), ("First seen", "first_seen")),
             [{**a, "share": f"{100 * a['backlinks'] / max(anchors[a['class']], 1):.0f}%",
               "followed": f"{100 * a['followed_share']:.0f}%"}
              for a in report.anchor_rows()]),
            ("top_pages.csv",
             _columns(("Target URL", "target_url"), ("Referring domains", "referring_domains"),
                      ("Links", "backlinks"), ("Dofollow links", "followed"),
                      ("Top anchors", "top_anchors")),
             report.top_pages()),
            ("sitewide.csv",
             _columns(("Referring domain", "source_domain"), ("Pages", "page_count"),
                      ("Anchor", "anchor_text"), ("Link location", "location"),
                      ("Target URL", "target_url"), ("Example page URL", "representative_url"),
                      ("First seen", "first_seen")),
             report.sitewide()),
            ("broken.csv",
             [("Target URL", _get("target_url")), ("Target status", _get("target_status")),
              ("Answer", _get("target_reason")), ("Final URL", _get("target_final_url")),
              ("Checked", _get("target_checked_at")),
              ("Referring page URL", _get("source_url")),
              ("Referring domain", _get("source_domain")), ("Anchor", _get("anchor_text")),
              ("Nofollow", lambda b: not b.get("follow"))],
             report.broken()),
            ("mentions.csv", MENTION_COLUMNS, report.mentions),
            ("velocity_monthly.csv", VELOCITY_COLUMNS, report.velocity_month),
            ("velocity_weekly.csv", VELOCITY_COLUMNS, report.velocity_week),
        ]
        written: dict[str, int] = {}
        for name, columns, rows in files:
            written[name] = write_rows(folder / name, columns, rows)
            if progress is not None:
                progress(name, written[name])
        return written
    except OSError as exc:
        raise ConfigError(f"cannot write CSV files to {folder}: {exc.strerror or exc}") from None
