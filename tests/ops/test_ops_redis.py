"""Distributed crawling: two `scrapy crawl` workers sharing one frontier in a real Redis.

Each worker gets its own LocalWeb proxy over the same demo web, so the request logs say
which worker fetched what. A gate holds the first page request of each worker until both
have one in flight: without it the first worker to start could crawl the whole (small)
demo web before the second one has imported Scrapy, and the test would prove nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

from linkcrawl.ops.distributed import (
    RedisFrontierAddon,
    SharedFrontier,
    busy_peers,
    counts_toward_budget,
)
from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb, Resolved
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, free_port, need, scrapy_crawl

SEEDS = REPO / "data" / "seeds" / "demo.txt"
ARGS = {"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)}


# --- pure logic ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ({}, []),
        ({b"me": b"busy 100.0"}, []),  # never wait for oneself
        ({b"me": b"idle 100.0", b"w2": b"busy 99.0"}, ["w2"]),
        ({"w2": "idle 99.0", "w3": "busy 99.5"}, ["w3"]),  # str values (decode_responses)
        ({b"w2": b"busy 10.0"}, []),  # silent for 90 s: crashed, not busy
        ({b"w2": b"busy"}, []),  # malformed entries are ignored
        ({b"w2": b"busy x"}, []),
        ({b"w3": b"busy 99.0", b"w2": b"busy 98.0"}, ["w2", "w3"]),
    ],
)
def test_busy_peers(states: dict[Any, Any], expected: list[str]) -> None:
    assert busy_peers(states, "me", now=100.0, stale_after=60.0) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"meta": {"site": "blog.test"}}, "blog.test"),
        ({"meta": {}}, ""),  # not a page request (no site): no budget
        ({"meta": {"site": "blog.test"}, "dont_filter": True}, ""),  # a retry
        ({"meta": {"site": "blog.test", "redirect_urls": ["http://blog.test/a"]}}, ""),
    ],
)
def test_counts_toward_budget(kwargs: dict[str, Any], expected: str) -> None:
    assert counts_toward_budget(Request("http://blog.test/x", **kwargs)) == expected


# --- a real Redis and two workers ------------------------------------------------------

@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """Debian's redis-server on 127.0.0.1, in the foreground, stopped after the test."""
    exe = shutil.which("redis-server")
    need(exe is not None, "redis-server is not installed (apt-get install redis-server)")
    assert exe is not None
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path), "--loglevel", "notice"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # blocks until redis says it is ready (or exits)
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail(f"redis-server exited with {proc.wait()}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Gate:
    """Opens once ``parties`` different webs have each received a page request."""

    def __init__(self, parties: int, timeout: float = 20.0) -> None:
        self.parties = parties
        self.timeout = timeout
        self.arrived: set[int] = set()
        self.cond = threading.Condition()

    def arrive(self, who: int) -> None:
        with self.cond:
            self.arrived.add(who)
            self.cond.notify_all()
            self.cond.wait_for(lambda: len(self.arrived) >= self.parties, timeout=self.timeout)


class GatedWeb(LocalWeb):
    def __init__(self, root: Path, gate: Gate) -> None:
        super().__init__(root)
        self.gate = gate

    def resolve(self, host: str, target: str) -> Resolved:
        if target != "/robots.txt":
            self.gate.arrive(id(self))
        return super().resolve(host, target)


def page_fetches(web: LocalWeb) -> Counter[tuple[str, str]]:
    """(host, path) -> times fetched; robots.txt is per worker by design and left out."""
    return Counter((h, p) for h, p, _ in web.requests if p != "/robots.txt")


class _Spider(Spider):
    name = "sites"
    max_pages = 2


def _frontier(redis_url: str) -> SharedFrontier:
    """One worker's scheduler, configured exactly as the add-on configures a crawl.

    A stand-in crawler (settings, signals, stats) keeps Twisted's reactor out of this test.
    """
    settings = Settings({"LINKCRAWL_REDIS_URL": redis_url})
    RedisFrontierAddon().update_settings(settings)
    crawler: Any = SimpleNamespace(settings=settings, signals=SignalManager())
    crawler.stats = MemoryStatsCollector(crawler)
    frontier = SharedFrontier.from_crawler(crawler)
    spider = _Spider()
    spider.settings = settings
    frontier.open(spider)
    return frontier


def _page(url: str, **kwargs: Any) -> Request:
    return Request(url, meta={"site": "a.test", **kwargs.pop("meta", {})}, **kwargs)


@pytest.mark.ops
def test_frontier_shares_dupes_and_budget_and_ends_together(redis_url: str) -> None:
    import redis

    one, two = _frontier(redis_url), _frontier(redis_url)
    assert one.enqueue_request(_page("http://a.test/1"))
    assert not two.enqueue_request(_page("http://a.test/1")), "the dupe filter is shared"
    assert two.enqueue_request(_page("http://a.test/2"))
    assert not one.enqueue_request(_page("http://a.test/3")), "the budget (2) is shared"
    assert one.enqueue_request(_page("http://a.test/1", dont_filter=True)), "retries pass"
    assert one.enqueue_request(_page("http://b.test/1", meta={"site": "b.test"}))
    popped = [two.next_request() for _ in range(4)]
    assert sorted(r.url for r in popped if r) == [
        "http://a.test/1", "http://a.test/1", "http://a.test/2", "http://b.test/1",
    ]
    assert two.next_request() is None
    # "two" has work in flight (it popped requests): "one" must not close yet ...
    with pytest.raises(DontCloseSpider):
        one.spider_idle(one.spider)
    # ... until "two" is idle too; then the crawl is over for both.
    two.spider_idle(two.spider)
    one.spider_idle(one.spider)
    one.close("finished")
    two.close("finished")
    assert redis.Redis.from_url(redis_url).keys("linkcrawl:sites:*") == []


@pytest.mark.ops
def test_a_stopped_crawl_keeps_its_frontier(redis_url: str) -> None:
    import redis

    one = _frontier(redis_url)
    assert one.enqueue_request(_page("http://a.test/1"))
    one.close("shutdown")  # Ctrl-C: the next start resumes from Redis
    keys = {k.decode() for k in redis.Redis.from_url(redis_url).keys("linkcrawl:sites:*")}
    assert keys == {"linkcrawl:sites:requests", "linkcrawl:sites:dupefilter",
                    "linkcrawl:sites:budget"}


def _key(doc: dict[str, Any]) -> tuple[str, str, str]:
    return doc["source_url"], doc["target_url"], doc["anchor_text"]


@pytest.mark.ops
def test_two_workers_fetch_every_page_once(
    redis_url: str, tmp_path: Path, ground_truth: dict[str, Any]
) -> None:
    assert len(SEEDS.read_text(encoding="utf-8").split()) >= 2, "the gate needs two seeds"
    import redis

    # The reference: one ordinary process.
    with LocalWeb(DEMO_WEB_DIR) as ref_web:
        scrapy_crawl("sites", store_uri=f"sqlite:///{tmp_path / 'ref.db'}",
                     proxy=ref_web.proxy_url, args=ARGS).check()
        expected = page_fetches(ref_web)
    assert expected and max(expected.values()) == 1

    uri = f"sqlite:///{tmp_path / 'shared.db'}"
    # One request at a time per worker: the first worker cannot take every seed at once.
    shared = {"LINKCRAWL_REDIS_URL": redis_url, "CONCURRENT_REQUESTS": 1}
    gate = Gate(parties=2)
    with GatedWeb(DEMO_WEB_DIR, gate) as web_a, GatedWeb(DEMO_WEB_DIR, gate) as web_b:
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(scrapy_crawl, "sites", store_uri=uri, proxy=web.proxy_url,
                            args=ARGS, settings=shared, timeout=120)
                for web in (web_a, web_b)
            ]
            results = [run.result().check() for run in runs]
        fetched_a, fetched_b = page_fetches(web_a), page_fetches(web_b)

    assert len(gate.arrived) == 2
    assert fetched_a and fetched_b, "both workers must have fetched pages"
    assert not fetched_a.keys() & fetched_b.keys(), "a page was fetched by both workers"
    together = fetched_a + fetched_b
    assert max(together.values()) == 1
    assert together == expected
    assert all("shared frontier: worker" in r.stderr for r in results)

    with open_store(f"sqlite:///{tmp_path / 'ref.db'}") as store:
        ref_domains = sorted((r["target_domain"], r["referring_domain"], r["backlinks"])
                             for r in store.find("referring_domains"))
    with open_store(uri) as store:
        domains = sorted((r["target_domain"], r["referring_domain"], r["backlinks"])
                         for r in store.find("referring_domains"))
        found = [_key(d) for d in store.find("backlinks")]
        pages = store.find("pages")
        runs_stored = store.find("runs")
    assert len(found) == len(set(found)), "duplicate backlink documents"
    assert set(found) == {_key(b) for b in ground_truth["backlinks"]}
    assert len(pages) == len({p["url"] for p in pages})
    assert domains == ref_domains
    assert len(runs_stored) == 2 and {r["finish_reason"] for r in runs_stored} == {"finished"}
    # The finished crawl cleaned up after itself: a second crawl would start afresh.
    assert redis.Redis.from_url(redis_url).keys("linkcrawl:sites:*") == []
    print(f"\nworker A fetched {sum(fetched_a.values())} pages, worker B "
          f"{sum(fetched_b.values())}; {len(together)} pages, each once")
