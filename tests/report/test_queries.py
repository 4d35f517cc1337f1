"""Every analyst question gives the same rows on SQLite (SQL) and MongoDB (pipeline: the
mongomock-ng fake, and a real wire server under ``mongo_real``), and runs on its index."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.report.queries import QUESTIONS, Question, mongosh_text, sql_params, sql_text
from linkcrawl.store import Store, open_store
from linkcrawl.store.indexes import ANALYST_INDEXES
from tests.conftest import linkcrawl_cli, real_mongo

T0 = datetime(2026, 9, 1, tzinfo=UTC)
PARAMS = {"target": "t.test", "competitor": "c.test", "since": T0 + timedelta(days=30)}


def link(src: str, dst: str, anchor: str, days: int, **fields: Any) -> dict[str, Any]:
    s, d = src.split("/")[2], dst.split("/")[2]
    return {"source_url": src, "source_host": s, "source_domain": s, "target_url": dst,
            "target_host": d, "target_domain": d, "anchor_text": anchor, "rel": [],
            "follow": True, "location": "content", "link_type": "editorial", "evidence": [],
            "seen_at": T0 + timedelta(days=days), **fields}


def fill(store: Store) -> None:
    store.upsert_backlinks([
        link("http://a.test/1", "http://t.test/", "T brand", 0),
        link("http://a.test/2", "http://t.test/x", "T brand", 40, follow=False, rel=["ugc"],
             location="comment", link_type="comment"),
        link("http://b.test/1", "http://t.test/x", "widgets", 35, evidence=["graph:reciprocal"],
             link_type="partner"),
        link("http://b.test/2", "http://t.test/", "old", 5),
        link("http://e.test/1", "http://t.test/", "gone", 1),
        link("http://f.test/1", "http://t.test/", "f", 62),
        link("http://a.test/9", "http://c.test/", "C", 2),
        link("http://g.test/1", "http://c.test/", "C", 3),
        link("http://h.test/1", "http://c.test/", "C", 70),
    ])
    keys = {d["source_url"]: d["key"] for d in store.find("backlinks")}
    store.update_backlinks({
        keys["http://b.test/2"]: {"status": "lost", "lost_reason": "link_removed",
                                  "lost_at": T0 + timedelta(days=45)},
        keys["http://e.test/1"]: {"status": "lost", "lost_reason": "page_gone",
                                  "lost_at": T0 + timedelta(days=50)},
        keys["http://f.test/1"]: {"status": "lost", "lost_reason": "page_gone",
                                  "lost_at": T0 + timedelta(days=65)},
    })
    store.refresh_referring_domains()
    store.set_domain_scores({"g.test": {"authority": 70.0}, "a.test": {"authority": 50.0},
                             "h.test": {"authority": 10.0}})


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store]:
    path = tmp_path_factory.mktemp("q") / "q.db"
    with open_store(f"sqlite:///{path}") as sqlite_store:
        fill(sqlite_store)
    mongo = open_store("mongomock://queries")
    fill(mongo)
    return path, mongo


def run_sql(path: Path, sql: str) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, sql_params(PARAMS))]


def run_mongo(store: Store, question) -> list[dict[str, Any]]:
    return list(store._db[question.collection].aggregate(question.pipeline(PARAMS)))


@pytest.fixture(scope="module")
def real_store(request: pytest.FixtureRequest) -> Any:
    """The same data on the real wire server (module scope: filled once)."""
    with real_mongo(request, "linkcrawl_queries") as uri, open_store(uri) as store:
        fill(store)
        yield store


EXPECTED = {
    "top_referring_domains": [
        {"referring_domain": "a.test", "authority": 50.0, "live_backlinks": 2,
         "followed_backlinks": 1},
        {"referring_domain": "b.test", "authority": None, "live_backlinks": 1,
         "followed_backlinks": 1},
    ],
    "lost_by_reason": [{"reason": "page_gone", "links": 2},
                       {"reason": "link_removed", "links": 1}],
    "new_domains_by_month": [{"month": "2026-09", "domains": 3},
                             {"month": "2026-11", "domains": 1}],
    "link_gap": [{"referring_domain": "g.test", "authority": 70.0},
                 {"referring_domain": "h.test", "authority": 10.0}],
    "reciprocal_domains": [{"referring_domain": "b.test", "links": 1}],
}


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_sql_and_mongo_agree(stores, question) -> None:
    path, mongo = stores
    sql_rows = run_sql(path, question.sql)
    mongo_rows = run_mongo(mongo, question)
    assert sql_rows, "every question has an answer in this data"
    assert [dict(sorted(r.items())) for r in mongo_rows] == [
        dict(sorted(r.items())) for r in sql_rows]
    if question.name in EXPECTED:
        assert sql_rows == EXPECTED[question.name]


@pytest.mark.mongo_real
@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_real_server_gives_the_sql_rows(stores, real_store, question) -> None:
    path, _ = stores
    sql_rows = run_sql(path, question.sql)
    assert sql_rows
    assert [dict(sorted(r.items())) for r in run_mongo(real_store, question)] == [
        dict(sorted(r.items())) for r in sql_rows]


def _plan_stages(node: Any) -> list[dict[str, Any]]:
    """Every stage of an explain() plan tree (winningPlan and its inputStage(s))."""
    found = []
    if isinstance(node, dict):
        if "stage" in node:
            found.append(node)
        for value in node.values():
            found.extend(_plan_stages(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_plan_stages(value))
    return found


def _winning_plan(explained: dict[str, Any]) -> dict[str, Any]:
    """The query planner's choice for the pipeline's first $match: top level, or in the
    $cursor stage (mongod and SecantusDB put it in either place)."""
    planner = explained.get("queryPlanner")
    if planner is None:
        cursor = explained["stages"][0]["$cursor"]
        planner = cursor["queryPlanner"]
    return planner["winningPlan"]


@pytest.mark.mongo_real
@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_real_server_plans_each_question_on_its_index(real_store, question: Question) -> None:
    """explain() of the pipeline: an index scan, never a collection scan."""
    explained = real_store._db.command(
        "explain", {"aggregate": question.collection, "pipeline": question.pipeline(PARAMS),
                    "cursor": {}}, verbosity="queryPlanner")
    stages = _plan_stages(_winning_plan(explained))
    assert stages, f"the server reported no plan: {explained}"
    kinds = {stage["stage"] for stage in stages}
    assert "COLLSCAN" not in kinds, stages
    scans = [stage for stage in stages if stage["stage"] == "IXSCAN"]
    assert scans, stages
    if explained.get("serverInfo", {}).get("host") == "secantus":
        # SecantusDB's planner, checked: it picks exactly the question's index. mongod
        # chooses by trial runs and may prefer another index of the collection.
        assert [s["indexName"] for s in scans] == [ANALYST_INDEXES[question.index].mongo_name]


def test_every_question_names_an_index_of_its_collection() -> None:
    for question in QUESTIONS:
        assert ANALYST_INDEXES[question.index].collection == question.collection


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_sqlite_plans_each_question_on_an_index(stores, question: Question) -> None:
    """EXPLAIN QUERY PLAN: the question's table is searched through its index, never
    scanned whole (json_each, a table-valued function, may be scanned)."""
    path, _ = stores
    with sqlite3.connect(path) as db:
        db.execute("ANALYZE")  # as a long-lived store would have statistics
        plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + question.sql,
                                             sql_params(PARAMS))]
    index = ANALYST_INDEXES[question.index]
    name = index.sqlite_instead or question.index
    table = question.collection
    assert not [d for d in plan if d.startswith(f"SCAN {table}")], plan
    assert any(d.startswith(f"SEARCH {table} USING") and f"INDEX {name} " in d
               for d in plan), plan


def test_every_question_is_a_question() -> None:
    assert len({q.name for q in QUESTIONS}) == len(QUESTIONS) >= 8
    assert all(q.question.endswith("?") for q in QUESTIONS)


def test_cli_prints_ready_to_paste_queries() -> None:
    sql = linkcrawl_cli("queries", "--target", "t.test", "--competitor", "c.test")
    assert sql.returncode == 0, sql.stderr
    assert "WHERE target_domain = 't.test'" in sql.stdout
    assert sql.stdout.count("-- ") == len(QUESTIONS)
    mongo = linkcrawl_cli("queries", "--format", "mongo", "--target", "t.test")
    assert 'db.backlinks.aggregate([' in mongo.stdout and 'ISODate("' in mongo.stdout


def test_mongosh_text_writes_dates_as_isodate() -> None:
    text = mongosh_text(QUESTIONS[1], PARAMS)
    assert 'ISODate("2026-10-01T00:00:00+00:00")' in text


def test_sql_text_quotes_parameters_as_literals() -> None:
    text = sql_text(QUESTIONS[1], {**PARAMS, "target": "o'neil.test"})
    assert "target_domain = 'o''neil.test'" in text
    assert "lost_at >= '2026-10-01T00:00:00.000+00:00'" in text
    assert ":target" not in text and ":since" not in text and text.endswith(";")
