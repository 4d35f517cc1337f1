"""Faults that used to lose a crawl silently, each reproduced for real (issues 16 and 18):
an unstorable document, a torn spill record, an old spill file replayed over newer data,
a SQLite file deleted mid-crawl, a full disk under the store and under JOBDIR, a store
that stalls. Each test asserts that nothing is lost, or that the crawl stops loudly with
what it could not store kept for a resume.

Full disks are real: a small tmpfs that the test mounts and fills (root only; skipped
otherwise).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

import pipelines.store as store_pipeline
from linkcrawl.errors import QUARANTINED_EXIT_CODE, DurabilityError
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.ops.journal import FILE_NAME, Journal
from linkcrawl.ops.localweb import DEMO_WEB_DIR, Resolved
from linkcrawl.ops.spill import Backlog, read_records, replay
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, linkcrawl_cli, scrapy_crawl
from tests.faultweb import GatedWeb, wait_until
from tests.ops.test_spill import (
    DemoSpider,
    assert_exactly_once,
    lock,
    run_started,
    stored_keys,
)

SEEDS = REPO / "data" / "seeds" / "demo.txt"
WEIRD = "weird-status.test"


def start(uri: str, proxy: str, spill: Path, seeds: Path = SEEDS,
          **settings: Any) -> subprocess.Popen[str]:
    """``scrapy crawl sites`` over the demo web, in the background."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites", "-a", f"seeds_file={seeds}",
           "-a", f"targets={','.join(DEMO_TARGETS)}"]
    merged = {"LINKCRAWL_STORE_URI": uri, "LINKCRAWL_HTTP_PROXY": proxy,
              "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, "LINKCRAWL_PROGRESS_INTERVAL": 0,
              "AUTOTHROTTLE_ENABLED": False, "LINKCRAWL_SPILL_DIR": spill, **settings}
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.Popen(cmd, cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def finish(web: GatedWeb, proc: subprocess.Popen[str]) -> str:
    web.set_limit(10**9)
    return proc.communicate(timeout=180)[1]


@contextlib.contextmanager
def running(web: GatedWeb, proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        web.set_limit(10**9)


@contextlib.contextmanager
def tmpfs(path: Path, size_kb: int) -> Iterator[Path]:
    """A real, small filesystem at ``path`` (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs",
                              str(path)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to its last byte; the filler file."""
    filler = folder / f"filler-{uuid.uuid4().hex[:6]}"
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 16, 1 << 10, 1):
            with contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * size)
    return filler


# --- 1. one unstorable document ---------------------------------------------------------
class WeirdWeb(GatedWeb):
    """The demo web plus a site whose page answers with status code 10**21."""

    def resolve(self, host: str, target: str) -> Resolved:
        if host == WEIRD and target != "/robots.txt":
            return Resolved(10**21, self.root / "_weird.html", {})
        return super().resolve(host, target)


