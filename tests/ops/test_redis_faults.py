"""The shared Redis frontier when Redis is wrong at start or goes away mid-crawl.

Real ``scrapy crawl`` workers against Debian's redis-server on a free loopback port.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from tests.conftest import need, scrapy_crawl
from tests.ops.test_ops_redis import ARGS, _free_port

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
    server = RedisServer(tmp_path, _free_port(), "--requirepass", SECRET)
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
        "unreachable": f"redis://127.0.0.1:{_free_port()}/0",
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
