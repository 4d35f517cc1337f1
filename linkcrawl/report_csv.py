"""The report as CSV files for spreadsheets, with the column names of the big tools' exports.

Files written into the chosen folder: ``referring_domains.csv``, ``backlinks.csv``,
``anchors.csv``, ``lost.csv``, ``sitewide.csv``, ``velocity.csv``. UTF-8 with a
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
from linkcrawl.report import Report, vars_of

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


def _best(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: (d.get("best") or {}).get(key)


def backlink_columns(report: Report) -> list[Column]:
    return [
        ("Referring page URL", lambda b: b["source_url"]),
        ("Referring page title", lambda b: report.titles.get(b["source_url"], "")),
        ("Referring domain", lambda b: b["source_domain"]),
        ("Target URL", lambda b: b["target_url"]),
        ("Anchor", lambda b: b.get("anchor_text")),
        ("Anchor type", lambda b: report.anchor_class.get(b["key"])),
        ("Nofollow", lambda b: not b.get("follow")),
        ("Rel", lambda b: b.get("rel")),
        ("Link type", lambda b: b.get("link_type")),
        ("Link location", lambda b: b.get("location")),
        ("Image", lambda b: b.get("is_image")),
        ("First seen", lambda b: b.get("first_seen")),
        ("Last seen", lambda b: b.get("last_seen")),
        ("Last checked", lambda b: b.get("checked_at")),
        ("Status", lambda b: b.get("status")),
        ("Lost date", lambda b: b.get("lost_at")),
        ("Lost reason", lambda b: b.get("lost_reason")),
    ]


DOMAIN_COLUMNS: list[Column] = [
    ("Domain", lambda d: d["referring_domain"]),
    ("Domain authority", lambda d: d.get("authority")),
    ("Public rank", lambda d: d.get("public_rank")),
    ("Links to target", lambda d: d.get("backlinks")),
    ("Live links", lambda d: d.get("live_backlinks")),
    ("Dofollow links", lambda d: d.get("followed_backlinks")),
    ("Referring pages", lambda d: d.get("pages")),
    ("Link types", lambda d: d.get("link_types")),
    ("Link locations", lambda d: d.get("locations")),
    ("Best link URL", _best("source_url")),
    ("Best link anchor", _best("anchor_text")),
    ("First seen", lambda d: d.get("first_seen")),
    ("Last seen", lambda d: d.get("last_seen")),
    ("Status", lambda d: d.get("status")),
    ("Lost date", lambda d: d.get("lost_at")),
]


def _write(path: Path, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([name for name, _ in columns])
        for row in rows:
            writer.writerow([cell(get(row)) for _, get in columns])
            count += 1
    return count


def write_csv(report: Report, folder: Path) -> dict[str, int]:
    """Write the CSV files; returns file name -> data rows. Raises ConfigError when the
    folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        links = backlink_columns(report)
        anchors = report.counts("anchor")
        texts: dict[tuple[str, str], int] = {}
        for b in report.live:
            pair = (b.get("anchor_text") or "", report.anchor_class[b["key"]])
            texts[pair] = texts.get(pair, 0) + 1
        return {
            "referring_domains.csv": _write(folder / "referring_domains.csv", DOMAIN_COLUMNS,
                                            report.domains),
            "backlinks.csv": _write(folder / "backlinks.csv", links, report.backlinks),
            "lost.csv": _write(folder / "lost.csv", links, report.lost),
            "anchors.csv": _write(
                folder / "anchors.csv",
                [("Anchor", lambda r: r["anchor"]), ("Anchor type", lambda r: r["class"]),
                 ("Links", lambda r: r["links"]), ("Share of class", lambda r: r["share"])],
                [{"anchor": a, "class": c, "links": n,
                  "share": f"{100 * n / max(anchors[c], 1):.0f}%"}
                 for (a, c), n in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0]))],
            ),
            "sitewide.csv": _write(
                folder / "sitewide.csv",
                [("Referring domain", lambda r: r["referring_domain"]),
                 ("Pages", lambda r: r["pages"]), ("Anchor", lambda r: r["anchor_text"]),
                 ("Link location", lambda r: r["location"]),
                 ("Target URL", lambda r: r["target_url"]),
                 ("Example page URL", lambda r: r["representative_url"]),
                 ("First seen", lambda r: r["first_seen"])],
                [vars_of(p) for p in report.sitewide()],
            ),
            "velocity.csv": _write(
                folder / "velocity.csv",
                [("Period", lambda r: r["period"]), ("New referring domains", lambda r: r["new"]),
                 ("Lost referring domains", lambda r: r["lost"]), ("Net", lambda r: r["net"])],
                [*report.velocity_month, *report.velocity_week],
            ),
        }
    except OSError as exc:
        raise ConfigError(f"cannot write CSV files to {folder}: {exc.strerror or exc}") from None
