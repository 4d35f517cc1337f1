"""scrapy-playwright's download handler, started lazily and routed through our proxy.

Two changes to :class:`scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler`:
Playwright starts on the first request that asks for the browser (not when the engine
starts, so crawls that never need the browser never start it), and
``LINKCRAWL_HTTP_PROXY`` becomes the browser's proxy (Playwright ignores ``meta["proxy"]``).
Requests without ``meta["playwright"]`` go through Scrapy's own HTTP/1.1 handler, unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from linkcrawl.config import LinkcrawlConfig

__all__ = ["LazyPlaywrightHandler"]


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """Register for http and https in ``DOWNLOAD_HANDLERS``."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._started = False
        self._start_lock = asyncio.Lock()
        proxy = LinkcrawlConfig.from_settings(crawler.settings).http_proxy
        if proxy and "proxy" not in self.config.launch_options:
            self.config.launch_options = {**self.config.launch_options, "proxy": {"server": proxy}}

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
        return await super()._download_request(request, spider)
