"""Page analysis in worker processes (``LINKCRAWL_ANALYSIS_WORKERS``), off the crawl's core.

A crawl is one Python process: Scrapy, the pipelines and page analysis share one core, and
analysis is most of the work. With workers, a downloader middleware hands each HTML
response's bytes to a process pool and the spider gets the finished :class:`PageItem`
(``response.meta[PAGE_META]``) instead of analysing it itself. Everything that needs the
parsed tree happens in the worker: where the target links sit, and the unlinked mentions;
the tree itself never crosses the process boundary. A worker that fails is not fatal: the
page is analysed in the crawl process, as without workers. A worker dies with the crawl
process, however that ends (SIGKILL included): it asks the kernel for SIGKILL when its
parent goes (``PR_SET_PDEATHSIG``), or watches its parent where that is not available, so a
killed crawl leaves no worker holding the database and journal open.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.reactor import is_asyncio_reactor_installed

from linkcrawl.analysis.page import AnalysisSetup, PageAnalyzer
from linkcrawl.crawl.context import crawl_config, crawl_context
from linkcrawl.items import PageItem

__all__ = [
    "PAGE_META", "AnalysisPoolMiddleware", "PageJob", "analyze_job", "die_with_parent",
    "is_html", "pooled_page", "response_headers",
]

logger = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.0005  # seconds: the crawl process's GIL switch interval with workers
PAGE_META = "linkcrawl_page"  # request meta key of a page analysed by a worker
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class PageJob:
    """One response, reduced to what analysis reads (picklable)."""

    body: bytes
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    encoding: str | None


def is_html(response: Response) -> bool:
    """A text response served as HTML (or with no content type at all)."""
    if not isinstance(response, TextResponse):
        return False
    content_type = response.headers.get(b"Content-Type", b"") or b""
    return not content_type or content_type.lower().startswith(HTML_TYPES)


_worker: PageAnalyzer | None = None


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_SECONDS = 1.0  # the fallback watch, where prctl is not available


def die_with_parent(parent: int) -> str:
    """Make this process end when ``parent`` does; returns how ("prctl" or "watch").

    A forked worker inherits the crawl's Python signal handlers, which stop a reactor the
    worker does not run, so the signal asked for is SIGKILL. ``parent`` may already be gone
    by the time this runs (the crawl killed during the fork): then the worker exits now.
    """
    how = "watch"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
            how = "prctl"
    except (OSError, AttributeError):  # not Linux, or no prctl in this libc
        pass
    if how == "watch":
        threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch",
                         daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)
    return how


def _watch_parent(parent: int) -> None:
    while not threading.Event().wait(PARENT_POLL_SECONDS):
        if os.getppid() != parent:  # re-parented: the crawl process is gone
            os._exit(1)


def _init_worker(setup: AnalysisSetup, parent: int) -> None:
    global _worker  # one per worker process, built by the pool initializer
    die_with_parent(parent)
    _worker = PageAnalyzer(setup)


def analyze_job(job: PageJob) -> PageItem:
    """The pool's task: the page as the spider and pipelines expect it, mentions included."""
    assert _worker is not None, "analysis worker not initialised"
    return _worker.analyze(job.body, job.url, final_url=job.final_url, status=job.status,
                           headers=job.headers, encoding=job.encoding)


def response_headers(response: Response) -> dict[str, str]:
    """A response's headers as analysis reads them (lower-cased names, joined values)."""
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()}


class AnalysisPoolMiddleware:
    """Analyse HTML responses in ``LINKCRAWL_ANALYSIS_WORKERS`` processes (0: off)."""

    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._broken = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        workers = crawl_config(crawler).analysis_workers
        if not workers:
            raise NotConfigured  # the default: no message, so Scrapy logs nothing
        if not is_asyncio_reactor_installed():
            logger.warning("LINKCRAWL_ANALYSIS_WORKERS needs the asyncio reactor "
                           "(TWISTED_REACTOR); analysing pages in the crawl process")
            raise NotConfigured("LINKCRAWL_ANALYSIS_WORKERS needs the asyncio reactor")
        mw = cls(crawler, workers)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _pool_for(self) -> concurrent.futures.ProcessPoolExecutor | None:
        if self._pool is None and not self._broken:
            setup = crawl_context(self.crawler).analysis
            if setup is None:  # a spider that does not analyse pages (none does today)
                self._broken = True
                return None
            # fork: the workers inherit the loaded modules and start in milliseconds
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker, initargs=(setup, os.getpid()))
            logger.info("page analysis in %d worker process(es)", self.workers)
            # The pool's feeder and result threads share the GIL with the reactor's thread;
            # each time the reactor makes a system call (a socket send, a pipe write) it
            # waits for them to give the GIL back, up to the 5 ms default interval.
            # Measured (docs/performance.md): +15% pages/s with one worker at 0.5 ms.
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        return self._pool

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Response:
        if self._broken or not is_html(response):
            return response
        if not 200 <= response.status < 300:  # redirects and errors go their own way
            return response
        pool = self._pool_for()
        if pool is None:
            return response
        job = PageJob(body=response.body, url=request.url, final_url=response.url,
                      status=response.status, encoding=response.encoding,
                      headers=response_headers(response))
        try:
            page = await asyncio.wrap_future(pool.submit(analyze_job, job))
        except BrokenProcessPool:
            logger.error("analysis worker pool broke; analysing in the crawl process from now")
            self._broken = True
            return response
        except Exception as exc:  # the spider analyses this page itself and reports it
            logger.debug("worker analysis of %s failed: %r", response.url, exc)
            return response
        request.meta[PAGE_META] = page
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("linkcrawl/analysis/worker_pages")
        return response

    def spider_closed(self, spider: Spider) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def pooled_page(response: Response) -> PageItem | None:
    """The page a worker analysed for ``response``, if any (taken: it is used once)."""
    try:
        meta = response.meta
    except AttributeError:  # a response built without a request (tests, replays)
        return None
    return meta.pop(PAGE_META, None)
