"""A crawl killed with SIGKILL takes its analysis workers with it.

A real crawl with ``LINKCRAWL_ANALYSIS_WORKERS=2`` over the demo web, held by the web after
a few pages (so the workers exist and are busy), is killed; every worker process must be
gone soon after. Before the fix one worker outlived 4 of 4 kills, holding the database
and journal open.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from linkcrawl.crawl.analysis_pool import die_with_parent
from linkcrawl.ops.localweb import DEMO_WEB_DIR
from tests.conftest import REPO
from tests.faultweb import GatedWeb, wait_until
from tests.ops.test_journal import crawl_command


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie waiting to be reaped has ended."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.ops
def test_killed_crawl_leaves_no_analysis_worker(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'killed.db'}"
    cmd = crawl_command(uri, "PROXY", tmp_path / "job")
    with GatedWeb(DEMO_WEB_DIR, 8) as web:
        cmd[cmd.index("LINKCRAWL_HTTP_PROXY=PROXY")] = f"LINKCRAWL_HTTP_PROXY={web.proxy_url}"
        cmd += ["-s", "LINKCRAWL_ANALYSIS_WORKERS=2"]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            assert web.wait_held(), "the crawl never reached the gate"
            workers = children(proc.pid)
            assert workers, "no analysis worker was started"
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(60) == -signal.SIGKILL
            wait_until(lambda: not any(alive(w) for w in workers), timeout=15,
                       what=f"workers {sorted(workers)} to end with the crawl")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for worker in children(proc.pid) | locals().get("workers", set()):
                if alive(worker):
                    os.kill(worker, signal.SIGKILL)  # leave no orphan even when failing
            web.set_limit(10**9)


def test_a_worker_whose_parent_is_already_gone_exits() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: claims a parent that is not its own
        os.close(read)
        try:
            die_with_parent(os.getppid() + 10**6)
        finally:
            os.write(write, b"survived")
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    said = os.read(read, 100)
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 1
    assert said == b""
