"""Backlink exports of Search Console and the SEO tools, read as claims.

An export says "this page links to you"; linkcrawl stores each such row as a *claimed*
backlink (``status: claimed``, ``source: import:<tool>``) that counts nowhere until a recheck
fetches the page and confirms it (:mod:`linkcrawl.history.claims`). The layout of a file is
recognised from its header by column names, compared case-, space- and punctuation-
insensitively, so "Referring page URL", "referring_page_url" and "ReferringPageURL" are one
name. The column lists are taken from the tools' published documentation and help pages
(docs/sources.md says which); none was checked against a real export file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from linkcrawl.analysis.links import TargetMatcher
from linkcrawl.errors import ConfigError
from linkcrawl.history.claims import CLAIM_OUTCOMES, KNOWN, PENDING
from linkcrawl.keys import backlink_key
from linkcrawl.store.base import Store
from linkcrawl.vocab import CLAIMED
from linkcrawl.web.domains import host_of, page_identity, registrable_domain
from linkcrawl.web.urls import normalize_url

BATCH = 500


def column_name(name: str) -> str:
    """The comparable form of a header cell: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", name.lstrip("\ufeff").casefold())


@dataclass(frozen=True, slots=True)
class Layout:
    """One export layout: the columns that identify it and where each value is read."""

    tool: str
    what: str  # the export, as the tool names it
    signature: tuple[str, ...]  # all of these columns must be present
    source: tuple[str, ...]  # the linking page (first present column wins, for each role)
    target: tuple[str, ...] = ()
    anchor: tuple[str, ...] = ()
    first_seen: tuple[str, ...] = ()
    last_seen: tuple[str, ...] = ()
    nofollow: tuple[str, ...] = ()

    def columns(self, header: Sequence[str]) -> dict[str, int] | None:
        """Role -> column index when ``header`` has this layout, else None."""
        index = {column_name(h): i for i, h in reversed(list(enumerate(header)))}
        if not all(column_name(c) in index for c in self.signature):
            return None
        roles: dict[str, int] = {}
        for role in ("source", "target", "anchor", "first_seen", "last_seen", "nofollow"):
            for name in getattr(self, role):
                if column_name(name) in index:
                    roles[role] = index[column_name(name)]
                    break
        return roles if "source" in roles else None


# Most specific first: Semrush, Majestic and Moz all have a "Source URL"-like column.
LAYOUTS: tuple[Layout, ...] = (
    Layout("ahrefs", "Site Explorer > Backlinks export", ("Referring page URL",),
           source=("Referring page URL",), target=("Target URL",), anchor=("Anchor",),
           first_seen=("First seen",), last_seen=("Last seen", "Last check"),
           nofollow=("Nofollow",)),
    Layout("semrush", "Backlink Analytics > Backlinks export", ("Source url", "Page ascore"),
           source=("Source url",), target=("Target url",), anchor=("Anchor",),
           first_seen=("First seen",), last_seen=("Last seen",), nofollow=("Nofollow",)),
    Layout("majestic", "Site Explorer > Backlinks download", ("Source URL", "Source Trust Flow"),
           source=("Source URL",), target=("Target URL",), anchor=("Anchor Text",),
           first_seen=("First Indexed Date", "Source First Found Date", "First Indexed"),
           last_seen=("Last Seen Date", "Source Crawl Date", "Last Seen"),
           nofollow=("Flag No Follow",)),
    Layout("moz", "Link Explorer > Inbound Links export", ("Target URL", "Spam Score"),
           source=("Source URL", "URL"), target=("Target URL",), anchor=("Anchor Text",),
           first_seen=("Date First Seen", "First Seen"),
           last_seen=("Date Last Seen", "Last Seen"), nofollow=("Link Type",)),
    Layout("gsc", "Search Console Links > Latest links export", ("Linking page", "Last crawled"),
           source=("Linking page",), target=("Target page",), last_seen=("Last crawled",)),
    Layout("gsc", "Search Console Links > Top linking pages export", ("Linking page",),
           source=("Linking page",), target=("Target page",)),
)
TOOLS: tuple[str, ...] = tuple(dict.fromkeys(layout.tool for layout in LAYOUTS))
SOURCES: tuple[str, ...] = tuple(f"import:{tool}" for tool in TOOLS)


