"""Under a real Scrapyd a crawl's progress stays out of its log and its items (issue #20).

A crawl on a terminal rewrites one status line in place with ``\\r``
(``linkcrawl/crawl/progress.py``). A Scrapyd job's stderr is a pipe and its log a file, so
neither may get that line: a log full of carriage returns is unreadable in the web console.
The job here is scheduled with Scrapyd's own API and keeps linkcrawl's default progress
settings; if the status line were drawn, it would be drawn at least once, when the crawl closes.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS
from tests.ops.test_ops_scrapyd import (
    PASSWORD,
    SEEDS,
    USER,
    Scrapyd,
    deploy,
    running_scrapyd,
    wait_finished,
)

# the terminal line's shape: "12 pages, 5 backlinks, 0 queued, 410 pages/min, 3s"
STATUS = re.compile(r"\d+ pages, (?:\d+ backlinks|\d+ live, \d+ lost), \d+ queued, "
                    r"\d+ pages/min, (?:\d+s|\d+:\d\d)")


def schedule(scrapyd: Scrapyd, web: LocalWeb) -> str:
    """POST schedule.json for the demo crawl; the job id Scrapyd gives back."""
    form = [("project", "linkcrawl"), ("spider", "sites"),
            ("targets", ",".join(DEMO_TARGETS)), ("seeds_file", str(SEEDS))]
    form += [("setting", f"{k}={v}") for k, v in {
        "LINKCRAWL_HTTP_PROXY": web.proxy_url, "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": "True",
        "AUTOTHROTTLE_ENABLED": "False"}.items()]
    request = urllib.request.Request(f"{scrapyd.url}/schedule.json",
                                     data=urllib.parse.urlencode(form).encode())
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read().decode("utf-8"))
    assert answer["status"] == "ok", answer
    return str(answer["jobid"])


@pytest.mark.ops
def test_no_progress_line_in_a_scrapyd_jobs_log_or_items(
    tmp_path: Path, demo_web: LocalWeb, ground_truth: dict[str, Any]
) -> None:
    with running_scrapyd(tmp_path, items=True) as scrapyd:
        deployed = deploy(scrapyd, tmp_path)
        assert deployed.returncode == 0, deployed.stderr
        job = schedule(scrapyd, demo_web)
        wait_finished(scrapyd, job, [])
        launcher = "".join(scrapyd.log)  # Scrapyd's own output: the job's stdout and stderr
    log_path = scrapyd.home / "logs" / "linkcrawl" / "sites" / f"{job}.log"
    items_path = scrapyd.home / "items" / "linkcrawl" / "sites" / f"{job}.jl"
    log = log_path.read_bytes().decode("utf-8")
    items = items_path.read_bytes().decode("utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]

    for name, text in (("job log", log), ("items", items), ("Scrapyd output", launcher)):
        assert "\r" not in text, f"carriage return in the {name}"
        assert "\x1b[" not in text, f"terminal escape in the {name}"
        assert not STATUS.search(text), f"status line in the {name}: {STATUS.search(text)}"

    # the crawl did its work: every expected backlink stored, and in the page items
    expected = {(b["source_url"], b["target_url"], b["anchor_text"])
                for b in ground_truth["backlinks"]}
    with open_store(scrapyd.store_uri) as store:
        found = {(d["source_url"], d["target_url"], d["anchor_text"])
                 for d in store.find("backlinks")}
    assert found == expected
    pages = [json.loads(line) for line in items.splitlines()]  # one item a page
    fed = {(link["source_url"], link["normalized_url"], link["anchor_text"])
           for page in pages for link in page["links"] + page["other_links"]
           if link["target_domain"] in DEMO_TARGETS and page["domain"] not in DEMO_TARGETS}
    assert fed == expected
