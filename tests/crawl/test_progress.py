"""The periodic progress line works during a real crawl (tests elsewhere turn it off)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import REPO, scrapy_crawl


def test_progress_lines_during_a_crawl(demo_web: Any, sqlite_uri: str) -> None:
    result = scrapy_crawl(
        "sites",
        store_uri=sqlite_uri,
        proxy=demo_web.proxy_url,
        args={"seeds_file": str(REPO / "data/seeds/demo.txt"), "targets": "acme-widgets.test"},
        # A crawl of the demo web takes seconds; a line every 20 ms is many lines.
        settings={"LINKCRAWL_PROGRESS_INTERVAL": 0.02},
    ).check()
    lines = re.findall(
        r"progress: (\d+) pages, (\d+) backlinks found, (\d+) queued, (\d+) pages/min "
        r"\((\d+) responses: Scrapy's count",
        result.stderr,
    )
    assert lines, result.stderr[-2000:]
    assert "Unhandled error" not in result.stderr and "AttributeError" not in result.stderr
    pages = [int(p) for p, *_ in lines]
    assert pages == sorted(pages)
    assert any(int(q) > 0 for _, _, q, _, _ in lines)
    # Scrapy counts every response (robots.txt, feeds ...), linkcrawl page documents: the
    # line names both, and they differ
    assert any(int(r) != int(p) for p, *_, r in lines)
