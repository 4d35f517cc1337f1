"""scrapy-playwright's download handler, started lazily and routed through our proxy.

Four changes to :class:`scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler`:
Playwright starts on the first request that asks for the browser (not when the engine
starts, so crawls that never need the browser never start it), and
``LINKCRAWL_HTTP_PROXY`` becomes the browser's proxy (Playwright ignores ``meta["proxy"]``).
The address guard also covers what a rendered page asks for itself (scripts, frames, XHRs):
the downloader middleware only ever sees the page URL. ``DOWNLOAD_MAXSIZE`` also holds for
the rendered page. Requests without
``meta["playwright"]`` go through Scrapy's own HTTP/1.1 handler, unchanged.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from linkcrawl.crawl.context import crawl_config
from linkcrawl.crawl.middlewares import AddressVerdicts

logger = logging.getLogger(__name__)

__all__ = ["LazyPlaywrightHandler", "RenderedTooLarge"]


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
        proxy = config.http_proxy
        if proxy and "proxy" not in self.config.launch_options:
            self.config.launch_options = {**self.config.launch_options, "proxy": {"server": proxy}}
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
                await self._launch()
                self._started = True

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        await self._ensure_started()
        response = await super()._download_request(request, spider)
        limit = request.meta.get("download_maxsize", self._maxsize)
        if limit and len(response.body) > limit:  # the browser does not enforce it
            raise RenderedTooLarge(
                f"rendered page is {len(response.body):,} bytes, over DOWNLOAD_MAXSIZE {limit:,}")
        return response


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