def detect_layout(header: Sequence[str], where: str = "") -> tuple[Layout, dict[str, int]]:
    """The layout of an export from its header; ConfigError (one line) naming the columns
    found and the ones each known layout needs."""
    for layout in LAYOUTS:
        roles = layout.columns(header)
        if roles is not None:
            return layout, roles
    found = ", ".join(repr(h.lstrip("\ufeff")) for h in header if h.strip()) or "none"
    expected = "; ".join(f"{layout.tool}: {' + '.join(layout.signature)}"
                         for layout in LAYOUTS)
    raise ConfigError(f"{where or 'export'}: unknown layout; columns found: {found}; "
                      f"expected one of {expected}")


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
                 "%Y-%m-%d %H:%M", "%d %b %Y", "%b %d, %Y", "%d/%m/%Y", "%m/%d/%Y %H:%M",
                 "%Y/%m/%d")


def parse_date(value: str) -> datetime | None:
    """A vendor date (several formats, taken as UTC), or None when empty or unreadable."""
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _yes(value: str) -> bool:
    return value.strip().casefold() in ("true", "yes", "1", "nofollow", "y")


def _text_lines(path: Path) -> Iterator[str]:
    """The file's lines, decoded by its byte-order mark (tools export UTF-8 with or without
    one, Ahrefs also UTF-16); streamed, never read whole."""
    with path.open("rb") as raw:
        head = raw.read(4)
        raw.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
        with io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as text:
            yield from text


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


@dataclass
class ImportCounts:
    """What one file gave: rows read, claims written, and why rows were skipped."""

    path: str
    tool: str = ""
    layout: str = ""
    rows: int = 0
    claims: int = 0  # new claimed backlinks
    known: int = 0  # already stored (crawled, or claimed by an earlier import)
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class ClaimRow:
    source_url: str
    target_url: str
    anchor_text: str
    first_seen: datetime | None
    last_seen: datetime | None
    nofollow: bool | None


def read_export(path: Path, counts: ImportCounts) -> Iterator[ClaimRow]:
    """The rows of one export, with ``counts`` filled as it goes (layout, skipped rows)."""
    lines = _text_lines(path)
    first = next(lines, "")
    if not first.strip():
        raise ConfigError(f"{path}: empty file, expected a CSV export with a header row")
    delimiter = _delimiter(first)

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    header = next(reader)
    layout, roles = detect_layout(header, str(path))
    counts.tool, counts.layout = layout.tool, layout.what

    def cell(row: Sequence[str], role: str) -> str:
        i = roles.get(role)
        return row[i].strip() if i is not None and i < len(row) else ""

    for row in reader:
        if not any(c.strip() for c in row):
            continue
        counts.rows += 1
        source = cell(row, "source")
        if not source.lower().startswith(("http://", "https://")):
            counts.skipped["no usable linking page"] += 1
            continue
        nofollow = cell(row, "nofollow")
        yield ClaimRow(source, cell(row, "target"), cell(row, "anchor"),
                       parse_date(cell(row, "first_seen")), parse_date(cell(row, "last_seen")),
                       _yes(nofollow) if nofollow else None)


