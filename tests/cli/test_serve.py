"""``linkcrawl serve`` on a real store, driven in Debian's Chromium: filter by a facet, sort,
open a backlink's evidence; and the refusals (no store, MongoDB)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcrawl.store import open_store
from tests.conftest import REPO, free_port, linkcrawl_cli, need
from tests.report.test_report import fill

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    uri = f"sqlite:///{tmp_path / 'shop.db'}"
    with open_store(uri) as store:
        fill(store)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkcrawl.cli.main", "serve", "--store", uri, "--port",
         str(port)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # ready when Uvicorn says so
            if "Uvicorn running" in line:
                break
        else:
            pytest.fail("linkcrawl serve ended before it listened")
        yield f"http://127.0.0.1:{port}/shop"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_filter_sort_and_open_evidence_in_chromium(served: str) -> None:
    need(Path(CHROMIUM).exists(), f"Debian's Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking"])
        page = browser.new_page()
        page.goto(f"{served}/backlinks")
        assert "One row per link to a target" in page.content()
        # filter: the link_type facet's "comment" value
        page.click("text=comment >> xpath=ancestor-or-self::a[contains(@href,'link_type=')]")
        page.wait_for_url("**link_type=comment**")
        rows = page.locator("table.rows-and-columns tbody tr")
        assert rows.count() == 1
        assert "http://b.test/review" in rows.first.inner_text()
        # sort by first_seen ascending: the oldest live or lost link first
        page.goto(f"{served}/backlinks?_sort=first_seen")
        first = page.locator("table.rows-and-columns tbody tr").first.inner_text()
        assert "http://a.test/about" in first  # seen 200 days ago
        # open a backlink: its evidence is on the row page
        page.goto(f"{served}/backlinks?link_type=directory")
        page.locator("table.rows-and-columns tbody tr td a").first.click()
        page.wait_for_load_state()
        assert "location_evidence" in page.content() and "http://c.test/list" in page.content()
        browser.close()


def test_serve_is_read_only(served: str) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{served}/-/create", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code in (403, 404, 405)


@pytest.mark.parametrize(("store", "exit_code", "message"), [
    ("sqlite:///{tmp}/none.db", 3, "no store at"),
    ("mongodb://127.0.0.1:1/x", 2, "serve browses SQLite stores"),
])
def test_serve_refuses_what_it_cannot_browse(tmp_path: Path, store: str, exit_code: int,
                                              message: str) -> None:
    done = linkcrawl_cli("serve", "--store", store.format(tmp=tmp_path), timeout=60)
    assert done.returncode == exit_code
    assert message in done.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "none.db").exists()
