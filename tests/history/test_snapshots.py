"""Snapshot references on stored backlinks and the retention rule (linkcrawl.history.snapshots)."""

from __future__ import annotations

from typing import Any

import pytest

from linkcrawl.history.sightings import write_backlinks
from linkcrawl.history.snapshots import (
    ArchiveFile,
    files_to_remove,
    latest_snapshot_files,
    merge_snapshots,
    record_snapshots,
)
from linkcrawl.store import Store
from tests.store.test_contract import T0, T1, key_of, link, store  # noqa: F401  (fixture)


def snap(file: str, offset: int, at: str = "2026-03-03T10:00:00Z") -> dict[str, Any]:
    return {"file": file, "offset": offset, "length": 100, "captured_at": at}


@pytest.mark.parametrize(("old", "keep", "expected"), [
    (None, 5, [("b", 2)]),
    ([], 5, [("b", 2)]),
    ([snap("a", 1)], 5, [("b", 2), ("a", 1)]),
    ([snap("a", 1), snap("a", 0)], 2, [("b", 2), ("a", 1)]),  # bounded: the oldest goes
    ([snap("b", 2), snap("a", 1)], 5, [("b", 2), ("a", 1)]),  # the same record is not twice
    ([snap("a", 1)], 1, [("b", 2)]),
    ([snap("a", 1)], 0, [("b", 2)]),  # the new one is always kept
])
def test_merge_puts_the_new_snapshot_first_and_bounds_the_list(
        old: list[dict[str, Any]] | None, keep: int, expected: list[tuple[str, int]]) -> None:
    merged = merge_snapshots(snap("b", 2), old, keep)
    assert [(s["file"], s["offset"]) for s in merged] == expected


DAY = 86400.0
NOW = 100 * DAY


def files(*spec: tuple[str, int, float]) -> list[ArchiveFile]:
    return [ArchiveFile(path, size, NOW - age_days * DAY) for path, size, age_days in spec]


@pytest.mark.parametrize(("spec", "keep", "keep_days", "max_bytes", "expected"), [
    # no limit: nothing goes
    ([("a", 10, 50), ("b", 10, 1)], set(), 0, 0, []),
    # by age: older than 30 days, oldest first
    ([("b", 10, 40), ("a", 10, 50), ("c", 10, 1)], set(), 30, 0, ["a", "b"]),
    # a referenced file stays however old
    ([("a", 10, 50), ("b", 10, 40)], {"a"}, 30, 0, ["b"]),
    # by size: the oldest until the rest fits
    ([("a", 10, 3), ("b", 10, 2), ("c", 10, 1)], set(), 0, 15, ["a", "b"]),
    ([("a", 10, 3), ("b", 10, 2), ("c", 10, 1)], set(), 0, 20, ["a"]),
    ([("a", 10, 3), ("b", 10, 2), ("c", 10, 1)], set(), 0, 30, []),
    # by size, the oldest referenced: the next oldest goes instead
    ([("a", 10, 3), ("b", 10, 2), ("c", 10, 1)], {"a"}, 0, 20, ["b"]),
    # kept by name wherever the folder is now
    ([("/new/x-1.warc.gz", 10, 50), ("/new/x-2.warc.gz", 10, 40)], {"x-1.warc.gz"}, 30, 0,
     ["/new/x-2.warc.gz"]),
    # a limit only referenced files could meet stays unmet
    ([("a", 10, 3), ("b", 10, 2)], {"a", "b"}, 1, 5, []),
])
def test_retention_removes_whole_unreferenced_files_oldest_first(
        spec: list[tuple[str, int, float]], keep: set[str], keep_days: float, max_bytes: int,
        expected: list[str]) -> None:
    assert files_to_remove(files(*spec), keep=keep, now=NOW, keep_days=keep_days,
                           max_bytes=max_bytes) == expected


def test_references_are_added_by_a_recrawl_and_survive_its_upsert(store: Store) -> None:  # noqa: F811
    first = link("http://a.test/p", "http://t.test/", "Acme", T0)
    other = link("http://a.test/p", "http://t.test/x", "Other", T0)
    write_backlinks(store, [first, other])
    key = key_of(first)
    absent = "0" * 40
    found = record_snapshots(store, {key: snap("f1", 10), absent: snap("f1", 10)}, keep=3)
    assert found == {key}  # a key not stored yet is reported as not found

    write_backlinks(store, [link("http://a.test/p", "http://t.test/", "Acme", T1)])  # re-crawl
    stored = {d["key"]: d for d in store.find("backlinks")}
    assert stored[key]["snapshot"] == snap("f1", 10), "the re-crawl's upsert dropped it"
    record_snapshots(store, {key: snap("f2", 20, "2026-03-04T10:00:00Z")}, keep=3)

    stored = {d["key"]: d for d in store.find("backlinks")}
    assert stored[key]["snapshot"]["file"] == "f2"
    assert [(s["file"], s["offset"]) for s in stored[key]["snapshots"]] == [("f2", 20),
                                                                           ("f1", 10)]
    assert not stored[key_of(other)].get("snapshot")
    assert stored[key_of(other)].get("snapshots") in (None, [])
    assert latest_snapshot_files(store) == {"f2"}
