"""Keep what the store could not take: a bounded memory buffer, then an append-only file.

While the store is down, documents wait in memory; past ``max_items`` they are appended
to a JSON-lines spill file (flushed to the OS on every write, so a killed process leaves
them on disk). When the store is back, :meth:`Backlog.drain` writes memory and file to
it and removes the file. A file left behind is loaded later by :func:`replay`
(``linkcrawl replay FILE``). No Scrapy here: the store pipeline drives it.

One record per line, ``{"kind": ..., ...}``:

- ``pages`` / ``backlinks`` / ``mentions``: ``{"docs": [...]}``, documents as given to the
  store; ``pages`` also has ``"mention_targets"``, the target domains whose mentions the
  crawl looked for on them (their stored mentions not found again become ``gone``);
- ``edges``: ``{"edges": [[source, target, n], ...], "seen_at": ..., "run_id": ...,
  "writer": ..., "batch": ...}``, one record per batch of the crawl (``writer``/``batch``
  number it, see :meth:`linkcrawl.store.base.Store.add_domain_edges`);
- ``pairs``: ``{"pairs": [[target_domain, referring_domain], ...]}`` whose rollup and
  reciprocal marks must be refreshed after the documents are in;
- ``run``: ``{"start": {...}, "run_id", "finished_at", "finish_reason", "stats"}``: the run
  record (``start`` as given to ``Store.start_run``).

Datetimes are written as ``{"$date": ISO-8601}``. Writes are upserts keyed as in the
store, and written as the crawl writes them (:func:`linkcrawl.history.sightings.write_batch`:
edited links continue their history, mentions no longer found are marked gone), so
loading a record twice leaves the same documents (edge counts are sums, but each batch
carries its number and an edge counts a batch once).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from linkcrawl.config import setting_default
from linkcrawl.errors import ConfigError
from linkcrawl.history.refresh import refresh_derived
from linkcrawl.history.sightings import (
    linked_pairs,
    mark_gone_mentions,
    mention_keys,
    write_backlinks,
    write_batch,
)
from linkcrawl.store.base import Store

__all__ = ["Backlog", "EdgeBatch", "ReplayCounts", "read_records", "replay"]

logger = logging.getLogger(__name__)

Doc = dict[str, Any]
Edges = dict[tuple[str, str], int]


@dataclass
class EdgeBatch:
    """One batch of domain-graph counts, kept whole: its number makes its sum idempotent."""

    edges: Edges
    seen_at: datetime
    run_id: str
    batch: tuple[str, int] | None = None

    def write(self, store: Store) -> None:
        store.add_domain_edges(self.edges, self.seen_at, self.run_id, batch=self.batch)


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
    return json.dumps(record, default=_encode, ensure_ascii=False, separators=(",", ":"))


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a spill file, in order. A torn last line (the process was killed
    while writing it) is skipped with a warning; raises ConfigError if unreadable or not
    a spill file."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read spill file {str(path)!r}: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line, object_hook=_decode)
            except json.JSONDecodeError:
                if line.endswith("\n"):
                    raise ConfigError(
                        f"{path}: line {number} is not a linkcrawl spill record"
                    ) from None
                logger.warning("%s line %d is not a complete record; skipped", path, number)
                continue
            if isinstance(record, dict) and "kind" in record:
                yield record
            else:
                raise ConfigError(f"{path}: line {number} is not a linkcrawl spill record")


@dataclass
class Backlog:
    """Documents not yet in the store: memory first, then the spill file at ``path``."""

    path: Path
    max_items: int
    pages: list[Doc] = field(default_factory=list)
    backlinks: list[Doc] = field(default_factory=list)
    mentions: list[Doc] = field(default_factory=list)
    looked_for: set[str] = field(default_factory=set)  # target domains of mention searches
    edges: list[EdgeBatch] = field(default_factory=list)
    spilled: int = 0  # documents written to the file and not yet drained

    @property
    def in_memory(self) -> int:
        return (len(self.pages) + len(self.backlinks) + len(self.mentions)
                + sum(len(b.edges) for b in self.edges))

    @property
    def pending(self) -> int:
        return self.in_memory + self.spilled

    def keep(self, pages: list[Doc], backlinks: list[Doc], edges: Edges, seen: datetime,
             run_id: str, mentions: Iterable[Doc] = (),
             looked_for: Iterable[str] = (), batch: tuple[str, int] | None = None) -> None:
        """Take a batch the store refused (``batch`` numbers its edges, see
        :class:`EdgeBatch`); spill everything once memory holds too much."""
        self.pages.extend(pages)
        self.looked_for.update(looked_for)
        self.backlinks.extend(backlinks)
        self.mentions.extend(mentions)
        if edges:
            self.edges.append(EdgeBatch(dict(edges), seen, run_id, batch))
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
        for edges in self.edges:
            writer, number = edges.batch or (None, None)
            records.append({
                "kind": "edges", "edges": [[s, t, n] for (s, t), n in edges.edges.items()],
                "seen_at": edges.seen_at, "run_id": edges.run_id, "writer": writer,
                "batch": number,
            })
        records.extend(extra)
        if not records:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(dump_record(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.spilled += self.in_memory
        self.pages, self.backlinks, self.mentions, self.edges = [], [], [], []

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
        while self.edges:  # oldest first; a batch leaves memory once it is written
            self.edges[0].write(store)
            counts.edges += len(self.edges.pop(0).edges)
        return counts


@dataclass
class ReplayCounts:
    pages: int = 0
    backlinks: int = 0
    mentions: int = 0
    edges: int = 0
    runs: int = 0
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

    def close(self, store: Store) -> None:
        mark_gone_mentions(store, self.pages, self.looked_for, sighted=self.sighted,
                           linked=self.linked)


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
            group = _Group(pages=record["docs"], looked_for=set(record.get("mention_targets")
                                                                  or ()))
            store.upsert_pages(record["docs"])
            counts.pages += len(record["docs"])
        elif kind == "backlinks":
            write_backlinks(store, record["docs"])
            group.linked |= linked_pairs(record["docs"])
            counts.add_backlinks(record["docs"])
        elif kind == "mentions":
            store.upsert_mentions(record["docs"])
            group.sighted |= mention_keys(record["docs"])
            counts.mentions += len(record["docs"])
        elif kind == "edges":
            edges = {(s, t): int(n) for s, t, n in record["edges"]}
            number = record.get("batch")
            batch = None if number is None else (str(record["writer"]), int(number))
            EdgeBatch(edges, record["seen_at"], record["run_id"], batch).write(store)
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
    """Load a spill file into ``store`` and remove the file once all of it is written."""
    if not path.is_file():
        raise ConfigError(f"no spill file at {str(path)!r}")
    counts = replay_into(store, list(read_records(path)))
    path.unlink()
    return counts


# Sent by the store pipeline (a Scrapy signal; any object works as one) when every item it
# has been given is in the store or in the spill file: what the request journal waits for.
items_durable = object()
