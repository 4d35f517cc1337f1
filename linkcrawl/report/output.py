"""The machine formats of the read commands (``--format json|csv``), in one place.

One rule for every command: ``json`` prints exactly one JSON document (an object; row lists
are arrays in it, every row, not cut to ``--limit``), ``csv`` prints one header line and
every row of the command's row list. Field names are the store's snake_case names, the
same in both formats. Values: datetimes as ISO 8601 in UTC, ``null``/empty for missing,
lists as JSON arrays (joined with ", " in CSV), booleans ``true``/``false``. In CSV, crawled
text a spreadsheet would run as a formula gets a leading ``'``, as in the CSV exports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from linkcrawl.report.authority import authority_band
from linkcrawl.report.build import Report

FORMATS = ("table", "json", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """``value`` as JSON types: datetimes to ISO strings, sets sorted, tuples to lists."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # the stores keep UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def json_text(document: Mapping[str, Any]) -> str:
    """One JSON document, UTF-8 text kept as is (anchors in any language stay readable)."""
    return json.dumps(plain(document), ensure_ascii=False, indent=2)


def csv_cell(value: Any) -> str:
    """One CSV cell; newlines are kept (the csv module quotes them), formulas defused."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        value = ", ".join(csv_cell(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A header of ``columns`` and one line per row (missing keys are empty cells)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue().rstrip("\n")


def pick(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """The named fields of a row, in order (a missing one is ``None``): stable JSON keys."""
    return {c: row.get(c) for c in columns}


# --- linkcrawl report ------------------------------------------------------------------------
BACKLINK_FIELDS = (
    "source_url", "source_domain", "target_url", "anchor_text", "anchor_class", "follow",
    "rel", "location", "link_type", "first_seen", "last_seen", "status", "lost_reason",
    "lost_at", "restored_at", "target_state", "target_status", "target_reason",
)
DOMAIN_FIELDS = (
    "referring_domain", "authority", "authority_band", "public_rank", "live_backlinks",
    "followed_backlinks", "locations", "best_link_url", "best_link_anchor", "first_seen",
    "last_seen", "status", "lost_at",
)
SECTIONS: dict[str, tuple[str, ...]] = {
    "referring_domains": DOMAIN_FIELDS,
    "backlinks": BACKLINK_FIELDS,
    "new": BACKLINK_FIELDS,
    "lost": BACKLINK_FIELDS,
    "restored": BACKLINK_FIELDS,
    "broken": BACKLINK_FIELDS,
    "anchors": ("anchor", "class", "referring_domains", "backlinks", "followed_share",
                "first_seen"),
    "top_pages": ("target_url", "referring_domains", "backlinks", "followed", "top_anchors"),
    "tld": ("tld", "referring_domains"),
    "language": ("language", "referring_domains"),
    "network": ("network", "referring_domains"),  # empty until the crawl stores networks
    "placements": ("source_domain", "page_count", "sitewide", "anchor_text", "location",
                   "target_url", "representative_url", "first_seen"),
    "mentions": ("source_url", "source_domain", "term", "location", "context", "first_seen",
                 "last_seen", "status"),
    "velocity_month": ("period", "new", "lost", "net", "cumulative", "trailing_median",
                       "spike"),
    "velocity_week": ("period", "new", "lost", "net", "cumulative", "trailing_median",
                      "spike"),
    "lost_and_restored": ("period", "lost", "restored"),
}


def report_sections(report: Report) -> dict[str, list[dict[str, Any]]]:
    """Every row list of the report, each row with the fields of :data:`SECTIONS`."""
    r = report

    def links(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [pick({**b, "anchor_class": r.anchor_class.get(b["key"])}, BACKLINK_FIELDS)
                for b in rows]

    domains = [pick({**d, "authority_band": authority_band(d.get("authority")),
                     "best_link_url": (d.get("best") or {}).get("source_url"),
                     "best_link_anchor": (d.get("best") or {}).get("anchor_text")},
                    DOMAIN_FIELDS) for d in r.domains]
    diversity = r.diversity()
    raw: dict[str, list[dict[str, Any]]] = {
        "referring_domains": domains, "backlinks": links(r.best()), "new": links(r.new()),
        "lost": links(r.lost), "restored": links(r.restored()), "broken": links(r.broken()),
        "anchors": r.anchor_rows(), "top_pages": r.top_pages(),
        "tld": diversity["tld"], "language": diversity["language"],
        "network": diversity.get("network", []),
        "placements": r.placements, "mentions": r.mentions,
        "velocity_month": r.velocity_month, "velocity_week": r.velocity_week,
        "lost_and_restored": r.lost_and_restored(),
    }
    return {name: [pick(row, SECTIONS[name]) for row in rows] for name, rows in raw.items()}


def report_document(report: Report) -> dict[str, Any]:
    """The whole report as one JSON document: the headline figures, then every section."""
    r = report
    follow = r.counts("follow")
    summary = {
        "live_referring_domains": sum(1 for d in r.domains if d.get("status") == "live"),
        "referring_domains_ever": len(r.domains), "live_backlinks": len(r.live),
        "followed_backlinks": follow["follow"], "lost_backlinks": len(r.lost),
        "placements": len(r.placements),
        "sitewide_placements": sum(1 for p in r.placements if p.get("sitewide")),
        "unlinked_mentions": len(r.mentions),
        "by_link_type": dict(r.counts("link_type")), "by_location": dict(r.counts("location")),
        "by_anchor_class": dict(r.counts("anchor")),
        "anchor_balance": r.anchor_balance(),
        "authority_bands": dict(r.authority_bands()),
    }
    return {"target": r.target, "generated_at": r.generated_at, "summary": summary,
            **report_sections(r)}
