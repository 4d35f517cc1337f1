"""Keep what the store could not take: the spill file, its format, and its replay.

The crawl's store writer (:mod:`linkcrawl.ops.writer`) appends batches here when too many
wait for the store (each append fsynced, so a killed process or a power cut leaves them
on disk) and writes the file to the store when it answers again. :class:`Backlog` is the
same on one thread (memory, then the file; :meth:`Backlog.drain`), for tools and tests.
A file left behind is loaded later by :func:`replay` (``linkcrawl replay FILE``). No
Scrapy here.

One record per line: ``CRC {"kind": ..., ...}``, where ``CRC`` is the CRC-32 of the JSON
text (8 hex digits). Each record is appended with one ``write`` and fsynced; a write that
fails (disk full) is cut off again, and a record torn by a kill or a power cut fails its
checksum, so :func:`read_records` skips and reports it and goes on with the next line
(files written before the checksum, lines starting with ``{``, are still read):

- ``pages`` / ``backlinks`` / ``mentions``: ``{"docs": [...]}``, documents as given to the
  store; ``pages`` also has ``"mention_targets"``, the target domains whose mentions the
  crawl looked for on them (their stored mentions not found again become ``gone``);
- ``edges``: ``{"edges": [[source, target, n], ...], "seen_at": ..., "run_id": ...}``;
- ``pairs``: ``{"pairs": [[target_domain, referring_domain], ...]}`` whose rollup and
  reciprocal marks must be refreshed after the documents are in;
- ``run``: ``{"start": {...}, "run_id", "finished_at", "finish_reason", "stats"}``: the run
  record (``start`` as given to ``Store.start_run``).

Datetimes are written as ``{"$date": ISO-8601}``; JSON is ASCII-escaped, so a lone
surrogate survives the round trip (the store pipeline quarantines such documents before
they get here). Writes are upserts keyed as in the store, and written as the crawl writes
them (:func:`linkcrawl.history.sightings.write_batch`:
edited links continue their history, mentions no longer found are marked gone), so
loading a record twice leaves the same documents (edge counts of one run are the
exception: they are sums). A replay never moves a document back in time: a spilled
page, backlink or mention older than what the store holds (a later crawl or recheck
saw it since) is skipped and counted as ``stale``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from linkcrawl.config import setting_default
from linkcrawl.errors import ConfigError, DurabilityError
from linkcrawl.history.refresh import refresh_derived
from linkcrawl.history.sightings import (
    linked_pairs,
    mark_gone_mentions,
    mention_keys,
    write_backlinks,
    write_batch,
)
from linkcrawl.store.base import Store
from linkcrawl.store.schema import mention_doc_key, prepare_backlink, utc

__all__ = ["Backlog", "ReplayCounts", "SpillError", "append_records", "read_records", "replay"]

logger = logging.getLogger(__name__)

Doc = dict[str, Any]
Edges = dict[tuple[str, str], int]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot spill a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$date" in obj:
        return datetime.fromisoformat(obj["$date"])
    return obj


def dump_record(record: Mapping[str, Any]) -> str:
    return json.dumps(record, default=_encode, ensure_ascii=True, separators=(",", ":"))


def frame(record: Mapping[str, Any]) -> bytes:
    """One spill line: the record's CRC-32, a space, its JSON, a newline."""
    text = dump_record(record).encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(text), text)


class SpillError(DurabilityError):
    """The spill file cannot be written (disk full, read-only, gone)."""


