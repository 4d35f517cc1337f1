"""The demo crawl into a real MongoDB wire server stores what it stores into SQLite.

Both stores get the same crawl of the demo web, then (after one source page is removed) the
same recheck; every collection is compared document by document, field by field, with only
times, run ids and the edge-batch numbers of a run set aside. ``linkcrawl report`` (text and
CSV) and every analyst question must then give the same rows from both. Runs against
LINKCRAWL_TEST_MONGODB_URI (CI: SecantusDB); marked ``mongo_real``.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.report.queries import QUESTIONS, sql_params
from linkcrawl.store import COLLECTIONS, open_store
from tests.conftest import DEMO_TARGETS, REPO, linkcrawl_cli, real_mongo, scrapy_crawl

pytestmark = pytest.mark.mongo_real

SEEDS = REPO / "data" / "seeds" / "demo.txt"
REMOVED = "makerfaire-berlin.test/sponsors.html"  # 5 backlinks in ground_truth.json
REMOVED_URL = "http://" + REMOVED
# Fields that differ between any two runs: run ids, and which writer numbered which batch.
VOLATILE = frozenset({"run_id", "writer", "batches_upto", "batches", "store_uri", "stats",
                      "started_at", "finished_at"})
KEYS = {"pages": ("url",), "backlinks": ("key",), "referring_domains":
        ("target_domain", "referring_domain"), "domain_edges": ("source_domain",
        "target_domain"), "runs": ("spider", "finish_reason"), "mentions": ("key",),
        "placements": ("key",)}


def comparable(value: Any) -> Any:
    """``value`` with every time replaced by a marker (set or not still counts)."""
    if isinstance(value, datetime):
        return "<time>"
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def snapshot(uri: str) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    with open_store(uri) as store:
        return {name: {tuple(d[k] for k in KEYS[name]): comparable(d)
                       for d in store.find(name)} for name in COLLECTIONS}


def assert_same(sqlite_snap: dict[str, Any], mongo_snap: dict[str, Any]) -> None:
    for name in COLLECTIONS:
        left, right = sqlite_snap[name], mongo_snap[name]
        assert sorted(left) == sorted(right), f"{name}: different documents"
        for key, doc in left.items():
            other = right[key]
            assert sorted(doc) == sorted(other), f"{name} {key}: different fields"
            wrong = {f: (doc[f], other[f]) for f in doc if doc[f] != other[f]}
            assert wrong == {}, f"{name} {key}: fields differ (sqlite, mongodb)"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory,
         request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("e2e") / "web"
    shutil.copytree(DEMO_WEB_DIR, root)
    sqlite_uri = f"sqlite:///{root.parent / 'demo.db'}"
    with real_mongo(request, "linkcrawl_e2e") as mongo_uri, LocalWeb(root) as web:
        uris = {"sqlite": sqlite_uri, "mongodb": mongo_uri}
        args = {"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)}
        for uri in uris.values():
            scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, args=args).check()
        crawled = {name: snapshot(uri) for name, uri in uris.items()}
        (root / REMOVED).unlink()  # the page is gone: its links are lost
        for uri in uris.values():
            scrapy_crawl("recheck", store_uri=uri, proxy=web.proxy_url,
                         settings={"LINKCRAWL_RECHECK_VERIFY_DELAY": 0}).check()
        rechecked = {name: snapshot(uri) for name, uri in uris.items()}
        yield {"uris": uris, "crawled": crawled, "rechecked": rechecked,
               "db": root.parent / "demo.db"}


def test_demo_crawl_stores_the_same_documents(both: dict[str, Any],
                                              ground_truth: dict[str, Any]) -> None:
    crawled = both["crawled"]
    assert len(crawled["sqlite"]["backlinks"]) == len(ground_truth["backlinks"])
    assert_same(crawled["sqlite"], crawled["mongodb"])


def test_recheck_gives_the_same_verdicts(both: dict[str, Any]) -> None:
    rechecked = both["rechecked"]
    lost = {k: d["lost_reason"] for k, d in rechecked["mongodb"]["backlinks"].items()
            if d["status"] == "lost"}
    removed = {k for k, d in rechecked["mongodb"]["backlinks"].items()
               if d["source_url"] == REMOVED_URL}
    assert set(lost) == removed and len(removed) == 5
    assert_same(rechecked["sqlite"], rechecked["mongodb"])


_RUN = re.compile(r"\b(?:sites|recheck)-\d{8}T\d{6}Z-[0-9a-f]{4}\b")


def plain(text: str, uri: str) -> str:
    """Report text without what differs by store or by run: the URI and run ids."""
    return _RUN.sub("<run>", text.replace(uri, "<store>"))


@pytest.fixture(scope="module")
def same_data(both: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[str]:
    """The rechecked SQLite documents copied as they are into a new database on the wire
    server: two independent crawls differ in their times, and the report orders and cuts
    rows by time, so the report is compared on one set of documents read by each store."""
    from linkcrawl.store.mongo import doc_id

    with real_mongo(request, "linkcrawl_report") as uri, open_store(uri) as target, \
            open_store(both["uris"]["sqlite"]) as source:
        for name in COLLECTIONS:
            docs = [{"_id": doc_id(name, d), **d} for d in source.find(name)]
            if docs:
                target._db[name].insert_many(docs)
        yield uri


@pytest.mark.parametrize("target", DEMO_TARGETS)
def test_report_text_and_csv_are_the_same(both: dict[str, Any], same_data: str, target: str,
                                          tmp_path: Path) -> None:
    texts, csvs = {}, {}
    for name, uri in (("sqlite", both["uris"]["sqlite"]), ("mongodb", same_data)):
        out = linkcrawl_cli("report", "--target", target, "--store", uri)
        assert out.returncode == 0, out.stderr
        texts[name] = plain(out.stdout, uri)
        folder = tmp_path / name
        written = linkcrawl_cli("report", "--target", target, "--store", uri,
                                "--csv", str(folder))
        assert written.returncode == 0, written.stderr
        csvs[name] = {p.name: plain(p.read_text(encoding="utf-8"), uri)
                      for p in sorted(folder.glob("*.csv"))}
    assert "Referring domains (top" in texts["sqlite"] and "page_gone" in texts["sqlite"]
    assert texts["sqlite"] == texts["mongodb"]
    assert csvs["sqlite"] and sorted(csvs["sqlite"]) == sorted(csvs["mongodb"])
    for file, content in csvs["sqlite"].items():
        # the demo crawl checks no target pages (scrapy crawl targets): broken.csv is a header
        assert (content.count("\n") > 1) == (file != "broken.csv"), file
        assert content == csvs["mongodb"][file], file


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_every_question_gives_the_same_rows(both: dict[str, Any], question) -> None:
    params = {"target": DEMO_TARGETS[0], "competitor": DEMO_TARGETS[1],
              "since": datetime(2000, 1, 1, tzinfo=UTC)}
    with sqlite3.connect(both["db"]) as db:
        db.row_factory = sqlite3.Row
        sql_rows = [dict(r) for r in db.execute(question.sql, sql_params(params))]
    with open_store(both["uris"]["mongodb"]) as store:
        rows = list(store._db[question.collection].aggregate(question.pipeline(params)))
    assert [dict(sorted(r.items())) for r in rows] == [dict(sorted(r.items())) for r in sql_rows]


def test_the_questions_have_answers_in_the_demo_data(both: dict[str, Any]) -> None:
    """The comparison above means something: most questions return rows here."""
    params = sql_params({"target": DEMO_TARGETS[0], "competitor": DEMO_TARGETS[1],
                         "since": datetime(2000, 1, 1, tzinfo=UTC)})
    with sqlite3.connect(both["db"]) as db:
        answered = [q.name for q in QUESTIONS if db.execute(q.sql, params).fetchall()]
    assert "lost_by_reason" in answered and len(answered) >= 6, answered
