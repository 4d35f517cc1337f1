"""Resumable jobs: a crawl stopped with SIGINT and restarted with the same JOBDIR ends with
exactly what an uninterrupted crawl stores, and no document twice.

The local web stops answering after a number of pages (it holds the requests), which is
when the test sends SIGINT; it lets the held requests through only once the crawler has
logged that it is shutting down. No timing guesses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb, Resolved
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, scrapy_crawl

SEEDS = REPO / "data" / "seeds" / "demo.txt"
ARGS = {"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)}
PAUSE_AFTER = 10  # pages answered before the web holds every further request
TIMEOUT = 60.0


class PausingWeb(LocalWeb):
    """Answers ``pause_after`` page requests, then holds the rest until ``release`` is set."""

    def __init__(self, root: Path, pause_after: int) -> None:
        super().__init__(root)
        self.pause_after = pause_after
        self.answered = 0
        self.paused = threading.Event()
        self.release = threading.Event()
        self._count_lock = threading.Lock()

    def resolve(self, host: str, target: str) -> Resolved:
        if target != "/robots.txt":
            with self._count_lock:
                hold = self.answered >= self.pause_after
                self.answered += 1
            if hold:
                self.paused.set()
                self.release.wait(TIMEOUT)
        return super().resolve(host, target)


def crawl_command(store_uri: str, proxy: str, jobdir: Path) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites"]
    for key, value in ARGS.items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in {
        "LINKCRAWL_STORE_URI": store_uri, "LINKCRAWL_HTTP_PROXY": proxy,
        "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, "LINKCRAWL_PROGRESS_INTERVAL": 0,
        "AUTOTHROTTLE_ENABLED": False, "JOBDIR": jobdir,
    }.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def interrupted_crawl(web: PausingWeb, store_uri: str, jobdir: Path) -> str:
    """Start a crawl, SIGINT it once the web pauses, let held requests finish; its log."""
    proc = subprocess.Popen(
        crawl_command(store_uri, web.proxy_url, jobdir), cwd=REPO, env=dict(os.environ),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    lines: list[str] = []
    shutting_down = threading.Event()

    def read_log() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "shutting down gracefully" in line:
                shutting_down.set()

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    try:
        assert web.paused.wait(TIMEOUT), "the crawl never reached the pause"
        proc.send_signal(signal.SIGINT)
        assert shutting_down.wait(TIMEOUT), "".join(lines[-30:])
    finally:
        web.release.set()
        try:
            proc.wait(TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    reader.join(TIMEOUT)
    log = "".join(lines)
    assert proc.returncode == 0, log[-3000:]
    return log


def snapshot(store_uri: str) -> dict[str, Any]:
    with open_store(store_uri) as store:
        backlinks = store.find("backlinks")
        pages = store.find("pages")
        domains = store.find("referring_domains")
        runs = store.find("runs")
    keys = [(d["source_url"], d["target_url"], d["anchor_text"]) for d in backlinks]
    return {
        "backlinks": sorted(keys),
        "backlink_fields": sorted(
            (d["source_url"], d["anchor_text"], d["link_type"], d["location"], d["follow"])
            for d in backlinks
        ),
        "pages": sorted(p["url"] for p in pages),
        "referring_domains": sorted(
            (r["target_domain"], r["referring_domain"], r["backlinks"]) for r in domains
        ),
        "runs": runs,
    }


@dataclass
class Parts:
    reference: dict[str, Any]
    reference_fetches: Counter[tuple[str, str]]
    first_log: str
    first: Counter[tuple[str, str]]
    halfway: dict[str, Any]
    second_log: str
    rest: Counter[tuple[str, str]]
    resumed: dict[str, Any]
    jobdir: Path


def page_fetches(web: LocalWeb) -> Counter[tuple[str, str]]:
    return Counter((h, p) for h, p, _ in web.requests if p != "/robots.txt")


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Parts:
    """An uninterrupted crawl, and a crawl stopped with SIGINT then resumed from JOBDIR."""
    tmp = tmp_path_factory.mktemp("jobdir")
    with LocalWeb(DEMO_WEB_DIR) as web:
        ref_uri = scrapy_crawl("sites", store_uri=f"sqlite:///{tmp / 'ref.db'}",
                               proxy=web.proxy_url, args=ARGS).check().store_uri
        reference_fetches = page_fetches(web)
    uri, jobdir = f"sqlite:///{tmp / 'resumed.db'}", tmp / "job"
    with PausingWeb(DEMO_WEB_DIR, PAUSE_AFTER) as web:
        first_log = interrupted_crawl(web, uri, jobdir)
        first = page_fetches(web)
    halfway = snapshot(uri)
    with LocalWeb(DEMO_WEB_DIR) as web:
        # One request at a time: Scrapy 2.19's RobotsTxtMiddleware lets through unchecked all
        # but the first of several requests that wait for one host's robots.txt, and a resumed
        # crawl starts with many queued requests per host. Drop this once linkcrawl ships
        # its fixed robots.txt middleware.
        second = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, args=ARGS,
                              settings={"JOBDIR": jobdir, "CONCURRENT_REQUESTS": 1}).check()
        rest = page_fetches(web)
    print(f"\nfirst part fetched {sum(first.values())} pages, the resumed part "
          f"{sum(rest.values())}; uninterrupted: {sum(reference_fetches.values())}")
    return Parts(snapshot(ref_uri), reference_fetches, first_log, first, halfway,
                 second.stderr, rest, snapshot(uri), jobdir)


@pytest.mark.ops
def test_the_first_part_stops_mid_way(parts: Parts) -> None:
    assert sum(parts.reference_fetches.values()) > PAUSE_AFTER + 5, "demo web too small"
    assert "'finish_reason': 'shutdown'" in parts.first_log
    assert (parts.jobdir / "requests.seen").is_file()
    assert sum(parts.first.values()) < sum(parts.reference_fetches.values())
    assert len(parts.halfway["pages"]) < len(parts.reference["pages"])
    assert "Resuming crawl" in parts.second_log


@pytest.mark.ops
@pytest.mark.parametrize(
    "part", ["backlinks", "backlink_fields", "pages", "referring_domains"]
)
def test_resumed_crawl_stores_what_an_uninterrupted_crawl_stores(parts: Parts, part: str) -> None:
    assert parts.resumed[part] == parts.reference[part]


@pytest.mark.ops
def test_no_duplicate_documents_and_no_page_fetched_twice(parts: Parts) -> None:
    keys = parts.resumed["backlinks"]
    assert len(keys) == len(set(keys))
    assert len(parts.resumed["pages"]) == len(set(parts.resumed["pages"]))
    assert len(parts.resumed["runs"]) == 2  # one run record per part
    twice = parts.first & parts.rest
    assert not twice, f"fetched by both parts: {sorted(twice)}"


@pytest.mark.ops
def test_resumed_crawl_fetches_what_an_uninterrupted_crawl_fetches(parts: Parts) -> None:
    assert set(parts.first + parts.rest) == set(parts.reference_fetches)
