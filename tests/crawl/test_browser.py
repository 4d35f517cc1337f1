"""JavaScript pages: when the browser is used, and a real Chromium crawl.

The JS test pages (tests/web/policy/js*.test) only get their links when their scripts run:
the expected links below are found through the browser and not without it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from linkcrawl.crawl.browser import (
    CHROMIUM_PATH,
    abort_request,
    domain_wants_browser,
    needs_browser,
    static_retry,
)
from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
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


GUARDED_PAGE = """<!DOCTYPE html><html><head><title>Shell</title>
<script src="http://127.0.0.1:{port}/probe-script.js"></script></head>
<body><div id="app"></div><script>
fetch("http://127.0.0.1:{port}/probe-fetch").catch(() => null);
document.getElementById("app").innerHTML =
  '<a href="http://acme-widgets.test/guarded/">Acme guarded</a>';
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.parametrize("allow_private", [False, True], ids=["guarded", "allowed"])
def test_the_address_guard_covers_what_a_rendered_page_fetches(
    tmp_path: Path, allow_private: bool,
) -> None:
    """A public-looking page (its name does not resolve, so the guard lets it through)
    whose scripts ask for loopback URLs: with the guard on, the browser never sends them;
    with private addresses allowed, the same page does reach loopback (the check can fail)."""
    need(os.path.exists(CHROMIUM_PATH), f"Chromium not installed at {CHROMIUM_PATH}")
    site = tmp_path / "web" / "shell.test"
    site.mkdir(parents=True)
    uri = f"sqlite:///{tmp_path / 'guard.db'}"
    with LocalWeb(tmp_path / "web") as web:
        (site / "index.html").write_text(GUARDED_PAGE.format(port=web.port), encoding="utf-8")
        result = scrapy_crawl(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": "http://shell.test/", "targets": TARGETS},
            settings={"LINKCRAWL_BROWSER_DOMAINS": "shell.test", "LINKCRAWL_MAX_DEPTH": 0,
                      "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": allow_private},
        ).check()
        probes = sorted(path for _, path, _ in web.requests if path.startswith("/probe"))
    assert backlinks(result.store_uri) == {
        ("http://shell.test/", "http://acme-widgets.test/guarded/", "Acme guarded")}
    stats = run_stats(result.store_uri)
    if allow_private:
        assert probes, "the page's scripts never reached loopback: the check proves nothing"
        assert "address_guard/browser_refused" not in stats
    else:
        assert probes == []
        assert stats["address_guard/browser_refused"] >= 2


SWELLING_PAGE = """<!DOCTYPE html><html><head><title>Swelling</title></head><body>
<p>Static text with a link to <a href="http://acme-widgets.test/static/">Acme static</a>.</p>
<div id="app"></div><script>
document.getElementById("app").innerHTML =
  '<p>' + 'rendered filler '.repeat(2000) + '</p>' +
  '<a href="http://acme-widgets.test/rendered/">Acme rendered</a>';
</script></body></html>"""


@pytest.mark.browser
def test_a_rendered_page_over_download_maxsize_falls_back_to_the_static_page(
    tmp_path: Path,
) -> None:
    need(os.path.exists(CHROMIUM_PATH), f"Chromium not installed at {CHROMIUM_PATH}")
    site = tmp_path / "web" / "swell.test"
    site.mkdir(parents=True)
    (site / "index.html").write_text(SWELLING_PAGE, encoding="utf-8")
    assert len(SWELLING_PAGE) < 5_000  # the static page is within the limit, rendered is not
    with LocalWeb(tmp_path / "web") as web:
        result = scrapy_crawl(
            "sites", store_uri=f"sqlite:///{tmp_path / 'swell.db'}", proxy=web.proxy_url,
            args={"seeds": "http://swell.test/", "targets": TARGETS},
            settings={"LINKCRAWL_BROWSER_DOMAINS": "swell.test", "LINKCRAWL_MAX_DEPTH": 0,
                      "DOWNLOAD_MAXSIZE": 5_000, "DOWNLOAD_WARNSIZE": 0},
        ).check()
    assert "over DOWNLOAD_MAXSIZE" in result.stderr
    stats = run_stats(result.store_uri)
    assert stats["linkcrawl/browser/failed"] == 1
    assert backlinks(result.store_uri) == {
        ("http://swell.test/", "http://acme-widgets.test/static/", "Acme static")}


HOPS_PAGE = """<!DOCTYPE html><html><head><title>Hops</title>
<script src="http://hop.test/to-script"></script></head>
<body><div id="app"></div><iframe src="http://hop.test/to-frame"></iframe><script>
// a synchronous XHR: done before the load event, so before the page is read
const xhr = new XMLHttpRequest();
xhr.open("GET", "/to-fetch", false);  // same origin: CORS would stop a cross-origin hop
try { xhr.send(); } catch (e) {}
document.getElementById("app").innerHTML =
  '<a href="http://acme-widgets.test/hops/">Acme hops</a>';
</script></body></html>"""
INTERNAL_PAGE = '<html><body><a href="http://acme-widgets.test/internal/">Acme internal</a>'


