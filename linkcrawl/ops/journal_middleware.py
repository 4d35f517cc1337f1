"""The request journal as a spider middleware: nothing is lost when a job is killed.

With ``JOBDIR`` set (and ``LINKCRAWL_JOURNAL`` on) every request that enters the scheduler
is journaled (:mod:`linkcrawl.ops.journal`). A request is finished when its response's
output is settled: every request it yielded is journaled (or dropped as a duplicate) and
every item it yielded is durable — the store pipeline sends
:data:`linkcrawl.ops.spill.items_durable` with the number of the last batch up to which
everything is in the store or the spill file, and each item's batch number is in the
crawl context. A redirect finishes its request once the redirect target is journaled.
An item that failed in a pipeline is not durable: its request stays unfinished.

The run is marked clean only when everything is durable; a journal that cannot be
written (JOBDIR on a full disk) stops the crawl with an error (exit code 6) instead of
letting it run on with nothing to resume from.

After a clean stop Scrapy's own queue is used. After a kill the queue on disk is stale
(its index is written only on close), so it is removed and the journal's unfinished
requests are re-queued with ``dont_filter=True`` ahead of the spider's start requests.
Requests whose failure yielded no item stay unfinished and are fetched again after a
kill: a repeat, never a loss.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from linkcrawl.crawl import outcome
from linkcrawl.crawl.context import crawl_config, crawl_context
from linkcrawl.errors import DurabilityError
from linkcrawl.ops.journal import FILE_NAME, Journal, Spec
from linkcrawl.ops.spill import items_durable

logger = logging.getLogger(__name__)

PARENT = "_linkcrawl_journal_parent"  # meta key: the fingerprint of the yielding response
# Meta keys Scrapy sets per download; not worth keeping to rebuild a request.
TRANSIENT_META = frozenset({"download_slot", "download_latency", "download_timeout",
                            "retry_times", "redirect_times", "redirect_ttl", "redirect_urls",
                            "redirect_reasons"})


@dataclass(slots=True)
class _Output:
    """What one response's callback produced, and how much of it is settled."""

    ended: bool = False
    children: int = 0  # requests yielded, not yet seen by the scheduler
    items: int = 0
    buffered: int = 0  # items past the pipelines, not yet durable
    settled: int = 0  # items durable or dropped

    @property
    def finished(self) -> bool:
        return self.ended and self.children == 0 and self.settled == self.items


