"""The shared Redis frontier when Redis is wrong at start or goes away mid-crawl.

Real ``scrapy crawl`` workers against Debian's redis-server on a free loopback port.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.store import open_store
from tests.conftest import REPO, free_port, need, scrapy_crawl
from tests.faultweb import GatedWeb, wait_until
from tests.ops.test_ops_redis import ARGS

SECRET = "s3cret-pw"


class RedisServer:
    """redis-server in the foreground on ``port``; stop and start it again (same data)."""

    def __init__(self, root: Path, port: int, *extra: str) -> None:
        exe = shutil.which("redis-server")
        need(exe is not None, "redis-server is not installed (apt-get install redis-server)")
        assert exe is not None
        self.cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "yes", "--appendfsync", "always", "--dir", str(root),
                    "--loglevel", "notice", *extra]
        self.port = port
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # blocks until redis says it is ready (or exits)
            if "Ready to accept connections" in line:
                return
        pytest.fail(f"redis-server exited with {self.proc.wait()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # a clean shutdown: the append-only file is complete
            self.proc.wait(timeout=20)
        self.proc = None


@pytest.fixture
def password_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, free_port(), "--requirepass", SECRET)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outage_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis (no password) that a test stops and starts again; stopped at the end."""
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.ops
@pytest.mark.parametrize("case", ["unreachable", "wrong password", "no password", "bad db"])
def test_a_bad_redis_setting_is_one_line_and_exit_3(
    case: str, password_redis: RedisServer, tmp_path: Path
) -> None:
    port = password_redis.port
    url = {
        "unreachable": f"redis://127.0.0.1:{free_port()}/0",
        "wrong password": f"redis://:wrong-{SECRET}@127.0.0.1:{port}/0",
        "no password": f"redis://127.0.0.1:{port}/0",
        "bad db": f"redis://:{SECRET}@127.0.0.1:{port}/99",
    }[case]
    with LocalWeb(DEMO_WEB_DIR) as web:
        result = scrapy_crawl("sites", store_uri=f"sqlite:///{tmp_path / 'x.db'}",
                              proxy=web.proxy_url, args=ARGS,
                              settings={"LINKCRAWL_REDIS_URL": url}, timeout=60)
        fetched = len(web.requests)
    assert result.returncode == 3, result.stderr[-2000:]
    line = _last_line(result.stderr)
    assert line.startswith("linkcrawl: error: cannot use the Redis frontier redis://"), line
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr
    assert fetched == 0, "nothing may be fetched before the frontier is usable"


@pytest.mark.ops
def test_a_good_password_passes_the_check(password_redis: RedisServer, tmp_path: Path) -> None:
    url = f"redis://:{SECRET}@127.0.0.1:{password_redis.port}/0"
    with LocalWeb(DEMO_WEB_DIR) as web:
        result = scrapy_crawl("sites", store_uri=f"sqlite:///{tmp_path / 'x.db'}",
                              proxy=web.proxy_url, args=ARGS,
                              settings={"LINKCRAWL_REDIS_URL": url}, timeout=120)
    result.check()
    assert SECRET not in result.stderr


OUTAGE_SECONDS = 10  # how long Redis is away (the fault; nothing waits on it to sync)


def _worker_command(uri: str, proxy: str, redis_url: str) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites"]
    for key, value in ARGS.items():
        cmd += ["-a", f"{key}={value}"]
    settings = {
        "LINKCRAWL_STORE_URI": uri, "LINKCRAWL_HTTP_PROXY": proxy,
        "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, "LINKCRAWL_PROGRESS_INTERVAL": 0,
        "AUTOTHROTTLE_ENABLED": False, "LINKCRAWL_REDIS_URL": redis_url,
        "CONCURRENT_REQUESTS": 8, "LOG_LEVEL": "INFO",
    }
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


@pytest.mark.ops
def test_a_redis_outage_mid_crawl_loses_nothing(
    tmp_path: Path, ground_truth: dict[str, Any], outage_redis: RedisServer
) -> None:
    import redis

    server = outage_redis
    url = f"redis://127.0.0.1:{server.port}/0"
    uri = f"sqlite:///{tmp_path / 'outage.db'}"
    log = tmp_path / "worker.log"
    # No page is answered before the outage: only the seeds are known, so the links on
    # the pages in flight are all new and must wait for Redis (with a higher gate the
    # first pages could find every URL first, and nothing would need the frontier).
    with GatedWeb(DEMO_WEB_DIR, 0) as web, log.open("w") as err:
        proc = subprocess.Popen(_worker_command(uri, web.proxy_url, url), cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=err)
        try:
            assert web.wait_held(), "the crawl never reached the gate"
            server.stop()  # Redis goes away with pages in flight ...
            web.set_limit(10**9)  # ... whose links now need the frontier
            wait_until(lambda: "Redis unreachable" in log.read_text(), timeout=60,
                       what="the worker to notice the outage")
            threading.Event().wait(OUTAGE_SECONDS)
            server.start()  # the same data (append-only file)
            code = proc.wait(timeout=180)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    stderr = log.read_text()
    assert code == 0, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "Redis back after" in stderr
    found = [(d["source_url"], d["target_url"], d["anchor_text"])
             for d in _backlinks(uri)]
    expected = {(b["source_url"], b["target_url"], b["anchor_text"])
                for b in ground_truth["backlinks"]}
    assert len(found) == len(set(found)), "a backlink stored twice"
    assert expected - set(found) == set(), "backlinks lost in the outage"
    assert redis.Redis.from_url(url).keys("linkcrawl:sites:*") == []
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
    held = stats.get("linkcrawl/redis/held_requests", 0)
    assert held > 0, "no request had to wait for Redis: the outage tested nothing"
    print(f"\n{len(set(found))}/{len(expected)} backlinks after a {OUTAGE_SECONDS} s "
          f"Redis outage; {held} requests waited in memory")


def _backlinks(uri: str) -> list[dict[str, Any]]:
    with open_store(uri) as store:
        return store.find("backlinks")


@pytest.mark.ops
def test_a_long_redis_outage_stops_the_worker_cleanly_with_the_queue_kept(
    tmp_path: Path, outage_redis: RedisServer,
) -> None:
    import redis

    server = outage_redis
    url = f"redis://127.0.0.1:{server.port}/0"
    uri = f"sqlite:///{tmp_path / 'gone.db'}"
    log = tmp_path / "worker.log"
    with GatedWeb(DEMO_WEB_DIR, 12) as web, log.open("w") as err:
        cmd = [*_worker_command(uri, web.proxy_url, url), "-s", "LINKCRAWL_REDIS_OUTAGE_MAX=3"]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        try:
            assert web.wait_held(), "the crawl never reached the gate"
            queued = redis.Redis.from_url(url).zcard("linkcrawl:sites:requests")
            server.stop()  # and it does not come back while the worker runs
            web.set_limit(10**9)
            code = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    stderr = log.read_text()
    assert code == 0, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "stopping, the queue in Redis is kept" in stderr
    with open_store(uri) as store:
        runs = store.find("runs")
    assert [r["finish_reason"] for r in runs] == ["redis_unavailable"]
    server.start()
    assert queued > 0
    assert redis.Redis.from_url(url).zcard("linkcrawl:sites:requests") >= queued - 8, (
        "the queue in Redis must survive (at most the requests in flight were popped)")
