"""Shared fixtures: the local web on 127.0.0.1, and real crawls run as `scrapy crawl`.

Crawls run in a subprocess, exactly as a user runs them from the shell (Twisted's reactor
cannot restart inside one pytest process anyway).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_TARGETS = ("acme-widgets.test", "rival-gadgets.test")
# In CI a missing browser or server is a failure, not a skip: the suite must prove them.
STRICT = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Skip (visibly) on a developer machine without the tool; fail in CI."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def ground_truth() -> dict[str, Any]:
    return json.loads((DEMO_WEB_DIR / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_web() -> Iterator[LocalWeb]:
    with LocalWeb(DEMO_WEB_DIR) as web:
        yield web


@pytest.fixture
def web_copy(tmp_path: Path) -> Iterator[tuple[LocalWeb, Path]]:
    """A private, mutable copy of the demo web (for tests that change pages between crawls)."""
    root = tmp_path / "web"
    shutil.copytree(DEMO_WEB_DIR, root)
    with LocalWeb(root) as web:
        yield web, root


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    store_uri: str

    def check(self) -> CrawlResult:
        assert self.returncode == 0, f"crawl failed ({self.returncode}):\n{self.stderr[-4000:]}"
        assert "Traceback" not in self.stderr, self.stderr[-4000:]
        return self


def scrapy_crawl(
    spider: str,
    *,
    store_uri: str,
    proxy: str | None,
    args: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
    extra: Sequence[str] = (),
    timeout: float = 240,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """Run ``scrapy crawl SPIDER`` from the repo root and wait for it to finish."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    merged: dict[str, Any] = {
        "LINKCRAWL_STORE_URI": store_uri,
        "LINKCRAWL_PROGRESS_INTERVAL": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }
    if proxy:
        merged |= {"LINKCRAWL_HTTP_PROXY": proxy, "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True}
    merged |= settings or {}
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    cmd += list(extra)
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, store_uri)


def linkcrawl_cli(
    *args: str, timeout: float = 240, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linkcrawl.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def sqlite_uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for servers that cannot bind port 0 themselves)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
