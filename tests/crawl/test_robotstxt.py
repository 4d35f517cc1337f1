"""robots.txt holds for every request, including those queued while it downloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import scrapy_crawl

FORUM = "http://makersforum.test"
DISALLOWED = ["/ucp.php", "/posting.php", "/search.php", "/memberlist.php"]


@pytest.mark.parametrize(
    ("middleware", "obeyed"),
    [
        ("linkcrawl.crawl.robotstxt.RobotsTxtMiddleware", True),
        # Scrapy's own, to show this test catches the bug it guards against.
        ("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware", False),
    ],
)
def test_requests_waiting_for_robots_txt_obey_it(
    demo_web: Any, sqlite_uri: str, middleware: str, obeyed: bool
) -> None:
    # All seeds start at once: every one of them waits for the same robots.txt download,
    # which is where Scrapy 2.19's own middleware let all but the first through.
    seeds = [f"{FORUM}/"] + [f"{FORUM}{path}?variant={i}" for path in DISALLOWED for i in (1, 2)]

    def fetched() -> int:
        return sum(
            1 for host, path, _ in list(demo_web.requests)
            if host == "makersforum.test" and path.split("?")[0] in DISALLOWED
        )

    before = fetched()
    scrapy_crawl(
        "sites",
        store_uri=sqlite_uri,
        proxy=demo_web.proxy_url,
        args={"seeds": ",".join(seeds), "targets": "acme-widgets.test", "max_depth": "0"},
        settings={
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "DOWNLOADER_MIDDLEWARES": json.dumps(
                {
                    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                    "linkcrawl.crawl.robotstxt.RobotsTxtMiddleware": None,
                    middleware: 100,
                    "linkcrawl.crawl.middlewares.ProxyMiddleware": 740,
                    "linkcrawl.crawl.middlewares.AddressGuardMiddleware": 745,
                }
            ),
        },
    ).check()
    assert (fetched() == before) is obeyed
    assert demo_web.hits("makersforum.test", "/") >= 1