def append_records(path: Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Append ``records`` to ``path`` durably (one write, then fsync); bytes written.
    On failure the file is cut back to its old length, so no torn record is left, and
    SpillError is raised."""
    return append_raw(path, b"".join(frame(r) for r in records))


def append_raw(path: Path, data: bytes) -> int:
    """Append framed ``data`` to ``path``: all of it and fsynced, or nothing (SpillError)."""
    if not data:
        return 0
    fd = -1
    start = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        start = os.fstat(fd).st_size
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        if fd >= 0:
            with contextlib.suppress(OSError):  # the write's own error is the one to report
                os.ftruncate(fd, start)
        raise SpillError(f"cannot write spill file {str(path)!r}: "
                         f"{exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    return len(data)


@dataclass
class ReadReport:
    """What :func:`read_records` skipped: line numbers of torn or corrupt records."""

    skipped: list[int] = field(default_factory=list)


def _parse(line: str) -> Any:
    """The record on ``line``, or None when it is torn or corrupt."""
    if line.startswith("{"):  # a file from before the checksums
        try:
            return json.loads(line, object_hook=_decode)
        except json.JSONDecodeError:
            return None
    crc, _, text = line.rstrip("\n").partition(" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(text.encode("utf-8")):
            return None
        return json.loads(text, object_hook=_decode)
    except (ValueError, UnicodeEncodeError):
        return None


def read_records(path: Path, report: ReadReport | None = None) -> Iterator[dict[str, Any]]:
    """The records of a spill file, in order. A torn or corrupt record (killed while
    writing, a bad sector) is skipped with a warning and noted in ``report``; raises
    ConfigError if the file is unreadable or holds no spill record at all."""
    report = report if report is not None else ReadReport()
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read spill file {str(path)!r}: {exc.strerror or exc}") from None
    good = 0
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = _parse(line) if line.endswith("\n") else None
            if isinstance(record, dict) and "kind" in record:
                good += 1
                yield record
                continue
            report.skipped.append(number)
            if good == 0 and number == 1 and not _looks_like_spill(line):
                raise ConfigError(f"{path}: line {number} is not a linkcrawl spill record")
            what = "is torn (the write did not finish)" if not line.endswith("\n") else (
                "is corrupt (checksum or JSON)")
            logger.warning("%s line %d %s; skipped, the other records are read", path,
                           number, what)


def _looks_like_spill(line: str) -> bool:
    head = line[:9]
    return line.startswith('{"kind"') or (len(head) == 9 and head[8] == " " and all(
        c in "0123456789abcdef" for c in head[:8]))


@dataclass
class Backlog:
    """Documents not yet in the store: memory first, then the spill file at ``path``."""

    path: Path
    max_items: int
    pages: list[Doc] = field(default_factory=list)
    backlinks: list[Doc] = field(default_factory=list)
    mentions: list[Doc] = field(default_factory=list)
    looked_for: set[str] = field(default_factory=set)  # target domains of mention searches
    edges: Edges = field(default_factory=dict)
    edges_seen: datetime | None = None
    run_id: str = ""
    spilled: int = 0  # documents written to the file and not yet drained

    @property
    def in_memory(self) -> int:
        return len(self.pages) + len(self.backlinks) + len(self.mentions) + len(self.edges)

    @property
    def pending(self) -> int:
        return self.in_memory + self.spilled

    def keep(self, pages: list[Doc], backlinks: list[Doc], edges: Edges, seen: datetime,
             run_id: str, mentions: Iterable[Doc] = (),
             looked_for: Iterable[str] = ()) -> None:
        """Take a batch the store refused; spill everything once memory holds too much."""
        self.pages.extend(pages)
        self.looked_for.update(looked_for)
        self.backlinks.extend(backlinks)
        self.mentions.extend(mentions)
        for pair, n in edges.items():
            self.edges[pair] = self.edges.get(pair, 0) + n
        self.edges_seen, self.run_id = seen, run_id
        if self.in_memory > self.max_items:
            self.spill()

    def spill(self, extra: Iterable[Mapping[str, Any]] = ()) -> None:
        """Append what is in memory (and ``extra`` records) to the file; empty memory."""
        records: list[Mapping[str, Any]] = []
        if self.pages:
            records.append({"kind": "pages", "docs": self.pages,
                            "mention_targets": sorted(self.looked_for)})
        if self.backlinks:
            records.append({"kind": "backlinks", "docs": self.backlinks})
        if self.mentions:
            records.append({"kind": "mentions", "docs": self.mentions})
        if self.edges:
            records.append({
                "kind": "edges", "edges": [[s, t, n] for (s, t), n in self.edges.items()],
                "seen_at": self.edges_seen, "run_id": self.run_id,
            })
        records.extend(extra)
        if not records:
            return
        append_records(self.path, records)  # raises SpillError; memory is kept then
        self.spilled += self.in_memory
        self.pages, self.backlinks, self.mentions, self.edges = [], [], [], {}

    def drain(self, store: Store) -> ReplayCounts:
        """Write the file's records, then memory, to ``store``; what was written.
        Raises what the store raises, leaving whatever was not written pending."""
        counts = ReplayCounts()
        if self.spilled and self.path.exists():
            counts = replay_into(store, read_records(self.path), refresh=False)
            self.path.unlink()
        self.spilled = 0
        if self.pages or self.backlinks or self.mentions:
            write_batch(store, self.pages, self.backlinks, self.mentions, self.looked_for)
            counts.pages += len(self.pages)
            counts.add_backlinks(self.backlinks)
            counts.mentions += len(self.mentions)
            self.pages, self.backlinks, self.mentions = [], [], []
        if self.edges:
            assert self.edges_seen is not None
            store.add_domain_edges(self.edges, self.edges_seen, self.run_id)
            counts.edges += len(self.edges)
            self.edges = {}
        return counts


@dataclass
class ReplayCounts:
    pages: int = 0
    backlinks: int = 0
    mentions: int = 0
    edges: int = 0
    runs: int = 0
    stale: int = 0  # spilled documents older than the store's: skipped
    torn: list[int] = field(default_factory=list)  # line numbers of records skipped
    pairs: set[tuple[str, str]] = field(default_factory=set)

    @property
    def documents(self) -> int:
        return self.pages + self.backlinks + self.mentions + self.edges

    def add_backlinks(self, docs: Iterable[Mapping[str, Any]]) -> None:
        """Count written backlinks and the (target, referring) pairs to refresh."""
        for doc in docs:
            self.backlinks += 1
            self.pairs.add((doc["target_domain"], doc["source_domain"]))


@dataclass
class _Group:
    """The records of one spill: its pages, then their backlinks and mentions."""

    pages: list[Mapping[str, Any]] = field(default_factory=list)
    looked_for: set[str] = field(default_factory=set)
    sighted: set[str] = field(default_factory=set)
    linked: set[tuple[str, str]] = field(default_factory=set)
    stale_urls: set[str] = field(default_factory=set)  # the store has a newer read of these

    def close(self, store: Store) -> None:
        mark_gone_mentions(store, self.pages, self.looked_for, sighted=self.sighted,
                           linked=self.linked)


STALE_CHUNK = 500
# The times at which a stored document was last known to be in some state.
_STATE_TIMES = ("last_seen", "lost_at", "checked_at", "gone_at")


def _newest(doc: Mapping[str, Any]) -> datetime | None:
    times = [utc(doc[f]) for f in _STATE_TIMES if isinstance(doc.get(f), datetime)]
    return max(times) if times else None


def _newer_in_store(store: Store, collection: str, keyed: Mapping[str, datetime]) -> set[str]:
    """The keys of ``keyed`` whose stored document has a state newer than the given time."""
    field_name = "url" if collection == "pages" else "key"
    keys = sorted(keyed)
    newer: set[str] = set()
    for start in range(0, len(keys), STALE_CHUNK):
        for doc in store.find(collection, {field_name: keys[start:start + STALE_CHUNK]}):
            at = _newest(doc)
            if at is not None and at > keyed[doc[field_name]]:
                newer.add(doc[field_name])
    return newer


def _seen(doc: Mapping[str, Any], name: str) -> datetime | None:
    value = doc.get(name)
    return utc(value) if isinstance(value, datetime) else None


def fresh_pages(store: Store, docs: list[Mapping[str, Any]]) -> tuple[list[Any], set[str]]:
    """The spilled pages the store has no newer read of, and the URLs of the others."""
    keyed = {d["url"]: t for d in docs if (t := _seen(d, "fetched_at")) is not None}
    stale = _newer_in_store(store, "pages", keyed) if keyed else set()
    return [d for d in docs if d["url"] not in stale], stale


def fresh_sightings(store: Store, collection: str, docs: list[Mapping[str, Any]],
                    stale_urls: set[str]) -> list[Any]:
    """The spilled backlinks or mentions that would not move a stored document back in
    time: not on a page the store has read since, not older than their stored state."""
    docs = [d for d in docs if d.get("source_url") not in stale_urls]
    keyed: dict[str, datetime] = {}
    key_of = {}
    for i, doc in enumerate(docs):
        seen = _seen(doc, "seen_at")
        if seen is None:
            continue
        key = (prepare_backlink(doc)[0]["key"] if collection == "backlinks"
               else mention_doc_key(doc))
        key_of[i] = key
        keyed[key] = min(seen, keyed.get(key, seen))
    newer = _newer_in_store(store, collection, keyed) if keyed else set()
    return [d for i, d in enumerate(docs) if key_of.get(i) not in newer]


def replay_into(store: Store, records: Iterable[Mapping[str, Any]], *,
                refresh: bool = True, min_pages: int | None = None) -> ReplayCounts:
    """Write spill records to ``store`` as the crawl would have. With ``refresh``,
    recompute the referring-domain rollup, reciprocal marks and placements of the pairs
    named (a placement is sitewide from ``min_pages`` pages, by default the setting's
    default), then close the run records."""
    counts = ReplayCounts()
    runs: list[Mapping[str, Any]] = []
    group = _Group()
    for record in records:
        kind = record["kind"]
        if kind == "pages":
            group.close(store)  # the previous spill's pages are complete
            docs, stale = fresh_pages(store, record["docs"])
            counts.stale += len(record["docs"]) - len(docs)
            group = _Group(pages=docs, looked_for=set(record.get("mention_targets") or ()),
                           stale_urls=stale)
            if docs:
                store.upsert_pages(docs)
            counts.pages += len(docs)
        elif kind == "backlinks":
            docs = fresh_sightings(store, "backlinks", record["docs"], group.stale_urls)
            counts.stale += len(record["docs"]) - len(docs)
            if docs:
                write_backlinks(store, docs)
            group.linked |= linked_pairs(docs)
            counts.add_backlinks(docs)
        elif kind == "mentions":
            docs = fresh_sightings(store, "mentions", record["docs"], group.stale_urls)
            counts.stale += len(record["docs"]) - len(docs)
            if docs:
                store.upsert_mentions(docs)
            group.sighted |= mention_keys(docs)
            counts.mentions += len(docs)
        elif kind == "edges":
            edges = {(s, t): int(n) for s, t, n in record["edges"]}
            store.add_domain_edges(edges, record["seen_at"], record["run_id"])
            counts.edges += len(edges)
        elif kind == "pairs":
            counts.pairs.update((t, r) for t, r in record["pairs"])
        elif kind == "run":
            runs.append(record)
    group.close(store)
    if refresh:
        if counts.pairs:
            if min_pages is None:
                min_pages = int(setting_default("LINKCRAWL_SITEWIDE_MIN_PAGES"))
            refresh_derived(store, counts.pairs, min_pages=min_pages)
        for run in runs:
            store.start_run(run.get("start") or {"run_id": run["run_id"]})
            store.finish_run(run["run_id"], finished_at=run["finished_at"],
                             finish_reason=run["finish_reason"], stats=run["stats"])
            counts.runs += 1
    return counts


def replay(path: Path, store: Store) -> ReplayCounts:
    """Load a spill file into ``store`` and remove the file once all of it is written.
    Torn records are skipped (their line numbers are in ``torn``); the file is then kept
    beside as ``NAME.torn`` for inspection instead of removed."""
    if not path.is_file():
        raise ConfigError(f"no spill file at {str(path)!r}")
    report = ReadReport()
    counts = replay_into(store, list(read_records(path, report)))
    counts.torn = report.skipped
    if report.skipped:
        path.replace(path.with_name(path.name + ".torn"))
    else:
        path.unlink()
    return counts


# Sent by the store pipeline (a Scrapy signal; any object works as one) when every item it
# has been given is in the store or in the spill file: what the request journal waits for.
items_durable = object()
