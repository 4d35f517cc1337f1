"""The evidence archive (``LINKCRAWL_ARCHIVE_DIR``): pages that hold backlinks, as WARC files.

A thin Scrapy component around :mod:`linkcrawl.ops.archive` (the files) and
:mod:`linkcrawl.history.snapshots` (what a backlink remembers, what retention removes).
A pipeline sees items, not responses, so the records are written on ``item_scraped``,
which carries both, once the page has passed every pipeline (its links are then its
backlinks, keyed). Each backlink's snapshot reference is set in the store once the store
writer has written the backlink: pending references are applied every
``LINKCRAWL_BATCH_SIZE`` pages, on one thread of their own, and those whose backlink is not
stored yet wait for the next round; the last round runs when the spider has closed (the
store pipeline has written everything by then), followed by retention.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from linkcrawl.history.snapshots import (
    Snapshot,
    file_name,
    latest_snapshot_files,
    record_snapshots,
)
from linkcrawl.items import PageItem
from linkcrawl.ops.archive import (
    ArchiveSettings,
    Capture,
    WarcArchive,
    apply_retention,
    warcio_missing,
)
from linkcrawl.ops.logmask import mask_text
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from pipelines._base import CrawlerPipeline

logger = logging.getLogger(__name__)


# The body is stored as Scrapy hands it over: de-chunked (and decompressed, where Scrapy
# also drops Content-Encoding). A header that says otherwise would make readers decode it
# again, so it is kept under this prefix instead.
DECODED = ("transfer-encoding", "content-encoding")
ORIGINAL = "X-Linkcrawl-Original-"


def _headers(headers: Any, body_decoded: bool = False) -> list[tuple[str, str]]:
    out = []
    for name, values in headers.items():
        text = name.decode("latin-1")
        if body_decoded and text.lower() in DECODED:
            text = ORIGINAL + text
        out.extend((text, value.decode("latin-1")) for value in values)
    return out


def capture_of(response: Response, at: datetime) -> Capture:
    """What the archive writes of a Scrapy response (and the request that got it)."""
    request = response.request
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    return Capture(url=response.url, status=response.status,
                   headers=_headers(response.headers, body_decoded=True),
                   body=response.body, captured_at=at,
                   method=request.method if request is not None else "GET",
                   request_headers=_headers(request.headers) if request is not None else (),
                   protocol=protocol if protocol.startswith("HTTP/") else "HTTP/1.1")


class ArchivePipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler, settings: ArchiveSettings) -> None:
        super().__init__(crawler)
        self.settings = settings
        self.archive: WarcArchive | None = None
        self._pending: dict[str, Snapshot] = {}
        self._lock = threading.Lock()  # _pending and the stats, shared with the archive thread
        self._since_flush = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        self._running: Future[None] | None = None
        self._store: Store | None = None  # used on the executor's thread only
        self._failed = False
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = ArchiveSettings.from_settings(crawler.settings)
        if not settings.directory:
            raise NotConfigured  # the default: off, and Scrapy logs nothing
        missing = warcio_missing()
        if missing:
            raise NotConfigured(missing)
        return cls(crawler, settings)

    def process_item(self, item: Any) -> Any:
        return item

    # --- the reactor thread -------------------------------------------------------------
    def item_scraped(self, item: Any, response: Response, spider: Any) -> None:
        if self._failed or not isinstance(item, PageItem) or not item.links or item.error:
            return
        if self.archive is None:
            run_id = str(self.stats.get_value("linkcrawl/run_id") or spider.name)
            self.archive = WarcArchive(self.settings.directory, run_id,
                                       self.settings.max_file_bytes)
        at = item.fetched_at or datetime.now(UTC)
        try:
            snapshot = self.archive.write(capture_of(response, at))
        except OSError as exc:  # a full disk: the crawl goes on without evidence
            self._failed = True
            logger.error("archive: cannot write to %s, archiving stops for this run: %s",
                         self.settings.directory, exc)
            self.stats.inc_value("linkcrawl/archive/write_failures")
            return
        with self._lock:
            self.stats.set_value("linkcrawl/archive/records", self.archive.records)
            self.stats.set_value("linkcrawl/archive/bytes", self.archive.bytes)
            self.stats.set_value("linkcrawl/archive/files", len(self.archive.files))
            for link in item.links:
                if link.key:
                    self._pending[link.key] = snapshot
        self._since_flush += 1
        if self._since_flush >= self.config.batch_size and (
                self._running is None or self._running.done()):
            self._since_flush = 0
            self._running = self._executor.submit(self._apply)

    # --- the archive thread -------------------------------------------------------------
    def _take(self) -> dict[str, Snapshot]:
        with self._lock:
            pending, self._pending = self._pending, {}
            return pending

    def _count(self, name: str, n: int) -> None:
        with self._lock:
            self.stats.inc_value(f"linkcrawl/archive/{name}", n)

    def _apply(self) -> None:
        """Set the references of backlinks already stored; keep the rest for later."""
        pending = self._take()
        try:
            if self._store is None:
                self._store = open_store(self.config.store_uri, **self.config.store_options)
            found = record_snapshots(self._store, pending, self.settings.snapshots)
        except Exception as exc:  # the store is down: try again next round
            logger.warning("archive: snapshot references not written yet: %s",
                           mask_text(str(exc)))
            found = set()
        self._count("snapshots", len(found))
        with self._lock:
            for key, snap in pending.items():
                if key not in found:
                    self._pending.setdefault(key, snap)  # a newer capture of the key wins

    def _finish(self) -> None:
        """After the store pipeline has closed: the last references, then retention."""
        pending = self._take()
        if self.archive is not None:
            self.archive.close()
        try:
            if self._store is None:
                self._store = open_store(self.config.store_uri, **self.config.store_options)
            store = self._store
            found = record_snapshots(store, pending, self.settings.snapshots) if pending else set()
            self._count("snapshots", len(found))
            if len(found) < len(pending):
                self.stats.set_value("linkcrawl/archive/snapshots_unmatched",
                                     len(pending) - len(found))
            if self.settings.keep_days or self.settings.max_bytes:
                keep = latest_snapshot_files(store)
                keep.update(file_name(f) for f in (self.archive.files if self.archive else ()))
                removed = apply_retention(self.settings.directory, keep=keep,
                                          keep_days=self.settings.keep_days,
                                          max_bytes=self.settings.max_bytes)
                self.stats.set_value("linkcrawl/archive/removed_files", len(removed))
                if removed:
                    logger.info("archive: retention removed %d WARC files", len(removed))
        except Exception as exc:
            logger.error("archive: snapshot references or retention failed: %s",
                         mask_text(str(exc)))
        finally:
            if self._store is not None:
                self._store.close()
                self._store = None

    async def spider_closed(self, spider: Any) -> None:
        def run() -> None:
            try:
                self._executor.submit(self._finish).result()
            finally:
                self._executor.shutdown(wait=True)

        await maybe_deferred_to_future(threads.deferToThread(run))