def weird_web(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the demo web with the weird site's page, and seeds that name it."""
    root = tmp_path / "web"
    shutil.copytree(DEMO_WEB_DIR, root)
    (root / "_weird.html").write_text(
        "<!doctype html><title>weird</title><main><p>A page served with an impossible "
        "status code.</p></main>", encoding="utf-8")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(SEEDS.read_text(encoding="utf-8") + f"\nhttp://{WEIRD}/\n",
                     encoding="utf-8")
    return root, seeds


def test_status_10e21_is_quarantined_and_every_backlink_stored(
    tmp_path: Path, ground_truth: dict
) -> None:
    root, seeds = weird_web(tmp_path)
    db, spill = tmp_path / "crawl.db", tmp_path / "var" / "spill"
    uri = f"sqlite:///{db}"
    with WeirdWeb(root, 10**9) as web:
        proc = start(uri, web.proxy_url, spill, seeds)
        with running(web, proc):
            log = finish(web, proc)
        asked = {h for h, _, _ in web.requests}
    assert WEIRD in asked, "the weird site was never fetched"
    assert proc.returncode == QUARANTINED_EXIT_CODE, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert_exactly_once(uri, ground_truth)  # every backlink, each once
    dead = list((tmp_path / "var" / "quarantine").glob("*.jsonl"))
    assert len(dead) == 1
    records = list(read_records(dead[0]))
    assert [(r["collection"], r["doc"]["status"]) for r in records] == [("pages", 10**21)]
    assert "integer out of range" in records[0]["reason"]
    assert sum("quarantined a pages document" in line for line in log.splitlines()) == 1
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
    assert stats["linkcrawl/store/quarantined_documents"] == 1
    assert list(spill.glob("*.jsonl")) == []


def link(i: int, href: str = "", anchor: str = "") -> LinkItem:
    url = href or f"http://acme.test/{i}"
    return LinkItem(source_url=f"http://blog.test/{i}", href=url, url=url,
                    anchor_text=anchor or f"acme {i}", normalized_url=url,
                    target_domain="acme.test", source_domain="blog.test",
                    target_host="acme.test")


def item(i: int, **link_args: Any) -> PageItem:
    return PageItem(url=f"http://blog.test/{i}", final_url=f"http://blog.test/{i}",
                    status=200, host="blog.test", domain="blog.test",
                    links=[link(i, **link_args)], domain_edges={"acme.test": 1},
                    fetched_at=datetime.now(UTC))


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param({"anchor": "broken \ud800 escape"}, "not encodable as UTF-8",
                     id="lone-surrogate"),
        pytest.param({"href": "http://acme.test/" + "x" * (8 * 1024 * 1024)},
                     "document too large", id="8MB-href-stored-three-times"),
    ],
)
def test_unstorable_backlinks_are_quarantined_by_the_real_pipeline(
    tmp_path: Path, bad: dict[str, str], reason: str
) -> None:
    uri = f"sqlite:///{tmp_path / 'c.db'}"
    crawler = get_crawler(DemoSpider, {"LINKCRAWL_STORE_URI": uri, "LINKCRAWL_BATCH_SIZE": 2,
                                       "LINKCRAWL_SPILL_DIR": str(tmp_path / "spill")})
    pipeline = store_pipeline.StorePipeline(crawler)
    pipeline.open_spider(DemoSpider())
    for i in range(5):
        pipeline.process_item(item(i, **(bad if i == 2 else {})))
    pipeline.close_blocking()
    with open_store(uri) as store:
        anchors = sorted(d["anchor_text"] for d in store.find("backlinks"))
        assert store.count("pages") == 5
    assert anchors == [f"acme {i}" for i in (0, 1, 3, 4)]
    records = list(read_records(next((tmp_path / "quarantine").glob("*.jsonl"))))
    assert len(records) == 1 and reason in records[0]["reason"]
    assert crawler.stats.get_value("linkcrawl/store/quarantined_documents") == 1


