"""JavaScript pages: when the browser is used, and a real Chromium crawl.

The JS test pages (tests/web/policy/js*.test) only get their links when their scripts run:
the expected links below are found through the browser and not without it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from linkcrawl.browser import (
    CHROMIUM_PATH,
    abort_request,
    domain_wants_browser,
    needs_browser,
    static_retry,
)
from tests.conftest import need, scrapy_crawl
from tests.policyweb import TARGETS, PolicyWeb, backlinks, run_stats

JS_BACKLINKS = {
    # jsapp.test: an empty <div id="app"> shell -> automatic fallback
    ("http://jsapp.test/", "http://acme-widgets.test/from-js/", "Acme Widgets (rendered by JS)"),
    # jsflag.test: a full static page; its seed carries the `js` flag
    ("http://jsflag.test/", "http://rival-gadgets.test/js-flag/", "Rival review widget"),
    # jsdomain.test: a full static page; LINKCRAWL_BROWSER_DOMAINS names it
    ("http://jsdomain.test/", "http://acme-widgets.test/js-domain/", "Acme test widget"),
}


@pytest.mark.parametrize(
    ("text", "links", "scripts", "expected"),
    [
        (0, 0, 1, True),  # SPA shell
        (150, 3, 2, True),  # title + noscript line + a few links
        (150, 3, 0, False),  # tiny page without scripts: nothing to render
        (5000, 0, 3, False),  # long text, no links: a real page
        (100, 40, 3, False),  # link list
        (200, 0, 1, False),  # at the text threshold
    ],
)
def test_needs_browser(text: int, links: int, scripts: int, expected: bool) -> None:
    assert needs_browser(text, links, scripts) is expected


@pytest.mark.parametrize(
    ("host", "domains", "expected"),
    [
        ("app.example.com", ("example.com",), True),
        ("example.com", ("example.com",), True),
        ("notexample.com", ("example.com",), False),
        ("example.com.", ("example.com",), True),
        ("example.com", (), False),
    ],
)
def test_domain_wants_browser(host: str, domains: tuple[str, ...], expected: bool) -> None:
    assert domain_wants_browser(host, domains) is expected


def test_static_retry_drops_browser_meta() -> None:
    from scrapy import Request

    request = Request("http://a.test/", meta={"playwright": True, "playwright_context": "x",
                                              "site": "a.test", "download_slot": "a.test",
                                              "depth": 2, "proxy": "http://127.0.0.1:1"})
    retry = static_retry(request)
    assert retry.meta == {"site": "a.test", "browser_failed": True, "page_depth": 2}
    assert retry.dont_filter


@pytest.mark.parametrize(("kind", "aborted"), [("image", True), ("font", True),
                                               ("script", False), ("document", False)])
def test_abort_request_keeps_scripts(kind: str, aborted: bool) -> None:
    class _Request:
        resource_type = kind

    assert abort_request(_Request()) is aborted


def _seeds(tmp_path: Path, flag: str) -> str:
    path = tmp_path / "seeds.txt"
    path.write_text(
        "# JS test seeds\nhttp://jsapp.test/\n"
        f"http://jsflag.test/ {flag}  # rendered because of the flag\n"
        "http://jsdomain.test/\n",
        encoding="utf-8",
    )
    return str(path)


def test_without_the_browser_js_links_are_not_found(tmp_path: Path) -> None:
    with PolicyWeb(tmp_path / "generated") as web:
        result = scrapy_crawl(
            "sites",
            store_uri=f"sqlite:///{tmp_path / 'static.db'}",
            proxy=web.proxy_url,
            args={"seeds_file": _seeds(tmp_path, ""), "targets": TARGETS},
            settings={"LINKCRAWL_BROWSER_AUTO": False},
        ).check()
    assert backlinks(result.store_uri) == set()
    stats = run_stats(result.store_uri)
    assert not any(str(k).startswith(("playwright/", "linkcrawl/browser/")) for k in stats)
    assert "Starting download handler" not in result.stderr  # Playwright never started


@pytest.mark.browser
def test_with_the_browser_js_links_are_found(tmp_path: Path) -> None:
    need(os.path.exists(CHROMIUM_PATH), f"Chromium not installed at {CHROMIUM_PATH}")
    started = time.monotonic()
    with PolicyWeb(tmp_path / "generated") as web:
        result = scrapy_crawl(
            "sites",
            store_uri=f"sqlite:///{tmp_path / 'browser.db'}",
            proxy=web.proxy_url,
            args={"seeds_file": _seeds(tmp_path, "js"), "targets": TARGETS},
            settings={"LINKCRAWL_BROWSER_DOMAINS": "jsdomain.test", "LINKCRAWL_MAX_DEPTH": 0},
        ).check()
    elapsed = time.monotonic() - started
    assert backlinks(result.store_uri) == JS_BACKLINKS
    stats = run_stats(result.store_uri)
    assert stats["linkcrawl/browser/auto"] == 1  # jsapp.test only
    assert stats["linkcrawl/browser/pages"] == 3
    assert "linkcrawl/browser/failed" not in stats
    print(f"browser crawl took {elapsed:.1f}s")


def test_browser_failure_falls_back_to_the_static_page(tmp_path: Path) -> None:
    with PolicyWeb(tmp_path / "generated") as web:
        result = scrapy_crawl(
            "sites",
            store_uri=f"sqlite:///{tmp_path / 'fallback.db'}",
            proxy=web.proxy_url,
            args={"seeds": "http://jsdomain.test/", "targets": TARGETS},
            settings={
                "LINKCRAWL_BROWSER_DOMAINS": "jsdomain.test",
                "LINKCRAWL_MAX_DEPTH": 0,
                "PLAYWRIGHT_LAUNCH_OPTIONS": '{"executable_path": "/nonexistent/chromium"}',
            },
        ).check()
    assert "browser failed on http://jsdomain.test/" in result.stderr
    stats = run_stats(result.store_uri)
    assert stats["linkcrawl/browser/failed"] == 1
    assert stats["linkcrawl/pages"] == 1  # the static page was recorded instead
    assert backlinks(result.store_uri) == set()
