"""Scrapyd end to end: a real Scrapyd on 127.0.0.1 with basic auth, the project deployed
with ``scrapyd-deploy`` as it is, a crawl of the local web submitted by
``linkcrawl schedule``, and the backlinks it stored.

The store URI reaches the job through Scrapyd's environment, never through the job's
arguments: ``listjobs.json`` shows a pending job's settings and arguments to anyone who
can reach Scrapyd.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, free_port, need

SEEDS = REPO / "data" / "seeds" / "demo.txt"
USER, PASSWORD = "ops", "scrapyd-pw-5b2e"
PROJECT_FILES = ("scrapy.cfg", "pyproject.toml", "README.md", "linkcrawl", "spiders", "pipelines")
TIMEOUT = 60.0


@dataclass
class Scrapyd:
    url: str
    home: Path
    store_uri: str
    log: list[str]

    def get(self, endpoint: str, auth: bool = True) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.url}/{endpoint}")
        if auth:
            token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))



@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    """Scrapyd with its own config file, port and directories; stopped after the test."""
    with running_scrapyd(tmp_path) as server:
        yield server


@contextlib.contextmanager
def running_scrapyd(tmp_path: Path, items: bool = False) -> Iterator[Scrapyd]:
    """Start Scrapyd; ``items`` gives it an items_dir (each job's items as a JSON Lines feed
    under ``home/items``)."""
    need(shutil.which("scrapyd") is not None or _importable("scrapyd"),
         "scrapyd is not installed (pip install scrapyd)")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        f"items_dir = {home / 'items' if items else ''}\n"
        "jobs_to_keep = 5\nmax_proc = 2\npoll_interval = 0.2\n"
        f"username = {USER}\npassword = {PASSWORD}\n",
        encoding="utf-8",
    )
    store_uri = f"sqlite:///{tmp_path / 'scrapyd-store' / 'crawl.db'}"
    (tmp_path / "scrapyd-store").mkdir()
    # Secrets for the jobs live in Scrapyd's environment; jobs inherit it.
    env = {**os.environ, "LINKCRAWL_STORE_URI": store_uri}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line)
            if "web console available" in line:
                ready.set()
        ready.set()  # exited: let the test fail on the check below

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(TIMEOUT) and proc.poll() is None, "".join(log)[-3000:]
        _wait_listening(port)
        yield Scrapyd(f"http://127.0.0.1:{port}", home, store_uri, log)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(port: int) -> None:
    """Scrapyd logs its address just before it listens: connect until it accepts."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            threading.Event().wait(0.05)


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def deploy(scrapyd: Scrapyd, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``scrapyd-deploy`` from a copy of the checkout (it writes setup.py and build/)."""
    project = workdir / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    cfg = (project / "scrapy.cfg").read_text(encoding="utf-8")
    assert "url = http://127.0.0.1:6800/" in cfg
    cfg = cfg.replace("url = http://127.0.0.1:6800/", f"url = {scrapyd.url}/")
    cfg += "username = ${SCRAPYD_USERNAME}\npassword = ${SCRAPYD_PASSWORD}\n"
    (project / "scrapy.cfg").write_text(cfg, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "--version", "r1", "-p", "linkcrawl"],
        cwd=project, capture_output=True, text=True, timeout=TIMEOUT,
        env={**os.environ, "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD},
    )


def schedule_file(path: Path, web: LocalWeb) -> Path:
    path.write_text(
        '[[job]]\nname = "demo-sites"\nspider = "sites"\nevery = "1d"\n'
        f'args = {{ targets = "{",".join(DEMO_TARGETS)}", seeds_file = "{SEEDS}" }}\n'
        f'settings = {{ LINKCRAWL_HTTP_PROXY = "{web.proxy_url}", '
        "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES = true, AUTOTHROTTLE_ENABLED = false, "
        "LINKCRAWL_PROGRESS_INTERVAL = 0 }\n"
        # Scrapyd refuses this one: it is reported, not recorded, and retried next time.
        '[[job]]\nname = "typo"\nspider = "no-such-spider"\nevery = "1d"\n',
        encoding="utf-8",
    )
    return path


def run_schedule_cli(scrapyd: Scrapyd, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linkcrawl.cli.main", "schedule", str(path),
         "--scrapyd", scrapyd.url],
        cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT,
        env={**os.environ, "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD},
    )


def wait_finished(scrapyd: Scrapyd, job: str, seen: list[str]) -> dict[str, Any]:
    """Poll ``listjobs.json`` until ``job`` is finished; every answer is kept in ``seen``."""
    deadline = time.monotonic() + TIMEOUT
    pause = threading.Event()
    while time.monotonic() < deadline:
        answer = scrapyd.get("listjobs.json?project=linkcrawl")
        seen.append(json.dumps(answer))
        done = [j for j in answer["finished"] if j["id"] == job]
        if done:
            return done[0]
        pause.wait(0.2)  # polling an HTTP API; Scrapyd offers nothing to block on
    pytest.fail(f"job {job} did not finish: {seen[-1]}")


@pytest.mark.ops
def test_deploy_schedule_crawl_through_scrapyd(
    scrapyd: Scrapyd, demo_web: LocalWeb, tmp_path: Path, ground_truth: dict[str, Any]
) -> None:
    started = time.monotonic()
    # Basic auth is on.
    with pytest.raises(urllib.error.HTTPError) as refused:
        scrapyd.get("listprojects.json", auth=False)
    assert refused.value.code == 401

    deployed = deploy(scrapyd, tmp_path)
    assert deployed.returncode == 0, deployed.stderr
    assert '"status": "ok"' in deployed.stdout + deployed.stderr
    assert scrapyd.get("listprojects.json")["projects"] == ["linkcrawl"]
    assert "sites" in scrapyd.get("listspiders.json?project=linkcrawl")["spiders"]
    egg = next((scrapyd.home / "eggs" / "linkcrawl").glob("*.egg"))
    with zipfile.ZipFile(egg) as zf:
        names = set(zf.namelist())
        entry_points = zf.read("EGG-INFO/entry_points.txt").decode()
    assert {"linkcrawl/crawl/settings.py", "spiders/sites.py", "pipelines/store.py"} <= names
    assert "settings = linkcrawl.crawl.settings" in entry_points

    path = schedule_file(tmp_path / "jobs.toml", demo_web)
    first = run_schedule_cli(scrapyd, path)
    assert first.returncode == 4, first.stdout + first.stderr  # "typo" failed
    assert "demo-sites: submitted spider 'sites' as job " in first.stdout
    assert "typo: FAILED: Scrapyd refused the job" in first.stdout
    job = first.stdout.split("as job ", 1)[1].split()[0]
    assert PASSWORD not in first.stdout + first.stderr

    again = run_schedule_cli(scrapyd, path)  # cron calls again: only the failed job is due
    assert "demo-sites: not due" in again.stdout
    assert "typo: FAILED" in again.stdout

    seen: list[str] = []
    finished = wait_finished(scrapyd, job, seen)
    assert len(json.loads(seen[-1])["finished"]) == 1  # the second call submitted nothing
    log = (scrapyd.home / "logs" / "linkcrawl" / "sites" / f"{job}.log").read_text("utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    store_path = scrapyd.store_uri.removeprefix("sqlite:///")
    for text in (*seen, log):
        assert PASSWORD not in text
    for text in seen:  # what anyone with API access can read
        assert store_path not in text

    with open_store(scrapyd.store_uri) as store:
        found = {(d["source_url"], d["target_url"], d["anchor_text"])
                 for d in store.find("backlinks")}
        runs = store.find("runs")
    expected = {(b["source_url"], b["target_url"], b["anchor_text"])
                for b in ground_truth["backlinks"]}
    assert found == expected
    assert [r["spider"] for r in runs] == ["sites"]
    print(f"\nscrapyd e2e: deploy + schedule + crawl in {time.monotonic() - started:.1f} s "
          f"(job {finished['start_time']} -> {finished['end_time']})")
