"""The request journal: a crawl killed with SIGKILL and restarted with the same JOBDIR ends
with every ground-truth backlink stored exactly once.

Scrapy's JOBDIR alone loses what was queued or in flight at a kill (the fingerprints are
on disk, the queue index is not); the journal re-queues it. The web holds requests after
a number of pages, which is when the test kills the crawler: the held requests are in
flight for sure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.journal import FILE_NAME, Journal
from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, scrapy_crawl
from tests.faultweb import GatedWeb

SEEDS = REPO / "data" / "seeds" / "demo.txt"
ARGS = {"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)}
KILL_AFTER = 12  # pages answered before the web holds requests and the test kills the crawl


def backlink_keys(uri: str) -> list[tuple[str, str, str]]:
    with open_store(uri) as store:
        return [(d["source_url"], d["target_url"], d["anchor_text"])
                for d in store.find("backlinks")]


def crawl_command(uri: str, proxy: str, jobdir: Path) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites"]
    for key, value in ARGS.items():
        cmd += ["-a", f"{key}={value}"]
    settings: dict[str, Any] = {
        "LINKCRAWL_STORE_URI": uri, "LINKCRAWL_HTTP_PROXY": proxy,
        "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, "LINKCRAWL_PROGRESS_INTERVAL": 0,
        "AUTOTHROTTLE_ENABLED": False, "JOBDIR": jobdir, "LINKCRAWL_BATCH_SIZE": 3,
    }
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


@pytest.mark.ops
def test_sigkill_and_restart_store_every_backlink_once(
    tmp_path: Path, ground_truth: dict[str, Any]
) -> None:
    uri, jobdir = f"sqlite:///{tmp_path / 'killed.db'}", tmp_path / "job"
    with GatedWeb(DEMO_WEB_DIR, KILL_AFTER) as web:
        proc = subprocess.Popen(crawl_command(uri, web.proxy_url, jobdir), cwd=REPO,
                                env=dict(os.environ), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            assert web.wait_held(), "the crawl never reached the gate"
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(60) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            web.set_limit(10**9)
    expected = {(b["source_url"], b["target_url"], b["anchor_text"])
                for b in ground_truth["backlinks"]}
    before = backlink_keys(uri)
    assert len(set(before)) < len(expected), "the kill came too late to lose anything"
    journal = (jobdir / FILE_NAME).read_text(encoding="utf-8")
    assert "clean" not in journal.split()
    finished = journal.count("\ndone ")
    assert finished > 0, "no request was finished before the kill: the journal did not work"

    with LocalWeb(DEMO_WEB_DIR) as web:
        second = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, args=ARGS,
                              settings={"JOBDIR": jobdir}).check()
    assert "did not close cleanly" in second.stderr
    requeued = int(second.stderr.split("journal: re-queued ")[1].split()[0])
    assert requeued > 0

    after = backlink_keys(uri)
    assert sorted(set(after) - expected) == [], "unexpected backlinks"
    assert sorted(expected - set(after)) == [], "backlinks lost by the kill"
    duplicates = [k for k, n in Counter(after).items() if n > 1]
    assert duplicates == []
    assert len(after) == len(expected)
    print(f"\nkilled after {KILL_AFTER} pages ({finished} requests journaled as finished) "
          f"with {len(set(before))} of {len(expected)} backlinks stored; the restart "
          f"re-queued {requeued} journaled requests and "
          f"ended with {len(after)} backlinks, each once")


def test_journal_replays_only_unfinished_requests_after_an_unclean_stop(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    first = Journal(path)
    assert first.want("a1", {"url": "http://a.test/1"})
    assert not first.want("a1", {"url": "http://a.test/1"})
    first.want("b2", {"url": "http://a.test/2"})
    first.finish("a1")
    first._file.close()  # killed: no "clean" line
    second = Journal(path)
    assert not second.clean
    assert list(second.unfinished) == ["b2"]
    second.finish("b2")
    second.close(clean=True)
    third = Journal(path)
    assert third.clean and third.unfinished == {} and third.pending == set()


def test_journal_ignores_a_line_torn_by_a_kill(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text('open\nreq f1 {"url":"http://a.test/"}\nreq f2 {"url":"ht', encoding="utf-8")
    journal = Journal(path)
    assert list(journal.unfinished) == ["f1"]
