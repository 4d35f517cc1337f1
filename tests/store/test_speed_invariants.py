"""The SQLite sighting fast path (``_sqlwrite.seen_upserts``) stores exactly what the
general path (``prepare`` then ``upserts``) stores, for ordinary and unusual documents."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.store import _sqlwrite
from linkcrawl.store.sqlite import SQLiteStore

T0 = datetime(2026, 11, 26, 4, 0, 0, 123456, tzinfo=UTC)


def _links() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for i in range(60):
        target = f"http://acme.test/p{i % 4}"
        doc: dict[str, Any] = {
            "source_url": f"http://blog{i % 5}.test/post{i}", "normalized_url": target,
            "url": target, "href": target, "anchor_text": f"anchor {i} café \"q\"",
            "rel": ["nofollow"] if i % 2 else [], "follow": i % 3 != 0, "is_image": 0,
            "location": "content", "location_evidence": ["tag:p"], "evidence": None,
            "source_domain": f"blog{i % 5}.test", "target_domain": "acme.test",
            "seen_at": T0, "run_id": "r1",
        }
        kind = i % 8
        if kind == 1:
            doc["seen_at"] = T0.replace(tzinfo=None) + timedelta(microseconds=i)
        elif kind == 2:
            doc["seen_at"] = T0.astimezone(timezone(timedelta(hours=2)))
        elif kind == 3:
            doc["first_seen"] = T0 - timedelta(days=2, microseconds=999)
        elif kind == 4:
            doc["key"] = f"given-{i}"
        elif kind == 5:
            doc["rel"], doc["key"] = ("ugc", "sponsored"), ""
        elif kind == 6:
            doc["custom"] = {"n": i, "at": T0}  # undocumented: the general path
        elif kind == 7:
            doc.update(status="lost", lost_at=T0, checked_at=T0,
                       history=[{"at": T0, "event": "seen"}], location_evidence=["é", 1])
        if i % 5 == 0:
            doc["target_url"] = doc.pop("normalized_url")
        docs.append(doc)
    return docs


def _mentions() -> list[dict[str, Any]]:
    return [
        {"source_url": f"http://m.test/p{i}", "target_domain": "acme.test", "term": "acme",
         "target": None if i % 2 else "acme.test/x", "occurrences": i, "seen_at": T0,
         **({"key": f"mk{i}"} if i % 3 == 0 else {}), **({"note": i} if i % 7 == 0 else {})}
        for i in range(30)
    ]


def _write(path: Path) -> None:
    store = SQLiteStore(str(path), f"sqlite:///{path}")
    try:
        links = _links()
        store.upsert_backlinks(links)
        later = [dict(d, seen_at=T0 + timedelta(hours=1)) for d in links[::2]]
        for d in later:  # indexed columns change under a given key (a second statement)
            if d.get("key"):
                d.update(source_domain="moved.test", target_domain=None)
        later.append(dict(later[2], source_domain="twice-in-a-batch.test"))
        store.upsert_backlinks(later)
        store.upsert_mentions(_mentions())
    finally:
        store.close()


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY key").fetchall()
            for table in ("backlinks", "mentions")
        }
    finally:
        db.close()


def test_fast_sighting_path_stores_what_the_general_path_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sqlwrite, "_PLANS", {})
    _write(tmp_path / "fast.db")
    assert {c for c, *_ in _sqlwrite._PLANS} == {"backlinks", "mentions"}  # fast path ran
    monkeypatch.setattr(_sqlwrite, "FAST_SEEN", frozenset())
    _write(tmp_path / "general.db")
    fast, general = _rows(tmp_path / "fast.db"), _rows(tmp_path / "general.db")
    assert len(fast["backlinks"]) == 60 and len(fast["mentions"]) == 30
    assert fast == general
