"""Store outages lose nothing: items wait (memory, then a spill file) and are written when the
store is back; a spill file left at the end is loaded by ``linkcrawl replay``.

Outages are real: for SQLite another connection holds an exclusive lock on the file; for
MongoDB the store pipeline runs against a store whose writes fail while a switch is on
(mongomock, or a real server when LINKCRAWL_TEST_MONGODB_URI is set).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

import pipelines.store as store_pipeline
from linkcrawl.errors import StoreError
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.ops.localweb import DEMO_WEB_DIR
from linkcrawl.ops.spill import Backlog, read_records, replay
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from tests.conftest import DEMO_TARGETS, REPO, linkcrawl_cli
from tests.faultweb import GatedWeb, wait_until

SEEDS = REPO / "data" / "seeds" / "demo.txt"
ARGS = {"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)}
# What fails while the store is down: every write, and the reads a write batch makes first.
STORE_CALLS = ("upsert_pages", "upsert_backlinks", "add_domain_edges",
               "refresh_referring_domains", "start_run", "finish_run", "update_backlinks",
               "upsert_mentions", "update_mentions", "replace_placements", "find", "count")


# --- the backlog and the spill file -----------------------------------------------------
def doc(i: int) -> dict[str, Any]:
    return {"key": f"k{i}", "source_url": f"http://s.test/{i}", "target_url": "http://t.test/",
            "anchor_text": f"a{i}", "source_domain": "s.test", "target_domain": "t.test",
            "seen_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}


def test_backlog_spills_past_its_bound_and_drains_everything_once(tmp_path: Path) -> None:
    backlog = Backlog(tmp_path / "run.jsonl", max_items=5)
    now = datetime.now(UTC)
    backlog.keep([], [doc(i) for i in range(3)], {("s.test", "t.test"): 3}, now, "r1")
    assert backlog.in_memory == 4 and not backlog.path.exists()
    backlog.keep([], [doc(i) for i in range(3, 6)], {("s.test", "t.test"): 3}, now, "r1")
    assert backlog.in_memory == 0 and backlog.spilled == 7 and backlog.path.exists()
    backlog.keep([], [doc(6)], {}, now, "r1")
    with open_store("sqlite:///:memory:") as store:
        counts = backlog.drain(store)
        assert (counts.backlinks, counts.edges) == (7, 1)
        assert backlog.pending == 0 and not backlog.path.exists()
        assert store.count("backlinks") == 7
        assert store.find("domain_edges")[0]["links"] == 6
        first = store.find("backlinks", {"key": "k0"})[0]
    assert first["first_seen"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def mention(i: int) -> dict[str, Any]:
    return {"target_domain": "t.test", "target": "t.test", "term": "t", "source_url":
            f"http://s.test/{i}", "source_host": "s.test", "source_domain": "s.test",
            "context": "about t", "location": "content", "occurrences": 1,
            "seen_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}


def test_mentions_are_kept_spilled_and_replayed_like_backlinks(tmp_path: Path) -> None:
    backlog = Backlog(tmp_path / "run.jsonl", max_items=2)
    now = datetime.now(UTC)
    backlog.keep([], [doc(0)], {}, now, "r1", [mention(1), mention(2)])
    assert backlog.in_memory == 0 and backlog.spilled == 3  # past the bound: on disk
    assert [r["kind"] for r in read_records(backlog.path)] == ["backlinks", "mentions"]
    with open_store("sqlite:///:memory:") as store:
        counts = replay(backlog.path, store)
        assert (counts.backlinks, counts.mentions) == (1, 2)
        assert store.count("mentions") == 2


def test_spill_file_with_a_torn_last_line_replays_the_complete_records(tmp_path: Path) -> None:
    backlog = Backlog(tmp_path / "run.jsonl", max_items=0)
    backlog.keep([], [doc(1)], {}, datetime.now(UTC), "r1")
    with backlog.path.open("a", encoding="utf-8") as handle:
        handle.write('{"kind":"backlinks","docs":[{"key":')  # killed mid-write
    assert [r["kind"] for r in read_records(backlog.path)] == ["backlinks"]
    with open_store("sqlite:///:memory:") as store:
        assert replay(backlog.path, store).backlinks == 1
        assert store.count("backlinks") == 1


# --- the store pipeline against a store that fails on demand ----------------------------
class Switch:
    down = False


def flaky(store: Store, switch: type[Switch]) -> Store:
    """``store`` whose calls in STORE_CALLS raise StoreError while ``switch.down``."""
    for name in STORE_CALLS:
        real = getattr(store, name)

        def write(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if switch.down:
                raise StoreError("MongoDB store mongodb://u:***@db/x failed: connection refused")
            return _real(*args, **kwargs)

        setattr(store, name, write)
    return store


def page(i: int) -> PageItem:
    link = LinkItem(source_url=f"http://blog.test/{i}", href="http://acme.test/",
                    url="http://acme.test/", anchor_text=f"acme {i}",
                    normalized_url="http://acme.test/", target_domain="acme.test",
                    source_domain="blog.test", target_host="acme.test")
    return PageItem(url=f"http://blog.test/{i}", final_url=f"http://blog.test/{i}", status=200,
                    host="blog.test", domain="blog.test", links=[link],
                    domain_edges={"acme.test": 1})


class DemoSpider(Spider):
    name = "outage"


@pytest.fixture(params=["mongomock", "mongodb"])
def mongo_uri(request: pytest.FixtureRequest) -> Iterator[str]:
    """The fake, and a real server (its own database, dropped afterwards) when
    LINKCRAWL_TEST_MONGODB_URI is set."""
    if request.param == "mongomock":
        yield "mongomock://outage"
        return
    base = os.environ.get("LINKCRAWL_TEST_MONGODB_URI", "")
    if not base:
        pytest.skip("set LINKCRAWL_TEST_MONGODB_URI=mongodb://HOST:PORT to run against a server")
    head, _, query = base.partition("?")
    scheme, _, rest = head.partition("://")
    hosts = rest[rest.rfind("@") + 1 :].split("/", 1)[0]
    name = f"linkcrawl_outage_{uuid.uuid4().hex[:8]}"
    yield f"{scheme}://{rest[: rest.rfind('@') + 1]}{hosts}/{name}" + (f"?{query}" if query else "")
    from pymongo import MongoClient

    with MongoClient(base, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(name)


def test_pipeline_keeps_items_through_an_outage_and_writes_them_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mongo_uri: str
) -> None:
    store = open_store(mongo_uri)
    store.close = lambda: None  # type: ignore[method-assign]
    monkeypatch.setattr(store_pipeline, "open_store", lambda uri: flaky(store, Switch))
    crawler = get_crawler(DemoSpider, {
        "LINKCRAWL_STORE_URI": mongo_uri, "LINKCRAWL_BATCH_SIZE": 2,
        "LINKCRAWL_SPILL_MAX_ITEMS": 6, "LINKCRAWL_SPILL_DIR": str(tmp_path),
    })
    pipeline = store_pipeline.StorePipeline(crawler)
    pipeline.open_spider(DemoSpider())
    writer = pipeline._writer
    assert writer is not None
    for i in range(4):
        pipeline.process_item(page(i))
    assert writer.wait_idle()
    assert store.count("backlinks") == 4
    Switch.down = True
    try:
        for i in range(4, 20):
            pipeline.process_item(page(i))
        assert writer.wait_idle()
        assert writer.pending > 0
    finally:
        Switch.down = False
    stats = crawler.stats.get_stats()
    assert stats["linkcrawl/store/write_failures"] >= 1
    assert stats["linkcrawl/store/spilled_documents"] > 0
    assert writer.max_queued <= 6 + 5, "memory past its bound"  # bound + one batch
    pipeline.process_item(page(20))
    pipeline.close_blocking()
    assert not list(tmp_path.glob("*.jsonl")), "the spill file is removed once drained"
    assert sorted(d["anchor_text"] for d in store.find("backlinks")) == sorted(
        f"acme {i}" for i in range(21))
    assert store.count("pages") == 21
    assert store.find("domain_edges")[0]["links"] == 21
    run = store.find("runs")[0]
    assert run["stats"]["linkcrawl/store/pending_documents"] == 0
    assert run["stats"]["linkcrawl/backlinks_stored"] == 21


def test_pipeline_leaves_a_spill_file_when_the_store_stays_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store("mongomock://outage")
    store.close = lambda: None  # type: ignore[method-assign]
    monkeypatch.setattr(store_pipeline, "open_store", lambda uri: flaky(store, Switch))
    crawler = get_crawler(DemoSpider, {"LINKCRAWL_STORE_URI": "mongomock://outage",
                                       "LINKCRAWL_SPILL_DIR": str(tmp_path / "spill")})
    pipeline = store_pipeline.StorePipeline(crawler)
    pipeline.open_spider(DemoSpider())
    Switch.down = True
    try:
        for i in range(5):
            pipeline.process_item(page(i))
        pipeline.close_blocking()
    finally:
        Switch.down = False
    files = list((tmp_path / "spill").iterdir())
    assert len(files) == 1
    warnings = [r.getMessage() for r in caplog.records if str(files[0]) in r.getMessage()]
    assert len(warnings) == 1 and "linkcrawl replay" in warnings[0]
    assert "11 documents" in warnings[0]  # 5 pages, 5 backlinks, 1 domain edge
    assert store.count("backlinks") == 0
    counts = replay(files[0], store)
    assert (counts.pages, counts.backlinks, counts.runs) == (5, 5, 1)
    assert store.count("backlinks") == 5 and store.count("referring_domains") == 1
    assert store.find("runs")[0]["stats"]["linkcrawl/store/pending_documents"] == 11


# --- real crawls with the SQLite file locked by another connection ------------------------
def lock(db: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def run_started(db: Path) -> bool:
    if not db.exists():
        return False
    with sqlite3.connect(db) as con:
        try:
            return bool(con.execute("SELECT count(*) FROM runs").fetchone()[0])
        except sqlite3.OperationalError:
            return False


def start_crawl(uri: str, proxy: str, spill: Path, **settings: Any) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites"]
    for key, value in ARGS.items():
        cmd += ["-a", f"{key}={value}"]
    merged = {"LINKCRAWL_STORE_URI": uri, "LINKCRAWL_HTTP_PROXY": proxy,
              "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, "LINKCRAWL_PROGRESS_INTERVAL": 0,
              "AUTOTHROTTLE_ENABLED": False, "LINKCRAWL_SPILL_DIR": spill, **settings}
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.Popen(cmd, cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


@contextmanager
def gated_crawl(
    uri: str, spill: Path, gate: int, **settings: Any
) -> Iterator[tuple[GatedWeb, subprocess.Popen[str]]]:
    """A crawl of the demo web held after ``gate`` pages; on the way out the gate opens
    for good and a crawl still running is killed."""
    with GatedWeb(DEMO_WEB_DIR, gate) as web:
        proc = start_crawl(uri, web.proxy_url, spill, **settings)
        try:
            yield web, proc
        finally:
            if proc.poll() is None:
                proc.kill()
            web.set_limit(10**9)


def run_to_end(web: GatedWeb, proc: subprocess.Popen[str]) -> str:
    """Open the gate for good and wait for the crawl to finish; its log."""
    web.set_limit(10**9)
    return proc.communicate(timeout=180)[1]


def expected_keys(ground_truth: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(b["source_url"], b["target_url"], b["anchor_text"]) for b in ground_truth["backlinks"]}


def stored_keys(uri: str) -> list[tuple[str, str, str]]:
    with open_store(uri) as store:
        return [(d["source_url"], d["target_url"], d["anchor_text"])
                for d in store.find("backlinks")]


def assert_exactly_once(uri: str, ground_truth: dict[str, Any]) -> int:
    keys, expected = stored_keys(uri), expected_keys(ground_truth)
    assert sorted(expected - set(keys)) == [], "lost in the outage"
    assert sorted(set(keys) - expected) == [], "unexpected"
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    return len(keys)


def test_sqlite_locked_mid_crawl_loses_nothing(tmp_path: Path, ground_truth: dict) -> None:
    db, spill = tmp_path / "crawl.db", tmp_path / "spill"
    uri = f"sqlite:///{db}"
    with gated_crawl(uri, spill, 8, LINKCRAWL_BATCH_SIZE=3,
                     LINKCRAWL_SPILL_MAX_ITEMS=10) as (web, proc):
        assert web.wait_held(), "the crawl never reached the gate"
        assert run_started(db)
        holder = lock(db)  # the store goes down
        web.set_limit(25)
        wait_until(lambda: any(spill.glob("*.jsonl")), what="a spill file")
        assert web.wait_held(), "the crawl never reached the second gate"
        holder.rollback()  # the store is back
        holder.close()
        log = run_to_end(web, proc)
    assert proc.returncode == 0, log[-3000:]
    # The writer thread waits on the lock (or fails after SQLite's busy timeout and
    # retries) while the crawl goes on: the waiting batches overflow to the spill file.
    assert "is back: wrote" in log
    assert list(spill.glob("*.jsonl")) == [], "the spill file was drained"
    stored = assert_exactly_once(uri, ground_truth)
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
    assert stats["linkcrawl/store/spilled_documents"] > 0
    assert stats["linkcrawl/store/pending_documents"] == 0
    print(f"\nSQLite locked after 8 pages until page 25: "
          f"{stats.get('linkcrawl/store/write_failures', 0)}"
          f" failed writes, {stats['linkcrawl/store/spilled_documents']} documents spilled, "
          f"{stored} of {len(ground_truth['backlinks'])} backlinks stored, each once")


def test_store_down_until_the_end_leaves_a_spill_file_for_replay(
    tmp_path: Path, ground_truth: dict
) -> None:
    db, spill = tmp_path / "crawl.db", tmp_path / "spill"
    uri = f"sqlite:///{db}"
    with gated_crawl(uri, spill, 1) as (web, proc):
        assert web.wait_held(), "the crawl never reached the gate"
        holder = lock(db)
        log = run_to_end(web, proc)
    assert proc.returncode == 0, log[-3000:]
    files = list(spill.glob("*.jsonl"))
    assert len(files) == 1
    warning = [line for line in log.splitlines() if "linkcrawl replay" in line]
    assert len(warning) == 1 and str(files[0]) in warning[0]
    holder.rollback()
    holder.close()
    assert stored_keys(uri) == []

    result = linkcrawl_cli("replay", str(files[0]), "--store", uri)
    assert result.returncode == 0, result.stderr
    assert f"{len(ground_truth['backlinks'])} backlinks" in result.stdout
    assert not files[0].exists()
    assert_exactly_once(uri, ground_truth)
    with open_store(uri) as store:
        run = store.find("runs")[0]
        assert store.count("referring_domains") > 0
    assert run["finish_reason"] == "finished"
    assert run["stats"]["linkcrawl/store/pending_documents"] > 0


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        pytest.param(["replay", "/nonexistent/run.jsonl"], "no spill file", id="missing"),
        pytest.param(["replay", __file__, "--store", "sqlite:///:memory:"], "spill record",
                     id="not-a-spill-file"),
        pytest.param(["replay", __file__, "--store", "foo://x"], "store", id="bad-store"),
    ],
)
def test_replay_rejects_bad_input_in_one_line(argv: list[str], expect: str) -> None:
    result = linkcrawl_cli(*argv, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], result.stderr


def test_replay_writes_as_the_crawl_does_and_refreshes_placements(tmp_path: Path) -> None:
    from linkcrawl.history.refresh import refresh_placements
    from linkcrawl.history.sightings import write_batch
    from tests.history.test_sightings import page
    from tests.store.test_contract import T0, T1, link
    from tests.store.test_mentions import mention as acme_mention

    post, other = "http://blog.test/post", "http://blog.test/other"
    with open_store("sqlite:///:memory:") as store:
        write_batch(store, [page(post, T0), page(other, T0)],
                    [link(post, "http://acme.test/w", "guide", T0)],
                    [acme_mention(other, "Acme", T0)], {"acme.test"})
        refresh_placements(store, [("acme.test", "blog.test")], 3)
        # the next crawl edits the anchor and the mention is gone, while the store is down
        backlog = Backlog(tmp_path / "run.jsonl", max_items=0)
        backlog.keep([page(post, T1), page(other, T1)],
                     [link(post, "http://acme.test/w", "Acme guide", T1)], {}, T1, "r2", [],
                     {"acme.test"})
        assert read_records(backlog.path).__next__()["mention_targets"] == ["acme.test"]
        counts = replay(backlog.path, store)
        assert counts.backlinks == 1
        docs = {d["anchor_text"]: d for d in store.find("backlinks")}
        assert (docs["guide"]["status"], docs["Acme guide"]["first_seen"]) == ("superseded", T0)
        assert store.find("mentions")[0]["status"] == "gone"
        assert [p["anchor_text"] for p in store.find("placements")] == ["Acme guide"]
        assert store.find("referring_domains")[0]["backlinks"] == 1