class JournalMiddleware:
    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        self.crawler = crawler
        self.journal = Journal(jobdir / FILE_NAME)
        self._outputs: dict[str, _Output] = {}
        self._added: Request | None = None
        self._context = crawl_context(crawler)
        self._context.item_batches = {}
        self._waiting: deque[tuple[int, str]] = deque()  # (store batch, fp), batch order
        self._durable_upto = 0
        self._broken = ""  # why the journal cannot be written
        if not self.journal.clean:
            queue = jobdir / "requests.queue"
            if queue.exists():
                shutil.rmtree(queue)
            logger.warning(
                "journal: the last run in %s did not close cleanly; re-queuing its %d "
                "unfinished requests", jobdir, len(self.journal.unfinished),
            )
        crawler.signals.connect(self.request_scheduled, signals.request_scheduled)
        crawler.signals.connect(self.request_dropped, signals.request_dropped)
        crawler.signals.connect(self.item_buffered, signals.item_scraped)
        crawler.signals.connect(self.item_settled, signals.item_dropped)
        crawler.signals.connect(self.item_failed, signals.item_error)
        crawler.signals.connect(self.durable, items_durable)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            # A crawl without JOBDIR is the normal case: no message, so Scrapy logs no warning.
            raise NotConfigured
        if not crawl_config(crawler).journal:
            raise NotConfigured("LINKCRAWL_JOURNAL is off")
        return cls(crawler, Path(jobdir))

    def _fp(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    # --- restart --------------------------------------------------------------------
    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        requeued = 0
        for spec in self.journal.unfinished.values():
            request = _rebuild(spec, spider)
            if request is not None:
                requeued += 1
                yield request
        if self.journal.unfinished:
            self.crawler.stats.set_value("journal/requeued", requeued)
            logger.info("journal: re-queued %d requests", requeued)
            self.journal.unfinished = {}
        async for item_or_request in start:
            yield item_or_request

    # --- what a response produces ----------------------------------------------------
    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        fp, output = self._output_of(response)
        try:
            for element in result:
                self._count(output, element, fp)
                yield element
        finally:
            self._end(fp, output)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        fp, output = self._output_of(response)
        try:
            async for element in result:
                self._count(output, element, fp)
                yield element
        finally:
            self._end(fp, output)

    def _output_of(self, response: Response) -> tuple[str, _Output]:
        """The response's request fingerprint (computed once per response) and its output."""
        assert response.request is not None
        fp = self._fp(response.request)
        return fp, self._outputs.setdefault(fp, _Output())

    def _count(self, output: _Output, element: Any, parent: str) -> None:
        if isinstance(element, Request):
            element.meta[PARENT] = parent
            output.children += 1
        elif element is not None:
            output.items += 1

    def _end(self, fp: str, output: _Output) -> None:
        output.ended = True
        self._check(fp)

    def _check(self, fp: str) -> None:
        output = self._outputs.get(fp)
        if output is not None and output.finished:
            del self._outputs[fp]
            self._guard(self.journal.finish, fp)

    def _guard(self, write: Any, *args: Any) -> Any:
        """Run a journal write; a failure (disk full) stops the crawl, once, loudly."""
        if self._broken:
            return False
        try:
            return write(*args)
        except OSError as exc:
            self._broken = f"the request journal in {self.journal.path.parent} cannot be " \
                           f"written: {exc.strerror or exc}"
            self._context.not_durable = self._broken
            outcome.report(DurabilityError.exit_code, f"crawl stopped: {self._broken}")
            logger.error("stopping the crawl: %s; a resume would not know what is left",
                         self._broken)
            engine = self.crawler.engine
            if engine is not None and engine.running:
                deferred_from_coro(engine.close_spider_async(reason="jobdir_unwritable"))
            return False

    # --- signals ---------------------------------------------------------------------
    def request_scheduled(self, request: Request, spider: Spider | None = None) -> None:
        parent = request.meta.pop(PARENT, None)
        fp = self._fp(request)
        self._added = request if self._guard(self.journal.want, fp, _spec(request)) else None
        if parent and parent in self._outputs:
            self._outputs[parent].children -= 1
            self._check(parent)
        redirected_from = request.meta.get("redirect_urls")
        if redirected_from:
            origin = self._fp(request.replace(url=redirected_from[-1]))
            if origin != fp:
                self._guard(self.journal.finish, origin)

    def request_dropped(self, request: Request, spider: Spider | None = None) -> None:
        if request is self._added:  # a duplicate the dupe filter knew from an earlier run
            self._guard(self.journal.finish, self._fp(request))
        self._added = None

    def _item_output(self, response: Response | Failure | None) -> tuple[str, _Output] | None:
        if isinstance(response, Response) and response.request is not None:
            fp = self._fp(response.request)
            return (fp, self._outputs[fp]) if fp in self._outputs else None
        request = getattr(response, "request", None)
        if isinstance(response, Failure) and isinstance(request, Request):
            # an errback's item: errbacks bypass spider middlewares; it has no other output
            fp = self._fp(request)
            output = self._outputs.setdefault(fp, _Output(ended=True))
            output.items += 1
            return fp, output
        return None

    def item_buffered(self, item: Any, response: Any = None, spider: Any = None) -> None:
        batches = self._context.item_batches
        batch = batches.pop(id(item), None) if batches is not None else None
        found = self._item_output(response)
        if found is None:
            return
        fp, output = found
        if batch is None:  # no batch number (no store step): settled by the next durable
            output.buffered += 1
        elif batch <= self._durable_upto:
            output.settled += 1
            self._check(fp)
        else:
            self._waiting.append((batch, fp))

    def item_failed(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        """A pipeline raised: the item is not stored, so its request stays unfinished and
        the run is not clean (a resume fetches it again)."""
        if self._context.item_batches is not None:
            self._context.item_batches.pop(id(item), None)
        self._context.not_durable = self._context.not_durable or "an item failed in a pipeline"

    def item_settled(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        found = self._item_output(response)
        if found is not None:
            found[1].settled += 1
            self._check(found[0])

    def durable(self, upto: int | None = None) -> None:
        if upto is not None:
            self._durable_upto = max(self._durable_upto, upto)
            while self._waiting and self._waiting[0][0] <= self._durable_upto:
                _, fp = self._waiting.popleft()
                output = self._outputs.get(fp)
                if output is not None:
                    output.settled += 1
                    self._check(fp)
        for fp, output in list(self._outputs.items()):
            if output.buffered:
                output.settled += output.buffered
                output.buffered = 0
                self._check(fp)
        self._guard(self.journal.sync)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # Scrapy has written its queue by now (the scheduler closes before this signal).
        why = self._context.not_durable
        if why:
            logger.warning("journal: not marking the run clean (%s); a resume with this "
                           "JOBDIR fetches the unfinished requests again", why)
        try:
            self.journal.close(clean=not why and not self._broken)
        except OSError as exc:
            logger.error("journal: cannot close %s: %s", self.journal.path, exc)


def _spec(request: Request) -> Spec:
    """What it takes to rebuild ``request``: URL, callback names, JSON-safe meta."""
    meta: dict[str, Any] = {}
    for key, value in request.meta.items():
        if key.startswith("_") or key in TRANSIENT_META:
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        meta[key] = value
    return {
        "url": request.url,
        "method": request.method,
        "callback": getattr(request.callback, "__name__", None),
        "errback": getattr(request.errback, "__name__", None),
        "priority": request.priority,
        "meta": meta,
    }


def _rebuild(spec: Spec, spider: Spider | None) -> Request | None:
    try:
        callback = getattr(spider, spec["callback"]) if spec.get("callback") else None
        errback = getattr(spider, spec["errback"]) if spec.get("errback") else None
        return Request(
            spec["url"], method=spec.get("method", "GET"), callback=callback, errback=errback,
            priority=int(spec.get("priority", 0)), meta=dict(spec.get("meta") or {}),
            dont_filter=True,
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        logger.warning("journal: cannot re-queue %r: %s", spec.get("url"), exc)
        return None