def claim_doc(row: ClaimRow, tool: str, target: str, now: datetime) -> dict[str, Any] | None:
    """The claimed-backlink document of one row, or None when its target URL is not on
    ``target`` (an export of several sites) or a URL is unusable."""
    try:
        source_url = normalize_url(row.source_url)
        target_url = normalize_url(row.target_url) if row.target_url else ""
    except ValueError:
        return None
    _, source_host, source_domain = page_identity(source_url)
    if target_url:
        target_host = host_of(target_url)
        if not TargetMatcher([target]).match(target_host, registrable_domain(target_host)):
            return None
    else:  # Search Console's lists are per property: the target is the property
        target_host = target
    doc: dict[str, Any] = {
        "key": backlink_key(source_url, target_url, row.anchor_text),
        "source_url": source_url, "source_host": source_host, "source_domain": source_domain,
        "target_url": target_url, "url": target_url, "target_host": target_host,
        "target_domain": registrable_domain(target_host), "anchor_text": row.anchor_text,
        "status": CLAIMED, "source": f"import:{tool}", "claimed_by": [tool],
        "claim_status": PENDING, "claimed_first_seen": row.first_seen,
        "claimed_last_seen": row.last_seen, "seen_at": now,
    }
    if row.nofollow is not None:
        doc["follow"] = not row.nofollow
    return doc


def import_exports(store: Store, paths: Iterable[Path], target: str,
                   now: datetime | None = None) -> list[ImportCounts]:
    """Read each export and write its rows as claims, in batches; links already stored
    keep their record and get the tool added to ``claimed_by``."""
    now = now or datetime.now(UTC)
    results = []
    for path in paths:
        if not path.is_file():
            raise ConfigError(f"cannot read export {str(path)!r}: no such file")
        counts = ImportCounts(str(path))
        batch: dict[str, dict[str, Any]] = {}
        for row in read_export(path, counts):
            doc = claim_doc(row, counts.tool, target, now)
            if doc is None:
                counts.skipped[f"not a link to {target}"] += 1
                continue
            if doc["key"] in batch:
                counts.skipped["repeated row"] += 1
                continue
            batch[doc["key"]] = doc
            if len(batch) >= BATCH:
                _write_claims(store, batch, counts)
                batch = {}
        if batch:
            _write_claims(store, batch, counts)
        results.append(counts)
    return results


def _write_claims(store: Store, batch: Mapping[str, dict[str, Any]], counts: ImportCounts) -> None:
    stored = {d["key"]: d for d in store.find("backlinks", {"key": sorted(batch)})}
    new = [doc for key, doc in batch.items() if key not in stored]
    counts.claims += store.insert_backlinks(new) if new else 0
    updates: dict[str, dict[str, Any]] = {}
    for key, old in stored.items():
        counts.known += 1
        tools = list(old.get("claimed_by") or [])
        if counts.tool in tools:
            continue
        fields: dict[str, Any] = {"claimed_by": [*tools, counts.tool]}
        if old.get("status") != CLAIMED and not old.get("claim_status"):
            fields["claim_status"] = KNOWN
        updates[key] = fields
    if updates:
        store.update_backlinks(updates)


REPORT_COLUMNS: tuple[str, ...] = ("claims", PENDING, *CLAIM_OUTCOMES, KNOWN)


def claim_report(store: Store, targets: Sequence[str]) -> dict[str, Counter[str]]:
    """Per tool: how many of its claims on ``targets`` are pending, confirmed, not found,
    on pages gone or unreachable, or were already known from a crawl."""
    domains = sorted({registrable_domain(t) for t in targets})
    out: dict[str, Counter[str]] = {}
    for doc in store.find("backlinks", {"target_domain": domains}):
        for tool in doc.get("claimed_by") or ():
            row = out.setdefault(tool, Counter())
            row["claims"] += 1
            row[doc.get("claim_status") or PENDING] += 1
    return dict(sorted(out.items()))


def claim_report_text(report: Mapping[str, Counter[str]]) -> str:
    """The report as a small table, one row per tool."""
    if not report:
        return "no imported claims for this target"
    names = ["tool", *(c.replace("_", " ") for c in REPORT_COLUMNS)]
    rows = [[tool, *(str(counts[c]) for c in REPORT_COLUMNS)] for tool, counts in report.items()]
    widths = [max(len(r[i]) for r in [names, *rows]) for i in range(len(names))]
    lines = ["  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                       for i, (v, w) in enumerate(zip(r, widths, strict=True)))
             for r in [names, *rows]]
    return "\n".join(lines)