@pytest.mark.browser
@pytest.mark.parametrize("allow_private", [False, True], ids=["guarded", "allowed"])
def test_the_address_guard_judges_every_hop_the_browser_makes(
    tmp_path: Path, allow_private: bool,
) -> None:
    """Redirects Chromium follows by itself (issue 16 item 10): a page whose own response
    redirects to loopback, and a script, an iframe and a fetch whose public-looking URLs
    redirect there. Playwright's request filter never sees these hops; with the guard on
    none of them reaches loopback and the page that ended there is not stored. With private
    addresses allowed the same crawl does reach loopback (the check can fail)."""
    need(os.path.exists(CHROMIUM_PATH), f"Chromium not installed at {CHROMIUM_PATH}")
    web_root = tmp_path / "web"
    for host in ("hops.test", "hop.test", "bounce.test", "127.0.0.1/internal"):
        (web_root / host).mkdir(parents=True)
    (web_root / "hops.test" / "index.html").write_text(HOPS_PAGE, encoding="utf-8")
    (web_root / "127.0.0.1" / "internal" / "index.html").write_text(INTERNAL_PAGE,
                                                                     encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'hops.db'}"
    with LocalWeb(web_root) as web:
        inward = f"http://127.0.0.1:{web.port}"
        (web_root / "hop.test" / "_site.json").write_text(json.dumps({"redirects": {
            "/to-script": [f"{inward}/probe-script", 302],
            "/to-frame": [f"{inward}/probe-frame", 302],
        }}), encoding="utf-8")
        (web_root / "hops.test" / "_site.json").write_text(json.dumps({"redirects": {
            "/to-fetch": [f"{inward}/probe-fetch", 302],
        }}), encoding="utf-8")
        (web_root / "bounce.test" / "_site.json").write_text(json.dumps(
            {"redirects": {"/": [f"{inward}/internal/", 302]}}), encoding="utf-8")
        result = scrapy_crawl(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": "http://hops.test/,http://bounce.test/", "targets": TARGETS},
            settings={"LINKCRAWL_BROWSER_DOMAINS": "hops.test,bounce.test",
                      "LINKCRAWL_MAX_DEPTH": 0,
                      "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": allow_private},
        ).check()
        inward_hits = sorted(path for host, path, _ in web.requests if host == "127.0.0.1")
    found = backlinks(result.store_uri)
    assert ("http://hops.test/", "http://acme-widgets.test/hops/", "Acme hops") in found
    internal = {b for b in found if b[1] == "http://acme-widgets.test/internal/"}
    stats = run_stats(result.store_uri)
    if allow_private:
        assert {"/internal/", "/probe-script", "/probe-frame", "/probe-fetch"} <= set(
            inward_hits), "the hops never reached loopback: the check proves nothing"
        assert internal, "the inward page was not stored: the check proves nothing"
        return
    assert inward_hits == []
    assert internal == set()
    assert stats["address_guard/browser_refused"] >= 4, result.stderr[-6000:]  # 3 + the page
    assert stats["address_guard/browser_refused_pages"] == 1
    with open_store(uri) as store:
        bounce = [p for p in store.find("pages") if p["url"] == "http://bounce.test/"]
    assert len(bounce) == 1
    assert bounce[0]["error"].startswith(
        f"address guard: rendered page ended at {inward}/internal/")


AWAY_PAGE = """<!DOCTYPE html><html><head><title>Away {n}</title><script>
location.href = "https://gone.test/{n}";
</script></head><body><div id="app"></div></body></html>"""


@pytest.mark.browser
def test_a_page_that_navigates_to_an_error_is_a_fetch_error(tmp_path: Path) -> None:
    """Two rendered pages that navigate away to a host that cannot be reached end on
    Chromium's error page (issue 16 item 18): each is a fetch error of its own URL, not a
    page chrome-error://chromewebdata/ (nor a duplicate of the other)."""
    need(os.path.exists(CHROMIUM_PATH), f"Chromium not installed at {CHROMIUM_PATH}")
    web_root = tmp_path / "web"
    for n in (1, 2):
        (web_root / f"away{n}.test").mkdir(parents=True)
        (web_root / f"away{n}.test" / "index.html").write_text(
            AWAY_PAGE.replace("{n}", str(n)), encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'away.db'}"
    with LocalWeb(web_root) as web:
        scrapy_crawl(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": "http://away1.test/,http://away2.test/", "targets": TARGETS},
            settings={"LINKCRAWL_BROWSER_DOMAINS": "away1.test,away2.test",
                      "LINKCRAWL_MAX_DEPTH": 0},
        ).check()
    with open_store(uri) as store:
        pages = sorted((p["url"], p.get("error") or "") for p in store.find("pages"))
    assert [url for url, _ in pages] == ["http://away1.test/", "http://away2.test/"]
    assert all(error.startswith("browser error page:") for _, error in pages), pages
