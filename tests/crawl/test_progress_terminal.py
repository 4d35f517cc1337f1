"""The progress line on a terminal: drawn (rewritten in place with \\r) when stderr is a
pseudo-terminal, absent when it is a pipe (a log file, Scrapyd) or when Scrapy's INFO log
has the terminal; for a real crawl, a recheck, ``linkcrawl authority`` and ``report --csv``."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO

SEEDS = REPO / "data" / "seeds" / "demo.txt"
STATUS = re.compile(r"\r(\d+) pages, (\d+) backlinks, (\d+) queued, \d+ pages/min, "
                    r"(\d+s|\d+:\d\d)")


def run(cmd: Sequence[str], tty: bool, timeout: float = 240) -> tuple[int, str]:
    """Run ``cmd`` with stderr on a new pseudo-terminal (or a pipe); stdout joins it.
    Returns the exit code and everything written."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if not tty:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                              env=env, stdin=subprocess.DEVNULL)
        return proc.returncode, proc.stdout + proc.stderr
    master, slave = pty.openpty()
    child = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=slave,
                             stderr=slave, env=env)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = child.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
    return code, b"".join(chunks).decode("utf-8", "replace")


def crawl_cmd(uri: str, proxy: str, log_level: str = "WARNING",
              spider: str = "sites") -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    if spider == "sites":
        cmd += ["-a", f"seeds_file={SEEDS}", "-a", f"targets={','.join(DEMO_TARGETS)}"]
    for key, value in {"LINKCRAWL_STORE_URI": uri, "LINKCRAWL_HTTP_PROXY": proxy,
                       "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, "LOG_LEVEL": log_level,
                       "LINKCRAWL_PROGRESS_INTERVAL": 0, "AUTOTHROTTLE_ENABLED": False}.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb(DEMO_WEB_DIR) as served:
        yield served


@pytest.fixture(scope="module")
def crawled(web: LocalWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """One crawl of the demo web with stderr on a terminal: (store URI, what it wrote)."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('tty') / 'tty.db'}"
    code, out = run(crawl_cmd(uri, web.proxy_url), tty=True)
    assert code == 0, out[-3000:]
    return uri, out


def test_a_crawl_on_a_terminal_draws_the_status_line(crawled: tuple[str, str]) -> None:
    uri, out = crawled
    lines = STATUS.findall(out)
    assert lines, out[-2000:]
    pages, backlinks, _, _ = (int(v) if v.isdigit() else v for v in lines[-1])
    with open_store(uri) as store:
        stored_pages = len(store.find("pages"))
        stored_links = len(store.find("backlinks"))
    assert stored_pages > 0 and pages == stored_pages  # a fresh store: one page each
    assert backlinks >= stored_links > 0  # found in this run, before dedupe and storage
    assert out.rstrip("\r\n").endswith(lines[-1][3])  # the last line is closed by a newline
    assert "\n" in out[out.rfind("\r"):]


def test_a_recheck_on_a_terminal_counts_live_and_lost(crawled: tuple[str, str],
                                                      web: LocalWeb) -> None:
    uri, _ = crawled
    with open_store(uri) as store:
        links = len(store.find("backlinks"))
    code, out = run(crawl_cmd(uri, web.proxy_url, spider="recheck"), tty=True)
    assert code == 0, out[-3000:]
    found = re.findall(r"\r\d+ pages, (\d+) live, (\d+) lost, \d+ queued", out)
    assert found, out[-2000:]
    live, lost = map(int, found[-1])
    assert live + lost == links  # every stored backlink was rechecked (the web is unchanged)


def test_no_status_line_without_a_terminal_or_under_an_info_log(web: LocalWeb,
                                                                tmp_path: Path) -> None:
    code, out = run(crawl_cmd(f"sqlite:///{tmp_path / 'pipe.db'}", web.proxy_url), tty=False)
    assert code == 0, out[-3000:]
    assert "\r" not in out and "pages/min" not in out
    code, out = run(crawl_cmd(f"sqlite:///{tmp_path / 'info.db'}", web.proxy_url,
                              log_level="INFO"), tty=True)
    assert code == 0, out[-3000:]
    assert "Spider closed" in out  # the log did reach the terminal
    assert not STATUS.search(out)


def test_authority_and_csv_count_on_a_terminal_only(crawled: tuple[str, str],
                                                    tmp_path: Path) -> None:
    uri, _ = crawled
    cli = [sys.executable, "-m", "linkcrawl.cli.main"]
    code, out = run([*cli, "authority", "--store", uri], tty=True)
    assert code == 0, out
    done = re.search(r"\rauthority: (\d+) domains scored, (\d+) rows written", out)
    assert done, out
    printed = re.search(r"authority: (\d+) domains scored from \d+ domain links; (\d+) ", out)
    assert printed and printed.groups() == done.groups()
    code, plain = run([*cli, "authority", "--store", uri], tty=False)
    assert code == 0 and "\r" not in plain and "rows written" not in plain
    target = DEMO_TARGETS[0]
    code, out = run([*cli, "report", "--target", target, "--store", uri, "--csv",
                     str(tmp_path / "csv")], tty=True)
    assert code == 0, out
    counts = re.findall(r"\rCSV: (\d+) files, (\d+) rows", out)
    files = sorted(tmp_path.joinpath("csv").glob("*.csv"))
    assert counts and int(counts[-1][0]) == len(files) == 10
    rows = sum(len(f.read_text(encoding="utf-8-sig").splitlines()) - 1 for f in files)
    assert int(counts[-1][1]) <= rows  # multi-line cells make the file's line count larger
    code, plain = run([*cli, "report", "--target", target, "--store", uri, "--csv",
                       str(tmp_path / "csv2")], tty=False)
    assert code == 0 and "\r" not in plain and "CSV:" not in plain