# --- 3. a torn spill record -------------------------------------------------------------
def test_a_torn_record_in_the_middle_skips_only_that_record(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    backlog = Backlog(tmp_path / "run.jsonl", max_items=0)
    docs = []
    for i in range(3):
        doc = {"source_url": f"http://s.test/{i}", "target_url": "http://t.test/",
               "anchor_text": f"a{i}", "source_domain": "s.test", "target_domain": "t.test",
               "seen_at": now}
        docs.append(doc)
        backlog.keep([], [doc], {}, now, "r1")
    lines = backlog.path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 3
    lines[1] = lines[1][: len(lines[1]) // 2] + b"\n"  # torn, then the next append went on
    backlog.path.write_bytes(b"".join(lines))
    db = tmp_path / "s.db"
    result = linkcrawl_cli("replay", str(backlog.path), "--store", f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    assert "2 backlinks" in result.stdout and "skipped 1 torn record (line 2)" in result.stdout
    with open_store(f"sqlite:///{db}") as store:
        assert sorted(d["anchor_text"] for d in store.find("backlinks")) == ["a0", "a2"]
    assert not backlog.path.exists() and backlog.path.with_name("run.jsonl.torn").exists()


def test_a_failed_append_leaves_no_torn_record(tmp_path: Path) -> None:
    """A write that fails half-way (here: the disk is full) is cut off again."""
    with tmpfs(tmp_path / "small", 256) as small:
        backlog = Backlog(small / "run.jsonl", max_items=0)
        now = datetime.now(UTC)
        backlog.keep([], [{"source_url": "http://s.test/1", "target_url": "http://t.test/",
                           "anchor_text": "a", "source_domain": "s.test",
                           "target_domain": "t.test", "seen_at": now}], {}, now, "r1")
        before = backlog.path.read_bytes()
        big = {"source_url": "http://s.test/2", "target_url": "http://t.test/",
               "anchor_text": "b" * (400 * 1024), "source_domain": "s.test",
               "target_domain": "t.test", "seen_at": now}
        with pytest.raises(DurabilityError, match="No space left"):
            backlog.keep([], [big], {}, now, "r1")
        assert backlog.path.read_bytes() == before
        assert [r["kind"] for r in read_records(backlog.path)] == ["backlinks"]


# --- 4. an old spill file replayed over newer data ----------------------------------------
def test_replaying_an_old_spill_file_never_moves_a_document_back(tmp_path: Path) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    t1, t2 = t0 + timedelta(days=1), t0 + timedelta(days=2)
    link_doc = {"source_url": "http://blog.test/p", "target_url": "http://acme.test/",
                "anchor_text": "Acme", "source_domain": "blog.test",
                "target_domain": "acme.test", "seen_at": t0}
    page_doc = {"url": "http://blog.test/p", "status": 200, "fetched_at": t0}
    backlog = Backlog(tmp_path / "old.jsonl", max_items=0)  # the store was down at t0
    backlog.keep([page_doc], [link_doc], {}, t0, "r0")
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        # since then: a crawl at t1 stored the link, a recheck at t2 found it lost
        from linkcrawl.history.sightings import write_batch
        write_batch(store, [{**page_doc, "fetched_at": t1}], [{**link_doc, "seen_at": t1}], [])
        key = store.find("backlinks")[0]["key"]
        store.update_backlinks({key: {"status": "lost", "lost_at": t2, "checked_at": t2,
                                      "lost_reason": "removed"}})
        counts = replay(backlog.path, store)
        doc = store.find("backlinks")[0]
        page = store.find("pages")[0]
    assert counts.stale == 2
    assert (doc["status"], doc["last_seen"], doc["lost_at"]) == ("lost", t1, t2)
    assert page["last_seen"] == t1


def test_a_spill_file_left_behind_is_announced_at_the_next_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spill = tmp_path / "spill"
    Backlog(spill / "sites-old.jsonl", max_items=0).keep(
        [], [{"source_url": "http://s.test/", "target_url": "http://t.test/",
              "anchor_text": "a", "source_domain": "s.test", "target_domain": "t.test"}],
        {}, datetime.now(UTC), "old")
    crawler = get_crawler(DemoSpider, {"LINKCRAWL_STORE_URI": f"sqlite:///{tmp_path / 'c.db'}",
                                       "LINKCRAWL_SPILL_DIR": str(spill)})
    pipeline = store_pipeline.StorePipeline(crawler)
    pipeline.open_spider(DemoSpider())
    pipeline.close_blocking()
    told = [r.getMessage() for r in caplog.records if "sites-old.jsonl" in r.getMessage()]
    assert len(told) == 1 and "linkcrawl replay" in told[0]
    assert crawler.stats.get_value("linkcrawl/store/spill_files_waiting") == 1


# --- 7. the SQLite file deleted mid-crawl ---------------------------------------------------
def test_sqlite_file_deleted_mid_crawl_is_written_back_with_everything(
    tmp_path: Path, ground_truth: dict
) -> None:
    db, spill = tmp_path / "crawl.db", tmp_path / "spill"
    uri = f"sqlite:///{db}"
    with GatedWeb(DEMO_WEB_DIR, 10) as web:
        proc = start(uri, web.proxy_url, spill, LINKCRAWL_BATCH_SIZE=3)
        with running(web, proc):
            assert web.wait_held(), "the crawl never reached the gate"
            wait_until(lambda: run_started(db), what="the run record")
            db.unlink()
            log = finish(web, proc)
    assert proc.returncode == 0, log[-3000:]
    assert "the file was deleted while the crawl was writing to it" in log
    stored = assert_exactly_once(uri, ground_truth)
    assert stored == len(ground_truth["backlinks"])


# --- 2. a full disk under the store and the spill folder -----------------------------------
def test_full_disk_under_store_and_spill_stops_loudly_and_resume_loses_nothing(
    tmp_path: Path, ground_truth: dict
) -> None:
    jobdir = tmp_path / "job"  # on a disk with room: the journal must survive
    with tmpfs(tmp_path / "var", 4096) as var:
        db, spill = var / "linkcrawl.db", var / "spill"
        uri = f"sqlite:///{db}"
        with GatedWeb(DEMO_WEB_DIR, 8) as web:
            proc = start(uri, web.proxy_url, spill, LINKCRAWL_BATCH_SIZE=2,
                         LINKCRAWL_SPILL_MAX_ITEMS=4, JOBDIR=jobdir)
            with running(web, proc):
                assert web.wait_held(), "the crawl never reached the gate"
                wait_until(lambda: run_started(db), what="the run record")
                filler = fill(var)
                log = finish(web, proc)
        assert proc.returncode == DurabilityError.exit_code, log[-3000:]
        assert "stopping the crawl" in log and "spill file cannot be written" in log
        assert "'finish_reason': 'not_durable'" in log
        journal = (jobdir / FILE_NAME).read_text(encoding="utf-8").splitlines()
        assert journal[-1] != "clean"
        filler.unlink()  # room again: resume
        stopped_with = len(stored_keys(uri))
        with GatedWeb(DEMO_WEB_DIR, 10**9) as web:
            second = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                                  args={"seeds_file": str(SEEDS),
                                        "targets": ",".join(DEMO_TARGETS)},
                                  settings={"JOBDIR": jobdir, "CONCURRENT_REQUESTS": 1,
                                            "LINKCRAWL_SPILL_DIR": spill})
        assert second.returncode == 0, second.stderr[-3000:]
        for left in spill.glob("*.jsonl"):  # what the first run did manage to spill
            assert linkcrawl_cli("replay", str(left), "--store", uri).returncode == 0
        print(f"\nfull disk: stopped with {stopped_with} backlinks stored; after the resume "
              f"{len(stored_keys(uri))} of {len(ground_truth['backlinks'])}")
        assert_exactly_once(uri, ground_truth)


# --- 6. JOBDIR on a full disk -------------------------------------------------------------
def test_jobdir_on_a_full_disk_stops_the_crawl_with_a_clear_error(
    tmp_path: Path, ground_truth: dict
) -> None:
    uri = f"sqlite:///{tmp_path / 'c.db'}"
    with tmpfs(tmp_path / "job", 1024) as jobdir:
        with GatedWeb(DEMO_WEB_DIR, 5) as web:
            proc = start(uri, web.proxy_url, tmp_path / "spill", JOBDIR=jobdir)
            with running(web, proc):
                assert web.wait_held(), "the crawl never reached the gate"
                filler = fill(jobdir)
                log = finish(web, proc)  # times out (and fails) if the crawl never ends
        assert proc.returncode == DurabilityError.exit_code, log[-3000:]
        assert "the request journal in" in log and "cannot be written" in log
        stopped_with = len(stored_keys(uri))
        filler.unlink()  # room again: resume
        with GatedWeb(DEMO_WEB_DIR, 10**9) as web:
            second = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                                  args={"seeds_file": str(SEEDS),
                                        "targets": ",".join(DEMO_TARGETS)},
                                  settings={"JOBDIR": jobdir, "CONCURRENT_REQUESTS": 1,
                                            "LINKCRAWL_SPILL_DIR": tmp_path / "spill"})
        assert second.returncode == 0, second.stderr[-3000:]
    print(f"\nJOBDIR full: stopped with {stopped_with} backlinks stored; after the resume "
          f"{len(stored_keys(uri))} of {len(ground_truth['backlinks'])}")
    assert_exactly_once(uri, ground_truth)


# --- 18. a store that stalls ----------------------------------------------------------------
STALL_SECONDS = 4.0  # how long the store is held; under SQLite's 5 s busy timeout


def test_a_stalled_store_slows_only_the_writes(tmp_path: Path, ground_truth: dict) -> None:
    db, spill = tmp_path / "crawl.db", tmp_path / "spill"
    uri = f"sqlite:///{db}"
    bound, batch = 10, 3
    with GatedWeb(DEMO_WEB_DIR, 8) as web:
        proc = start(uri, web.proxy_url, spill, LINKCRAWL_BATCH_SIZE=batch,
                     LINKCRAWL_SPILL_MAX_ITEMS=bound)
        with running(web, proc):
            assert web.wait_held(), "the crawl never reached the gate"
            wait_until(lambda: run_started(db), what="the run record")
            holder = lock(db)  # every write now waits for this lock
            before = web.answered
            web.set_limit(10**9)
            released = threading.Event()
            # the fault lasts STALL_SECONDS (a duration of the fault, not a synchronisation)
            released.wait(STALL_SECONDS)
            during = web.answered - before
            holder.rollback()
            holder.close()
            log = finish(web, proc)
    assert proc.returncode == 0, log[-3000:]
    stored = assert_exactly_once(uri, ground_truth)
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
    queued = stats["linkcrawl/store/max_queued_documents"]
    print(f"\nstore held {STALL_SECONDS:.0f} s: {during} pages fetched during the stall, "
          f"{stored} backlinks stored, at most {queued} documents waited in memory "
          f"(bound {bound}), {stats.get('linkcrawl/store/spilled_documents', 0)} spilled")
    assert during > 0, "fetching stopped while the store stalled"
    # the bound, plus one batch (its pages, backlinks, mentions and domain edges)
    assert queued <= bound + 40, "memory past its bound"




def test_a_frozen_store_blocks_no_item_and_loses_none(tmp_path: Path) -> None:
    """The real pipeline on a store whose writes hang until released (a frozen MongoDB):
    every item is taken while the store hangs, memory stays bounded, nothing is lost."""
    store = open_store("mongomock://frozen")
    store.close = lambda: None  # type: ignore[method-assign]
    thawed = threading.Event()
    entered = threading.Event()
    real = store.upsert_pages

    def frozen(pages: Any) -> None:
        entered.set()
        assert thawed.wait(120), "never thawed"
        real(pages)

    store.upsert_pages = frozen  # type: ignore[method-assign]
    bound = 20
    crawler = get_crawler(DemoSpider, {
        "LINKCRAWL_STORE_URI": "mongomock://frozen", "LINKCRAWL_BATCH_SIZE": 2,
        "LINKCRAWL_SPILL_MAX_ITEMS": bound, "LINKCRAWL_SPILL_DIR": str(tmp_path / "spill")})
    original = store_pipeline.open_store
    store_pipeline.open_store = lambda uri: store  # type: ignore[assignment]
    try:
        pipeline = store_pipeline.StorePipeline(crawler)
        pipeline.open_spider(DemoSpider())
        pipeline.process_item(item(0))
        pipeline.process_item(item(1))
        assert entered.wait(60), "the writer never started writing"
        for i in range(2, 200):  # would hang here if a write ran on this thread
            pipeline.process_item(item(i))
        assert not thawed.is_set()
        writer = pipeline._writer
        assert writer is not None
        spilled = crawler.stats.get_value("linkcrawl/store/spilled_documents")
        assert spilled and spilled > 300, spilled
        assert writer.max_queued <= bound + 5  # the bound plus one batch (2 pages, 2 links, 1 edge)
        thawed.set()
        pipeline.close_blocking()
    finally:
        store_pipeline.open_store = original  # type: ignore[assignment]
        thawed.set()
    assert sorted(d["anchor_text"] for d in store.find("backlinks")) == sorted(
        f"acme {i}" for i in range(200))
    assert store.count("pages") == 200
    print(f"\nfrozen store: 198 items taken while it hung; {spilled} documents spilled, at most "
          f"{writer.max_queued} in memory (bound {bound}); 200/200 stored after the thaw")


# --- the journal waits for the batch of each item -------------------------------------------
def journaled(tmp_path: Path) -> tuple[Any, Any, Any]:
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from linkcrawl.ops.journal_middleware import JournalMiddleware

    crawler = get_crawler(DemoSpider, {"JOBDIR": str(tmp_path / "job")})
    middleware = JournalMiddleware.from_crawler(crawler)
    request = Request("http://blog.test/1")
    middleware.request_scheduled(request)
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    return crawler, middleware, response


def journal_lines(tmp_path: Path) -> list[str]:
    return (tmp_path / "job" / FILE_NAME).read_text(encoding="utf-8").splitlines()


def test_journal_finishes_a_request_only_when_its_batch_is_durable(tmp_path: Path) -> None:
    from linkcrawl.crawl.context import crawl_context
    from linkcrawl.ops.spill import items_durable

    crawler, middleware, response = journaled(tmp_path)
    page = item(1)
    list(middleware.process_spider_output(response, [page]))
    crawl_context(crawler).item_batches[id(page)] = 3  # the store put it in batch 3
    middleware.item_buffered(page, response)
    crawler.signals.send_catch_log(items_durable, upto=2)  # batches 1-2 durable: not yet
    assert not any(line.startswith("done") for line in journal_lines(tmp_path))
    crawler.signals.send_catch_log(items_durable, upto=3)
    assert [line.split()[0] for line in journal_lines(tmp_path)] == ["open", "req", "done"]
    middleware.spider_closed(DemoSpider(), "finished")
    assert journal_lines(tmp_path)[-1] == "clean"


def test_an_item_that_failed_in_a_pipeline_keeps_its_request_and_the_run_unclean(
    tmp_path: Path
) -> None:
    _crawler, middleware, response = journaled(tmp_path)
    page = item(1)
    list(middleware.process_spider_output(response, [page]))
    middleware.item_failed(page, response)
    middleware.spider_closed(DemoSpider(), "finished")
    lines = journal_lines(tmp_path)
    assert [line.split()[0] for line in lines] == ["open", "req"]
    again = Journal(tmp_path / "job" / FILE_NAME)
    assert not again.clean and len(again.unfinished) == 1
