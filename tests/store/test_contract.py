"""One contract for every store: SQLite, the mongomock-ng fake and (when configured) MongoDB.

Set LINKCRAWL_TEST_MONGODB_URI (e.g. mongodb://127.0.0.1:27017) to run the contract against
a real server; each test gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from pymongo.errors import AutoReconnect, BulkWriteError

from linkcrawl.errors import StoreError
from linkcrawl.keys import backlink_key
from linkcrawl.store import MongoStore, SQLiteStore, Store, mask_uri, open_store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)
T3 = T0 + timedelta(days=3)
MONGO_ENV = "LINKCRAWL_TEST_MONGODB_URI"


def _real_mongo_uri(db_name: str) -> str:
    base = os.environ[MONGO_ENV]
    head, _, query = base.partition("?")
    scheme, _, rest = head.partition("://")
    hosts = rest[rest.rfind("@") + 1 :].split("/", 1)[0]
    userinfo = rest[: rest.rfind("@") + 1]
    return f"{scheme}://{userinfo}{hosts}/{db_name}" + (f"?{query}" if query else "")


@pytest.fixture(
    params=["sqlite", "mongomock", pytest.param("mongodb", marks=pytest.mark.mongo_real)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    db_name = f"linkcrawl_test_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path}/store.db"
    elif request.param == "mongomock":
        uri = f"mongomock://{db_name}"
    else:
        if not os.environ.get(MONGO_ENV):
            pytest.skip(f"{MONGO_ENV} not set: real MongoDB contract run skipped")
        uri = _real_mongo_uri(db_name)
    opened = open_store(uri, timeout_ms=3000)
    yield opened
    opened.close()
    if request.param == "mongodb":
        from pymongo import MongoClient

        with MongoClient(uri, serverSelectionTimeoutMS=3000) as client:
            client.drop_database(db_name)


def link(src: str, dst: str, anchor: str, seen: datetime, **fields: Any) -> dict[str, Any]:
    """A backlink document as the writer passes it (every documented field set)."""
    src_host, dst_host = src.split("/")[2], dst.split("/")[2]
    doc = {
        "source_url": src, "source_host": src_host, "source_domain": src_host,
        "target_url": dst, "url": dst, "href": dst, "target_host": dst_host,
        "target_domain": dst_host, "anchor_text": anchor, "rel": [], "follow": True,
        "tag": "a", "is_image": False, "in_noscript": False, "location": "content",
        "location_confidence": 0.9, "location_evidence": ["tag:article"],
        "link_type": "editorial", "confidence": 0.8, "evidence": ["location:content"],
        "context": f"text around {anchor}", "dom_path": "article > p > a", "wrapper": "",
        "page_type": "article", "run_id": "r1", "seen_at": seen,
    }
    doc.update(fields)
    return doc


def key_of(doc: dict[str, Any]) -> str:
    return backlink_key(doc["source_url"], doc["target_url"], doc["anchor_text"])


def by_key(store: Store) -> dict[str, dict[str, Any]]:
    return {d["key"]: d for d in store.find("backlinks")}


# --- upserts ----------------------------------------------------------------------------
def test_upserting_backlinks_twice_keeps_count_and_first_seen(store: Store) -> None:
    links = [link("http://a.test/p", "http://t.test/", f"anchor {i}", T0) for i in range(3)]
    store.upsert_backlinks(links)
    store.upsert_backlinks([{**d, "seen_at": T1, "context": "changed"} for d in links])

    assert store.count("backlinks") == 3
    for doc in store.find("backlinks"):
        assert doc["key"] == key_of(doc)
        assert (doc["first_seen"], doc["last_seen"]) == (T0, T1)
        assert doc["context"] == "changed"
        assert doc["status"] == "live"
        assert (doc["lost_at"], doc["lost_reason"], doc["history"]) == (None, None, [])


def test_backlink_fields_round_trip_with_their_types(store: Store) -> None:
    doc = link("http://a.test/p", "http://t.test/x", "Anchor", T0, rel=["nofollow", "ugc"],
               follow=False, is_image=True, location_confidence=0.75)
    store.upsert_backlinks([doc])
    (back,) = store.find("backlinks")
    expected = {k: v for k, v in doc.items() if k != "seen_at"}
    assert {k: back[k] for k in expected} == expected
    assert back["follow"] is False and back["is_image"] is True


def test_same_link_twice_in_one_batch_is_one_document(store: Store) -> None:
    doc = link("http://a.test/p", "http://t.test/", "A", T0)
    later = {**doc, "seen_at": T1, "link_type": "comment"}
    del later["context"]  # a different set of fields: applied after the first, in order
    store.upsert_backlinks([doc, later])
    (back,) = store.find("backlinks")
    assert (back["first_seen"], back["last_seen"], back["link_type"]) == (T0, T1, "comment")
    assert back["context"] == doc["context"]


def test_upsert_leaves_history_alone_unless_given(store: Store) -> None:
    doc = link("http://a.test/p", "http://t.test/", "A", T0)
    store.upsert_backlinks([doc])
    history = [{"at": T1, "event": "lost", "detail": "404"}]
    store.update_backlinks({key_of(doc): {"history": history}})
    store.upsert_backlinks([{**doc, "seen_at": T2}])
    assert store.find("backlinks")[0]["history"] == history

    replaced = [*history, {"at": T3, "event": "found", "detail": ""}]
    store.upsert_backlinks([{**doc, "seen_at": T3, "history": replaced}])
    assert store.find("backlinks")[0]["history"] == replaced


def test_reupsert_marks_a_lost_link_live_again(store: Store) -> None:
    doc = link("http://a.test/p", "http://t.test/", "A", T0)
    store.upsert_backlinks([doc])
    store.update_backlinks(
        {key_of(doc): {"status": "lost", "lost_at": T1, "lost_reason": "http_404"}}
    )
    assert store.count("backlinks", {"status": "lost"}) == 1

    store.upsert_backlinks([{**doc, "seen_at": T2}])
    (back,) = store.find("backlinks")
    assert (back["status"], back["lost_at"], back["lost_reason"]) == ("live", None, None)
    assert (back["first_seen"], back["last_seen"]) == (T0, T2)


def test_update_backlinks_sets_only_the_given_fields_of_existing_links(store: Store) -> None:
    doc = link("http://a.test/p", "http://t.test/", "A", T0)
    store.upsert_backlinks([doc])
    before = store.find("backlinks")[0]
    store.update_backlinks({key_of(doc): {"status": "lost"}, "no-such-key": {"status": "lost"}})
    assert store.count("backlinks") == 1
    assert store.find("backlinks")[0] == {**before, "status": "lost"}


def test_upserting_pages_twice_keeps_first_seen(store: Store) -> None:
    page = {
        "url": "http://a.test/p", "final_url": "http://a.test/p", "status": 200,
        "host": "a.test", "domain": "a.test", "title": "Old", "language": "en",
        "canonical": "", "meta_robots": ["noindex"], "x_robots": [], "page_type": "article",
        "page_type_confidence": 0.7, "page_type_evidence": ["page:og_type=article"],
        "outlink_count": 4, "via_browser": False, "error": "", "spider": "discover",
        "run_id": "r1", "fetched_at": T0, "links": [{"not": "stored"}],
    }
    store.upsert_pages([page, {**page, "url": "http://a.test/q", "meta_robots": []}])
    store.upsert_pages([{**page, "title": "New", "fetched_at": T1}])

    assert store.count("pages") == 2
    (doc,) = store.find("pages", {"url": "http://a.test/p"})
    assert (doc["title"], doc["first_seen"], doc["last_seen"]) == ("New", T0, T1)
    assert (doc["noindex"], doc["nofollow"]) == (True, False)
    assert "links" not in doc and "fetched_at" not in doc
    assert store.find("pages", {"url": "http://a.test/q"})[0]["noindex"] is False


# --- referring domains ---------------------------------------------------------------------
def _rollup_fixture(store: Store) -> None:
    """Three referring domains; the expected numbers below are counted by hand."""
    store.upsert_backlinks([
        link("http://a.test/p1", "http://t.test/x", "one", T0),
        link("http://a.test/p1", "http://t.test/y", "two", T1, follow=False, rel=["nofollow"],
             link_type="comment", location="comment"),
        link("http://a.test/p2", "http://t.test/x", "three", T2, link_type="directory",
             location="sidebar"),
        link("http://b.test/q", "http://t.test/", "b", T1, location="footer"),
        link("http://c.test/", "http://u.test/", "c", T0, link_type="partner",
             location="navigation"),
    ])
    lost = {"status": "lost", "lost_at": T3, "lost_reason": "link_removed"}
    store.update_backlinks({
        key_of(link("http://a.test/p2", "http://t.test/x", "three", T2)): lost,
        key_of(link("http://b.test/q", "http://t.test/", "b", T1)): lost,
    })


EXPECTED_ROLLUP = {
    ("t.test", "a.test"): {
        "backlinks": 3, "live_backlinks": 2, "followed_backlinks": 1, "pages": 2,
        "link_types": ["comment", "editorial"], "locations": ["comment", "content"],
        "first_seen": T0, "last_seen": T2, "status": "live",
    },
    ("t.test", "b.test"): {
        "backlinks": 1, "live_backlinks": 0, "followed_backlinks": 0, "pages": 1,
        "link_types": [], "locations": [], "first_seen": T1, "last_seen": T1,
        "status": "lost",
    },
    ("u.test", "c.test"): {
        "backlinks": 1, "live_backlinks": 1, "followed_backlinks": 1, "pages": 1,
        "link_types": ["partner"], "locations": ["navigation"], "first_seen": T0,
        "last_seen": T0, "status": "live",
    },
}


ROLLUP_FIELDS = set(EXPECTED_ROLLUP[("t.test", "a.test")])


def _rollup_rows(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """The computed fields per pair; fields the rollup does not compute (``authority``,
    reserved for a later score) must be there and still empty."""
    rows = {}
    for doc in store.find("referring_domains"):
        pair = (doc.pop("target_domain"), doc.pop("referring_domain"))
        assert doc["authority"] is None
        computed_elsewhere = ROLLUP_FIELDS | {"best_link", "best_anchor"}  # see below
        assert all(doc[name] is None for name in doc.keys() - computed_elsewhere)
        rows[pair] = {name: doc[name] for name in ROLLUP_FIELDS}
    return rows


def test_referring_domains_rollup_numbers(store: Store) -> None:
    _rollup_fixture(store)
    assert store.refresh_referring_domains() == 3
    assert _rollup_rows(store) == EXPECTED_ROLLUP
    assert store.refresh_referring_domains() == 3  # idempotent
    assert store.count("referring_domains") == 3


def test_referring_domains_store_the_best_link(store: Store) -> None:
    """Live beats lost, followed beats nofollow, then content beats footer (docs/collections.md)."""
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    store.upsert_backlinks([
        # a.test: the content link is lost and the other content link is nofollow, so the
        # followed footer link is worth most
        link("http://a.test/1", "http://t.test/", "lost body", t0),
        link("http://a.test/2", "http://t.test/", "nofollow body", t0, follow=False),
        link("http://a.test/3", "http://t.test/", "footer", t0, location="footer",
             link_type="other"),
        # b.test: a followed content link beats a followed sidebar link
        link("http://b.test/9", "http://t.test/", "sidebar", t0, location="sidebar",
             link_type="other"),
        link("http://b.test/8", "http://t.test/", "body", t0),
    ])
    lost = backlink_key("http://a.test/1", "http://t.test/", "lost body")
    store.update_backlinks({lost: {"status": "lost", "lost_reason": "link_removed"}})
    store.refresh_referring_domains()
    best = {(r["referring_domain"]): (r["best_link"], r["best_anchor"])
            for r in store.find("referring_domains")}
    assert best == {"a.test": ("http://a.test/3", "footer"),
                    "b.test": ("http://b.test/8", "body")}


def test_referring_domains_refresh_of_some_pairs(store: Store) -> None:
    _rollup_fixture(store)
    assert store.refresh_referring_domains([("t.test", "b.test")]) == 1
    assert _rollup_rows(store) == {("t.test", "b.test"): EXPECTED_ROLLUP[("t.test", "b.test")]}

    store.upsert_backlinks([link("http://b.test/q", "http://t.test/", "b", T3)])  # found again
    assert store.refresh_referring_domains([("t.test", "b.test"), ("t.test", "zzz.test")]) == 1
    row = _rollup_rows(store)[("t.test", "b.test")]
    assert (row["status"], row["live_backlinks"], row["last_seen"]) == ("live", 1, T3)
    assert store.count("referring_domains") == 1
    assert store.refresh_referring_domains([]) == 0


def test_referring_domains_filter_by_target(store: Store) -> None:
    _rollup_fixture(store)
    store.refresh_referring_domains()
    rows = store.find("referring_domains", {"target_domain": "t.test"},
                      sort=[("backlinks", -1)])
    assert [r["referring_domain"] for r in rows] == ["a.test", "b.test"]
    assert store.count("referring_domains", {"status": "live", "link_types": "partner"}) == 1


# --- domain edges and runs -------------------------------------------------------------
def test_domain_edges_sum_within_a_run_and_restart_in_a_new_one(store: Store) -> None:
    store.add_domain_edges({("a.test", "t.test"): 3, ("b.test", "t.test"): 1}, T0, "r1")
    store.add_domain_edges({("a.test", "t.test"): 2}, T1, "r1")
    (edge,) = store.find("domain_edges", {"source_domain": "a.test"})
    assert edge == {"source_domain": "a.test", "target_domain": "t.test", "links": 5,
                    "first_seen": T0, "last_seen": T1, "run_id": "r1"}

    store.add_domain_edges({("a.test", "t.test"): 4}, T2, "r2")
    (edge,) = store.find("domain_edges", {"source_domain": "a.test"})
    assert (edge["links"], edge["run_id"], edge["first_seen"], edge["last_seen"]) == (
        4, "r2", T0, T2)
    assert store.count("domain_edges", {"target_domain": "t.test"}) == 2


def test_runs_start_and_finish(store: Store) -> None:
    store.start_run({"run_id": "r1", "spider": "discover", "started_at": T0,
                     "args": {"targets": ["t.test"], "depth": 2},
                     "store_uri": "mongodb://bob:hunter2@db.test/linkcrawl"})
    (run,) = store.find("runs")
    assert run["finished_at"] is None and run["stats"] == {}
    assert run["store_uri"] == "mongodb://bob:***@db.test/linkcrawl"

    store.finish_run("r1", finished_at=T1, finish_reason="finished",
                     stats={"item_scraped_count": 7, "start_time": T0})
    (run,) = store.find("runs", {"run_id": "r1"})
    assert run == {
        "run_id": "r1", "spider": "discover", "args": {"targets": ["t.test"], "depth": 2},
        "store_uri": "mongodb://bob:***@db.test/linkcrawl", "started_at": T0,
        "finished_at": T1, "finish_reason": "finished",
        "stats": {"item_scraped_count": 7, "start_time": "2026-03-01T12:00:00.000+00:00"},
    }


def test_run_without_store_uri_records_the_masked_store_uri(store: Store) -> None:
    store.start_run({"run_id": "r9", "spider": "recheck", "started_at": T0})
    assert store.find("runs")[0]["store_uri"] == store.masked_uri == mask_uri(store.uri)


# --- reads ---------------------------------------------------------------------------------
@pytest.fixture
def three_links(store: Store) -> Store:
    store.upsert_backlinks([
        link("http://a.test/1", "http://t.test/", "alpha", T0, rel=["nofollow"], follow=False),
        link("http://b.test/2", "http://t.test/", "beta", T1, link_type="comment"),
        link("http://c.test/3", "http://u.test/", "gamma", T2, rel=["ugc", "nofollow"],
             follow=False, link_type="comment"),
    ])
    return store


@pytest.mark.parametrize(
    ("where", "anchors"),
    [
        (None, ["alpha", "beta", "gamma"]),
        ({"target_domain": "t.test"}, ["alpha", "beta"]),
        ({"source_domain": ["a.test", "c.test"]}, ["alpha", "gamma"]),
        ({"source_domain": []}, []),
        ({"link_type": "comment", "target_domain": "t.test"}, ["beta"]),
        ({"follow": False}, ["alpha", "gamma"]),
        ({"rel": "nofollow"}, ["alpha", "gamma"]),  # a list field contains the value
        ({"rel": ["ugc", "sponsored"]}, ["gamma"]),
        ({"first_seen": T1}, ["beta"]),
        ({"lost_at": None}, ["alpha", "beta", "gamma"]),
        ({"status": ["lost", None]}, []),
    ],
)
def test_find_and_count_with_where(
    three_links: Store, where: dict[str, Any] | None, anchors: list[str]
) -> None:
    found = three_links.find("backlinks", where)
    assert sorted(d["anchor_text"] for d in found) == anchors
    assert three_links.count("backlinks", where) == len(anchors)


def test_find_sorts_and_limits(three_links: Store) -> None:
    def anchors(**kw: Any) -> list[str]:
        return [d["anchor_text"] for d in three_links.find("backlinks", **kw)]

    assert anchors(sort=[("first_seen", -1)]) == ["gamma", "beta", "alpha"]
    assert anchors(sort=[("link_type", 1), ("anchor_text", -1)]) == ["gamma", "beta", "alpha"]
    assert anchors(sort=[("anchor_text", 1)], limit=2) == ["alpha", "beta"]
    assert anchors(where={"follow": True}, sort=[("anchor_text", 1)], limit=5) == ["beta"]


def test_datetimes_come_back_utc_aware_with_millisecond_precision(store: Store) -> None:
    naive = datetime(2026, 3, 1, 12, 0, 0, 123456)
    plus2 = datetime(2026, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    store.upsert_backlinks([
        link("http://a.test/", "http://t.test/", "naive", naive),
        link("http://a.test/", "http://t.test/", "plus2", plus2),
    ])
    seen = {d["anchor_text"]: d["first_seen"] for d in store.find("backlinks")}
    assert seen == {"naive": T0.replace(microsecond=123000), "plus2": T0}
    assert all(t.utcoffset() == timedelta(0) for t in seen.values())


def test_undocumented_fields_are_kept(store: Store) -> None:
    store.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T0, campaign="spring",
                                 seen_by=["x"])])
    store.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T1, campaign="fall")])
    (doc,) = store.find("backlinks", {"campaign": "fall"})
    assert (doc["campaign"], doc["seen_by"]) == ("fall", ["x"])
    with pytest.raises(ValueError, match="not a plain identifier"):
        store.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T1, **{"a.b": 1})])


def test_unknown_collection_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown collection"):
        store.find("links")


# --- SQLite specifics ------------------------------------------------------------------------
def test_sqlite_file_keeps_data_across_reopen(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/keep.db"
    with open_store(uri) as first:
        first.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T0)])
        first.add_domain_edges({("a.test", "t.test"): 1}, T0, "r1")
    with open_store(uri) as second:
        assert isinstance(second, SQLiteStore)
        assert second.count("backlinks") == 1 and second.count("domain_edges") == 1
        assert second.find("backlinks")[0]["first_seen"] == T0


def test_sqlite_columns_are_plain_sql(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/plain.db"
    with open_store(uri) as store:
        store.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T0,
                                     rel=["nofollow"], follow=False, campaign="x")])
    with sqlite3.connect(tmp_path / "plain.db") as db:
        row = db.execute(
            "SELECT rel, follow, first_seen, json_extract(extra, '$.campaign') FROM backlinks"
            " WHERE EXISTS (SELECT 1 FROM json_each(rel) WHERE value = 'nofollow')"
        ).fetchone()
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert row == ('["nofollow"]', 0, "2026-03-01T12:00:00.000+00:00", "x")
    assert journal == "wal"


def test_sqlite_and_mongo_fake_give_the_same_documents(tmp_path: Path) -> None:
    results = []
    for uri in (f"sqlite:///{tmp_path}/same.db", f"mongomock://same_{uuid.uuid4().hex[:8]}"):
        with open_store(uri) as store:
            _rollup_fixture(store)
            store.refresh_referring_domains()
            store.add_domain_edges({("a.test", "t.test"): 3}, T0, "r1")
            results.append({
                name: sorted(store.find(name), key=repr)
                for name in ("backlinks", "referring_domains", "domain_edges")
            })
    assert results[0] == results[1]


def test_sqlite_write_errors_become_one_line_store_errors(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/locked.db"
    with open_store(uri, timeout_ms=50) as store:
        other = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            locked = r"^SQLite store sqlite:///.* failed: database is locked$"
            with pytest.raises(StoreError, match=locked):
                store.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T0)])
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.upsert_backlinks([link("http://a.test/", "http://t.test/", "A", T0)])
        assert store.count("backlinks") == 1


# --- MongoDB specifics (a scripted collection stands in for the server) ------------------------
class _ScriptedCollection:
    """Answers bulk_write from a script of exceptions, recording every call."""

    def __init__(self, script: list[Exception | None]) -> None:
        self.script, self.calls = script, []

    def create_index(self, spec: Any) -> None:
        pass

    def bulk_write(self, ops: list[Any], ordered: bool) -> None:
        self.calls.append(ops)
        failure = self.script.pop(0) if self.script else None
        if failure:
            raise failure


def _scripted_store(script: list[Exception | None]) -> tuple[MongoStore, _ScriptedCollection]:
    coll = _ScriptedCollection(script)
    client = MagicMock()
    client.__getitem__.return_value.__getitem__.return_value = coll
    return MongoStore(client, "lc", "mongodb://bob:secret@db.test/lc", secret="secret"), coll


def test_mongo_upsert_race_is_retried_once() -> None:
    race = BulkWriteError({"writeErrors": [{"index": 1, "code": 11000, "errmsg": "E11000"}]})
    store, coll = _scripted_store([race])
    links = [link("http://a.test/", "http://t.test/", name, T0) for name in ("A", "B", "C")]
    store.upsert_backlinks(links)
    assert len(coll.calls) == 2
    assert coll.calls[1] == [coll.calls[0][1]]  # only the operation that lost the race


def test_mongo_errors_become_one_line_store_errors_without_password() -> None:
    store, _ = _scripted_store([AutoReconnect("db.test:27017: connection closed (secret)")])
    with pytest.raises(StoreError) as info:
        store.add_domain_edges({("a.test", "t.test"): 1}, T0, "r1")
    assert str(info.value) == (
        "MongoDB store mongodb://bob:***@db.test/lc failed: "
        "db.test:27017: connection closed (***)"
    )


# --- domain scores and recheck fields (linkcrawl authority, recheck) ----------------------
def test_set_domain_scores_sets_every_row_of_a_referring_domain(store: Store) -> None:
    store.upsert_backlinks([
        link("http://a.test/p", "http://t.test/", "x", T0),
        link("http://a.test/p", "http://u.test/", "y", T0),
        link("http://b.test/p", "http://t.test/", "z", T0),
    ])
    store.refresh_referring_domains()
    matched = store.set_domain_scores({"a.test": {"authority": 42.5, "public_rank": 7},
                                       "nobody.test": {"authority": 1.0}})
    assert matched == 2
    rows = {(r["target_domain"], r["referring_domain"]): r for r in store.find("referring_domains")}
    assert {(p, r["authority"], r["public_rank"]) for p, r in rows.items()} == {
        (("t.test", "a.test"), 42.5, 7), (("u.test", "a.test"), 42.5, 7),
        (("t.test", "b.test"), None, None),
    }
    # the rollup never overwrites scores
    store.refresh_referring_domains()
    assert store.find("referring_domains", {"referring_domain": "a.test"})[0]["authority"] == 42.5
    with pytest.raises(ValueError):
        store.set_domain_scores({"a.test": {"referring_domain": "x"}})


def test_checked_at_and_history_round_trip_through_update(store: Store) -> None:
    doc = link("http://a.test/p", "http://t.test/", "A", T0)
    store.upsert_backlinks([doc])
    history = [{"at": T1, "event": "changed", "field": "rel", "old": [], "new": ["ugc"]}]
    store.update_backlinks({key_of(doc): {"checked_at": T1, "history": history}})
    (back,) = store.find("backlinks")
    assert (back["checked_at"], back["history"]) == (T1, history)


# --- claims (issue 21): inserted as they are, counted nowhere until confirmed ------------
def claim(src: str, dst: str, anchor: str, seen: datetime, **fields: Any) -> dict[str, Any]:
    """A claimed backlink as linkcrawl.sources.imports writes it (few fields known)."""
    src_host, dst_host = src.split("/")[2], dst.split("/")[2]
    doc = {"source_url": src, "source_host": src_host, "source_domain": src_host,
           "target_url": dst, "target_host": dst_host, "target_domain": dst_host,
           "anchor_text": anchor, "status": "claimed", "source": "import:ahrefs",
           "claimed_by": ["ahrefs"], "claim_status": "pending", "seen_at": seen}
    doc.update(fields)
    return doc


def test_insert_backlinks_inserts_new_keys_only_and_keeps_their_status(store: Store) -> None:
    store.upsert_backlinks([link("http://a.test/1", "http://t.test/", "known", T1)])
    inserted = store.insert_backlinks([
        claim("http://a.test/1", "http://t.test/", "known", T0),  # crawled already: untouched
        claim("http://a.test/2", "http://t.test/", "new", T0,
              claimed_first_seen=T0 - timedelta(days=9)),
        claim("http://a.test/2", "http://t.test/", "new", T2),  # a duplicate in the batch
    ])
    assert inserted == 1
    docs = {d["anchor_text"]: d for d in store.find("backlinks")}
    assert docs["known"]["status"] == "live"
    assert docs["known"]["source"] is None and docs["known"]["first_seen"] == T1
    new = docs["new"]
    assert (new["status"], new["source"], new["claimed_by"], new["claim_status"]) == (
        "claimed", "import:ahrefs", ["ahrefs"], "pending")
    assert (new["first_seen"], new["last_seen"]) == (T0, T0)
    assert new["claimed_first_seen"] == T0 - timedelta(days=9)
    assert new["rel"] == [] and new["history"] == []
    assert store.insert_backlinks([claim("http://a.test/2", "http://t.test/", "new", T3)]) == 0
    assert store.find("backlinks", {"anchor_text": "new"})[0]["last_seen"] == T0


def test_claimed_backlinks_are_left_out_of_referring_domains(store: Store) -> None:
    store.insert_backlinks([claim("http://a.test/1", "http://t.test/", "c", T0),
                            claim("http://b.test/1", "http://t.test/", "c", T0)])
    store.upsert_backlinks([link("http://a.test/2", "http://t.test/", "crawled", T1)])
    assert store.refresh_referring_domains() == 1
    (row,) = store.find("referring_domains")
    assert (row["referring_domain"], row["backlinks"], row["pages"]) == ("a.test", 1, 1)
    # a confirmed claim (the recheck upserts the link it found) counts from then on
    store.upsert_backlinks([link("http://b.test/1", "http://t.test/", "c", T2)])
    assert store.refresh_referring_domains([("t.test", "b.test")]) == 1
    assert store.count("referring_domains") == 2


def test_warc_provenance_fields_round_trip(store: Store) -> None:
    store.upsert_backlinks([link("http://a.test/1", "http://t.test/", "w", T0, source="scan:warc",
                                 warc_file="/data/x.warc.gz", warc_offset=123456789012)])
    (doc,) = store.find("backlinks")
    assert (doc["source"], doc["warc_file"], doc["warc_offset"]) == (
        "scan:warc", "/data/x.warc.gz", 123456789012)
