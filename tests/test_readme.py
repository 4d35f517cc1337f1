"""The README's runnable shell blocks run as printed, against the demo web, and do what the
text around them says.

A block is meant to run when the line before its fence is ``<!-- readme-test: run -->``.
Its commands run one by one with bash from the checkout, with this test's Python first on
PATH (for ``. .venv/bin/activate``, which the checkout of a test run may not have) and the
store in a temporary folder (``LINKCRAWL_STORE_URI``). A command ending in ``&`` is started
in the background; the demo web is waited for by reading its "Proxy URL:" line, and its port
is the one it printed (``--port 8899`` is asked for 0, a free port, so that parallel test
runs do not collide). ``kill %1`` stops it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from linkcrawl.store import open_store
from tests.conftest import REPO

MARK = "<!-- readme-test: run -->"
README = (REPO / "README.md").read_text(encoding="utf-8")
DEMO_PORT = "8899"


def runnable_blocks(text: str) -> list[list[str]]:
    """The commands of each marked ```sh block, continuation lines joined."""
    blocks = []
    for part in text.split(MARK + "\n")[1:]:
        assert part.startswith("```sh\n"), "a readme-test mark must sit right above a ```sh block"
        body = part[len("```sh\n"):].split("\n```", 1)[0]
        commands = []
        for line in body.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+", " ", line).strip()
            if line and not line.startswith("#"):
                commands.append(line)
        blocks.append(commands)
    return blocks


# What the README's text says each command gives (beyond exit 0 and no traceback).
EXPECT: list[tuple[str, str]] = [
    ("scrapy list", r"(?m)^sites$"),
    ("linkcrawl report", r"acme-widgets\.test: [1-9]\d* live referring domains"),
    ("linkcrawl recheck", r"rechecked [1-9]\d* backlinks in [\d.]+s: [1-9]\d* live, 0 lost"),
    ("linkcrawl extract", r'"target_domain": "acme-widgets\.test"'),
]


def test_the_readme_has_runnable_blocks() -> None:
    blocks = runnable_blocks(README)
    assert blocks, "mark the README's first crawl with " + MARK
    commands = [c for block in blocks for c in block]
    for prefix, _ in EXPECT:
        assert any(c.startswith(prefix) for c in commands), prefix


@pytest.mark.parametrize("commands", runnable_blocks(README), ids=lambda c: c[2][:40])
def test_a_readme_block_runs_as_printed(commands: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "LINKCRAWL_STORE_URI": f"sqlite:///{tmp_path / 'readme.db'}",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    background: subprocess.Popen[str] | None = None
    port = DEMO_PORT
    try:
        for command in commands:
            if command == ". .venv/bin/activate":
                continue  # the test's own environment is first on PATH
            if command == "kill %1":
                assert background is not None, "kill %1 without a background command"
                background.terminate()
                background.wait(timeout=30)
                background = None
                continue
            if command.endswith("&"):
                assert background is None
                line = command[:-1].strip().replace(f"--port {DEMO_PORT}", "--port 0")
                background = subprocess.Popen(
                    ["bash", "-c", f"exec {line}"], cwd=REPO, env=env, text=True,
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                assert background.stdout is not None
                for out in background.stdout:  # wait for the server to say it listens
                    if out.startswith("Proxy URL:"):
                        port = out.rsplit(":", 1)[1].strip()
                        break
                else:
                    pytest.fail(f"{line!r} ended without printing its proxy URL")
                continue
            line = command.replace(f"127.0.0.1:{DEMO_PORT}", f"127.0.0.1:{port}")
            result = subprocess.run(["bash", "-c", line], cwd=REPO, env=env, text=True,
                                    capture_output=True, timeout=300)
            assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
            assert "Traceback" not in result.stderr, f"{command}\n{result.stderr[-3000:]}"
            assert "linkcrawl: error" not in result.stderr, f"{command}\n{result.stderr}"
            for prefix, pattern in EXPECT:
                if command.startswith(prefix):
                    assert re.search(pattern, result.stdout), f"{command}\n{result.stdout}"
            if command.startswith("linkcrawl extract"):
                assert all(json.loads(row) for row in result.stdout.splitlines())
            if command.startswith("scrapy crawl"):  # it crawled the demo sites, not errors
                with open_store(env["LINKCRAWL_STORE_URI"]) as store:
                    assert store.count("backlinks", {"status": "live"}) > 0
                    pages = store.find("pages")
                assert [p for p in pages if not p.get("error")], pages[:3]
    finally:
        if background is not None:
            background.terminate()
            background.wait(timeout=30)
