"""When a page needs a real browser, and the Playwright settings for Debian's Chromium.

A browser costs ~100x a plain fetch, so linkcrawl renders a page in Chromium (through
scrapy-playwright) only when told to or when the static HTML is an empty script shell:

- per domain: ``LINKCRAWL_BROWSER_DOMAINS`` (a domain and its subdomains);
- per seed: the ``js`` flag in a seed file renders that seed's whole site;
- automatically (``LINKCRAWL_BROWSER_AUTO``): almost no text, almost no links, some scripts.

Rendering happens in :class:`linkcrawl.crawl.browser_handler.LazyPlaywrightHandler`. This module
does not import Playwright, so the settings module can import it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request
from scrapy.http import Response

__all__ = [
    "AUTO_MAX_LINKS",
    "AUTO_MAX_TEXT",
    "PLAYWRIGHT_SETTINGS",
    "abort_request",
    "domain_wants_browser",
    "needs_browser",
]

# Thresholds of the automatic fallback. A page that renders its content with JavaScript
# ships a shell: a title, a <noscript> line and an empty root <div> -- tens of characters
# of text and next to no links. The limits are deliberately low so that short but real
# static pages (a contact page, a 404) are not sent to the browser.
AUTO_MAX_TEXT = 200  # visible characters
AUTO_MAX_LINKS = 3  # <a href> elements

# Debian's Chromium, as checked on these machines (shared/ENVIRONMENT.md): running as root
# needs --no-sandbox; the other flags cut Chromium's own background traffic (it still makes
# a few update/account requests, which go through LINKCRAWL_HTTP_PROXY like the pages).
CHROMIUM_PATH = "/usr/bin/chromium"
PLAYWRIGHT_SETTINGS: dict[str, Any] = {
    "PLAYWRIGHT_BROWSER_TYPE": "chromium",
    "PLAYWRIGHT_LAUNCH_OPTIONS": {
        "executable_path": CHROMIUM_PATH,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    },
    "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    "PLAYWRIGHT_MAX_CONTEXTS": 1,
    "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
    "PLAYWRIGHT_ABORT_REQUEST": "linkcrawl.crawl.browser.abort_request",
}
# Request meta keys Scrapy's middlewares set during a download (copying them to a new
# request misleads those middlewares; Scrapy's MetaCopyDetectionMiddleware warns about it).
SCRAPY_META_PREFIXES = ("download_", "redirect_", "retry_", "depth", "_", "proxy")
# Resources that never add links to a page: not worth the browser's bandwidth.
ABORTED_RESOURCES = frozenset({"image", "media", "font"})


def needs_browser(text_length: int, link_count: int, script_count: int) -> bool:
    """True for a static page that is an empty shell for scripts (see the thresholds)."""
    return script_count > 0 and text_length < AUTO_MAX_TEXT and link_count <= AUTO_MAX_LINKS


def domain_wants_browser(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def abort_request(request: Any) -> bool:
    """Playwright request filter: skip images, media and fonts."""
    return request.resource_type in ABORTED_RESOURCES


def rendered_by_browser(response: Response) -> bool:
    return bool(response.meta.get("playwright"))


def browser_meta() -> dict[str, Any]:
    """Request meta that sends a request through the browser."""
    return {"playwright": True}


def own_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` without the keys Scrapy's components set while downloading."""
    return {k: v for k, v in meta.items() if not k.startswith(SCRAPY_META_PREFIXES)}


def _refetch_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Meta for fetching the same page again. ``page_depth`` keeps the page's link depth:
    Scrapy's depth would count the refetch as one more hop (or restart at 0 from an
    errback)."""
    depth = meta.get("page_depth", meta.get("depth", 0))
    return {**own_meta(meta), "page_depth": depth}


def browser_retry(request: Request) -> Request:
    """The same request through the browser (after a static fetch of an empty shell)."""
    return request.replace(meta={**_refetch_meta(request.meta), **browser_meta()},
                           dont_filter=True)


def static_retry(request: Request) -> Request:
    """The same request without the browser, after the browser failed on it."""
    meta = {k: v for k, v in _refetch_meta(request.meta).items()
            if not k.startswith("playwright")}
    meta["browser_failed"] = True
    return request.replace(meta=meta, dont_filter=True)
