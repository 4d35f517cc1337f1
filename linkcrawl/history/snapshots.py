"""Where a backlink's page snapshots are, and which archive files may go.

A crawl with ``LINKCRAWL_ARCHIVE_DIR`` writes the pages that hold backlinks to WARC files
(:mod:`linkcrawl.ops.archive`); this module decides what a stored backlink remembers of
them and what retention may delete. It decides; the store reads and writes.

- ``snapshot`` is the latest capture: ``{file, offset, length, captured_at}`` (the WARC
  file's absolute path, the response record's byte offset and length, the capture time as
  ISO-8601 UTC text);
- ``snapshots`` lists the captures, newest first, at most ``LINKCRAWL_ARCHIVE_SNAPSHOTS``:
  a re-crawl adds its capture and keeps the references of earlier ones, so "it was there
  on 3 March" keeps its proof while that file is kept;
- retention never removes a file that holds any stored backlink's latest snapshot (live or
  lost: a lost link's last capture is the proof a dispute needs), nor a file of the run
  being written; among the others it removes whole files, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linkcrawl.store.base import Store

CHUNK = 500  # bounded IN lists

Snapshot = dict[str, Any]


def merge_snapshots(new: Snapshot, old: Sequence[Mapping[str, Any]] | None, keep: int
                    ) -> list[Snapshot]:
    """``new`` first, then the older references that are not the same record, at most
    ``keep`` in all (at least the new one)."""
    out = [dict(new)]
    for snap in old or ():
        if len(out) >= max(1, keep):
            break
        if (snap.get("file"), snap.get("offset")) != (new.get("file"), new.get("offset")):
            out.append(dict(snap))
    return out


def record_snapshots(store: Store, snapshots: Mapping[str, Snapshot], keep: int) -> set[str]:
    """Set ``snapshot`` and prepend to ``snapshots`` on the stored backlinks of these keys;
    returns the keys found (a backlink not written yet is left for a later call)."""
    keys = sorted(snapshots)
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        updates: dict[str, dict[str, Any]] = {}
        for doc in store.find("backlinks", {"key": chunk}):
            new = snapshots[doc["key"]]
            updates[doc["key"]] = {"snapshot": dict(new),
                                   "snapshots": merge_snapshots(new, doc.get("snapshots"), keep)}
        if updates:
            store.update_backlinks(updates)
            found.update(updates)
    return found


def file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def latest_snapshot_files(store: Store) -> set[str]:
    """The names of the files that hold some stored backlink's latest snapshot (retention
    keeps them). Names, not paths: run ids make them unique, and a folder moved since keeps
    its protection. Reads every backlink: once at the end of a crawl, when a limit is set."""
    return {file_name(str(doc["snapshot"]["file"])) for doc in store.find("backlinks")
            if isinstance(doc.get("snapshot"), Mapping) and doc["snapshot"].get("file")}


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    path: str
    size: int
    mtime: float  # seconds since the epoch


def files_to_remove(files: Iterable[ArchiveFile], *, keep: set[str], now: float,
                    keep_days: float = 0.0, max_bytes: int = 0) -> list[str]:
    """The files retention removes, oldest first: those older than ``keep_days`` (0: no age
    limit), then the oldest while the archive is larger than ``max_bytes`` (0: no size
    limit), never one whose name is in ``keep``. A limit that only kept files can meet
    stays unmet."""
    ordered = sorted(files, key=lambda f: (f.mtime, f.path))
    total = sum(f.size for f in ordered)
    removed: list[str] = []
    for f in ordered:
        if file_name(f.path) in keep:
            continue
        too_old = keep_days > 0 and now - f.mtime > keep_days * 86400
        too_big = max_bytes > 0 and total > max_bytes
        if too_old or too_big:
            removed.append(f.path)
            total -= f.size
    return removed
