"""The `linkcrawl` command and `scrapy list`, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from linkcrawl.ops.localweb import DEMO_WEB_DIR
from tests.conftest import DEMO_TARGETS, REPO, linkcrawl_cli
from tests.crawl.test_crawl_e2e import site_of

EXTRACT_KEYS = {"url", "normalized_url", "target_domain", "anchor_text", "rel", "location",
                "link_type", "evidence"}


def test_scrapy_list_names_the_spiders() -> None:
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert "sites" in out


def test_extract_prints_one_json_object_per_link(ground_truth) -> None:
    source = next(b for b in ground_truth["backlinks"] if b["link_type"] == "guest_post")
    url = source["source_url"]
    host, path = url.split("://", 1)[1].split("/", 1)
    page = DEMO_WEB_DIR / host / (path or "index.html")
    if page.is_dir() or not page.suffix:
        page = page / "index.html"
    result = linkcrawl_cli("extract", str(page), "--url", url, "--targets", ",".join(DEMO_TARGETS))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    expected = {(b["target_url"], b["anchor_text"]) for b in ground_truth["backlinks"]
                if b["source_url"] == url}
    assert {(r["normalized_url"], r["anchor_text"]) for r in rows} == expected
    for row in rows:
        assert row.keys() >= EXTRACT_KEYS
        assert isinstance(row["rel"], list) and isinstance(row["evidence"], list)
        assert row["target_domain"] in DEMO_TARGETS


def test_demo_crawls_and_prints_summary(tmp_path: Path, ground_truth) -> None:
    uri = f"sqlite:///{tmp_path / 'demo.db'}"
    result = linkcrawl_cli("demo", "--store", uri, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    out = result.stdout
    for target in DEMO_TARGETS:
        referring = {site_of(b["source_url"]) for b in ground_truth["backlinks"]
                     if site_of(b["target_url"]) == target}
        assert f"{target}: {len(referring)} referring domains" in out
    assert "link type" in out and "location" in out
    report = linkcrawl_cli("report", "--target", DEMO_TARGETS[0], "--store", uri)
    assert report.returncode == 0, report.stderr
    assert "\ndomain " in report.stdout  # the referring domains table's header
