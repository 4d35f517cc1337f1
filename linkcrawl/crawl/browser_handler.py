"""scrapy-playwright's download handler, started lazily and routed through our proxy.

Changes to :class:`scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler`:

- Playwright starts on the first request that asks for the browser (not when the engine
  starts, so crawls that never need the browser never start it);
- ``LINKCRAWL_HTTP_PROXY`` becomes the browser's proxy (Playwright ignores ``meta["proxy"]``);
- the address guard covers everything the browser fetches: the downloader middleware only
  ever sees the page URL, and Playwright's request filter (which refuses early, by URL)
  never sees the redirects Chromium follows. With the guard on, Chromium's one way out is
  :class:`~linkcrawl.crawl.guard_proxy.GuardProxy`, which judges the address of every
  connection (chaining to ``LINKCRAWL_HTTP_PROXY`` when that is set); a rendered page whose
  final URL is refused, or whose own response is the proxy's refusal, is dropped;
- a rendered page that ended on Chromium's error page (``chrome-error://``: it navigated
  away, or failed to load) is a fetch error of the URL asked for, not a page;
- ``DOWNLOAD_MAXSIZE`` also holds for the rendered page.

Requests without ``meta["playwright"]`` go through Scrapy's own HTTP/1.1 handler, unchanged.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from linkcrawl.crawl.context import crawl_config
from linkcrawl.crawl.guard_proxy import GUARD_HEADER, GuardProxy
from linkcrawl.crawl.middlewares import AddressVerdicts

logger = logging.getLogger(__name__)

__all__ = ["BROWSER_ERROR_PAGE", "LazyPlaywrightHandler", "RenderedTooLarge"]

BROWSER_ERROR_PAGE = "chrome-error:"
# WebRTC may send UDP (STUN) straight to any address, past every proxy: proxied UDP only.
GUARDED_CHROMIUM_ARGS = ("--force-webrtc-ip-handling-policy=disable_non_proxied_udp",)


class RenderedTooLarge(Exception):
    """A rendered page over ``DOWNLOAD_MAXSIZE``: the spider falls back to the static page,
    which Scrapy's own handler holds to the limit."""


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """Register for http and https in ``DOWNLOAD_HANDLERS``."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._started = False
        self._start_lock = asyncio.Lock()
        config = crawl_config(crawler)
        launch = self.config.launch_options
        self._upstream = str((launch.get("proxy") or {}).get("server") or config.http_proxy)
        self._guard_proxy: GuardProxy | None = None
        if config.allow_private_addresses and self._upstream and "proxy" not in launch:
            self.config.launch_options = {**launch, "proxy": {"server": self._upstream}}
        self._filter = self.abort_request  # PLAYWRIGHT_ABORT_REQUEST (images, fonts, media)
        self._verdicts = None if config.allow_private_addresses else AddressVerdicts()
        self._stats = crawler.stats
        self._maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.abort_request = self._abort

    async def _abort(self, request: Any) -> bool:
        """Playwright's per-request filter: the configured one, then the address guard."""
        if self._filter is not None and await _maybe_await(self._filter(request)):
            return True
        if self._verdicts is None:
            return False
        verdict = await self._verdicts.refusal(request.url)
        if verdict and self._stats is not None:
            self._stats.inc_value("address_guard/browser_refused")
            logger.warning("browser request refused %s: %s", request.url[:200], verdict)
        return bool(verdict)

    async def _maybe_launch_in_thread(self) -> None:
        """Not at engine start: see :meth:`_ensure_started`."""

    def _engine_started(self) -> Any:  # Scrapy < 2.14 signal handler, kept inert too
        return None

    async def _ensure_started(self) -> None:
        async with self._start_lock:
            if not self._started:
                if self._verdicts is not None:
                    await self._start_guard_proxy()
                await self._launch()
                self._started = True

    async def _start_guard_proxy(self) -> None:
        """Chromium's only proxy becomes the guard proxy (which chains to the configured one)."""
        self._guard_proxy = GuardProxy(self._upstream, on_refused=self._proxy_refused)
        await self._guard_proxy.start()
        launch = self.config.launch_options
        args = [*launch.get("args", ()), *GUARDED_CHROMIUM_ARGS]
        self.config.launch_options = {**launch, "args": args,
                                      "proxy": {"server": self._guard_proxy.url}}

    def _proxy_refused(self, target: str, reason: str) -> None:
        if self._stats is not None:
            self._stats.inc_value("address_guard/browser_refused")
        logger.warning("browser connection refused %s: %s", target[:200], reason)

    async def _close(self) -> None:
        await super()._close()
        if self._guard_proxy is not None:
            await self._guard_proxy.close()

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        await self._ensure_started()
        response = await super()._download_request(request, spider)
        if response.url.startswith(BROWSER_ERROR_PAGE):
            raise IgnoreRequest(f"browser error page: the rendered page navigated away or "
                                f"failed to load ({response.url[:60]})")
        if self._verdicts is not None:
            await self._judge_rendered(response)
        limit = request.meta.get("download_maxsize", self._maxsize)
        if limit and len(response.body) > limit:  # the browser does not enforce it
            raise RenderedTooLarge(
                f"rendered page is {len(response.body):,} bytes, over DOWNLOAD_MAXSIZE {limit:,}")
        return response

    async def _judge_rendered(self, response: Response) -> None:
        """Drop a rendered page that ended at a refused URL (a redirect or a script took it
        there) or is the guard proxy's refusal itself."""
        assert self._verdicts is not None
        verdict = await self._verdicts.refusal(response.url)
        if not verdict and response.headers.get(GUARD_HEADER):
            verdict = "the guard proxy refused its connection"
        if verdict:
            if self._stats is not None:
                self._stats.inc_value("address_guard/browser_refused_pages")
            raise IgnoreRequest(
                f"address guard: rendered page ended at {response.url[:200]}: {verdict}")


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
