"""Batched, idempotent writes of pages, backlinks and the domain graph; the run record.

Every ``LINKCRAWL_BATCH_SIZE`` backlinks (or pages) the batch is sealed and handed to
the store writer thread (:mod:`linkcrawl.ops.writer`): the reactor never waits for the
store, so a slow or frozen database slows only the writes. When the spider closes the
pipeline waits (off the reactor thread) for the writer, then refreshes
``referring_domains`` for the pairs this run touched, marks reciprocal links, records
the run with its stats and logs the end-of-crawl summary.

A store that fails (MongoDB gone, SQLite file locked) does not lose the crawl: refused
batches wait in memory, past ``LINKCRAWL_SPILL_MAX_ITEMS`` documents in a spill file, and
are written, oldest first, once the store answers; attempts back off from 1 s to
``LINKCRAWL_STORE_RETRY_MAX_DELAY``. If the store is still down when the spider closes,
everything pending stays in ``LINKCRAWL_SPILL_DIR/<run_id>.jsonl`` for ``linkcrawl replay``.
A document no store can take is quarantined (:mod:`linkcrawl.ops.quarantine`) and the
crawl exits with code 5; when neither the store nor the spill file takes anything (a
full disk) the crawl stops with exit code 6 and the request journal keeps what was not
made durable.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import threads

from linkcrawl.crawl import outcome
from linkcrawl.errors import QUARANTINED_EXIT_CODE, DurabilityError, StoreError
from linkcrawl.history.documents import backlink_doc, mention_doc, page_doc, page_flags
from linkcrawl.history.refresh import refresh_derived
from linkcrawl.items import PageItem
from linkcrawl.ops.quarantine import DeadLetters, unstorable
from linkcrawl.ops.spill import SpillError, items_durable
from linkcrawl.ops.writer import Batch, StoreWriter, WriterEvents
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from pipelines._base import CrawlerPipeline

logger = logging.getLogger(__name__)

class StorePipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store: Store | None = None
        self.run_id = ""
        self._run: dict[str, Any] = {}
        self._run_started = False
        self._pages: list[dict[str, Any]] = []
        self._backlinks: list[dict[str, Any]] = []
        self._mentions: list[dict[str, Any]] = []
        self._edges: Counter[tuple[str, str]] = Counter()
        self._pairs: set[tuple[str, str]] = set()
        self._seq = 1  # number of the batch being filled
        self._writer: StoreWriter | None = None
        self._dead: DeadLetters | None = None
        self._stats_lock = threading.Lock()
        self._connect_lock = threading.Lock()
        self._stopping = ""  # why the pipeline stopped the crawl
        self._recorded = False  # the run record was written by _finish
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.spider
        stamp = datetime.now(UTC)
        self.run_id = self.start_run_id(self.config.run_id, spider.name, stamp)
        spill_dir = Path(self.config.spill_dir)
        self._warn_left_behind(spill_dir)
        self._dead = DeadLetters(spill_dir.parent / "quarantine" / f"{self.run_id}.jsonl")
        self._run = {
            "run_id": self.run_id,
            "spider": spider.name,
            "args": dict(getattr(spider, "run_args", {})),
            "started_at": stamp,
        }
        try:
            self._connect()
        except StoreError as exc:  # it passed the preflight: treat it as an outage
            self._inc("store/write_failures")
            logger.warning("store unavailable, keeping items and retrying: %s", exc)
        else:
            assert self.store is not None
            logger.info("run %s writing to %s", self.run_id, self.store.masked_uri)
        self._writer = StoreWriter(
            self._connect, spill_dir / f"{self.run_id}.jsonl", self.config.spill_max_items,
            retry_max_delay=self.config.store_retry_max_delay, dead_letters=self._dead,
            events=WriterEvents(durable=self._durable, stored=self._stored,
                                failed=self._failed, recovered=self._recovered,
                                spilled=self._spilled),
        )

    def _warn_left_behind(self, spill_dir: Path) -> None:
        """Spill files of earlier runs hold documents not in the store yet: say so."""
        left = sorted(spill_dir.glob("*.jsonl")) if spill_dir.is_dir() else []
        if left:
            self.stats.set_value("linkcrawl/store/spill_files_waiting", len(left))
            logger.warning(
                "%d spill file(s) of earlier runs wait in %s with documents not in the store "
                "(first: %s); load them with: linkcrawl replay FILE --store URI",
                len(left), spill_dir, left[0].name)

    def _connect(self) -> Store:
        with self._connect_lock:
            if self.store is None:
                self.store = open_store(self.config.store_uri)
            if not self._run_started:
                self.store.start_run({**self._run, "store_uri": self.store.masked_uri})
                self._run_started = True
            return self.store

    # --- the reactor thread -------------------------------------------------------------
    def process_item(self, item: PageItem) -> PageItem:
        item.run_id = self.run_id  # feed exports (-O items.jsonl) carry the run, as the store
        seen_at = item.fetched_at or datetime.now(UTC)
        self._add("pages", self._pages, page_doc(item, self.run_id))
        flags = page_flags(item) if item.links else []
        for link in item.links:
            self._add("backlinks", self._backlinks,
                      backlink_doc(item, link, self.run_id, seen_at, flags))
            self._pairs.add((link.target_domain, link.source_domain or item.domain))
        for m in item.mentions:
            self._add("mentions", self._mentions, mention_doc(item, m, self.run_id, seen_at))
        for domain, count in item.domain_edges.items():
            self._edges[(item.domain, domain)] += count
        if self.context.item_batches is not None:  # the request journal waits for it
            self.context.item_batches[id(item)] = self._seq
        if max(len(self._backlinks), len(self._pages)) >= self.config.batch_size:
            self.flush()
        return item

    def _add(self, collection: str, batch: list[dict[str, Any]], doc: dict[str, Any]) -> None:
        reason = unstorable(doc)
        if reason is None:
            batch.append(doc)
            return
        assert self._dead is not None
        try:
            self._dead.add(collection, doc, reason)
        except SpillError as exc:
            self._stop(f"a {collection} document cannot be stored ({reason}) nor kept in "
                       f"the dead-letter file: {exc}")
            return
        self._inc("store/quarantined_documents")

    def flush(self) -> bool:
        """Seal the batch and hand it to the writer thread; False when that failed."""
        writer = self._writer
        assert writer is not None
        batch = Batch(self._seq, self._pages, self._backlinks, self._mentions,
                      dict(self._edges), datetime.now(UTC), self.run_id,
                      self.context.mention_targets)
        self._seq += 1
        self._pages, self._backlinks, self._mentions = [], [], []
        self._edges = Counter()
        with contextlib.suppress(SpillError):  # kept in memory; the writer's failure is set
            if batch.size:
                writer.submit(batch)
            else:
                writer.mark_empty(batch.seq)
        if writer.failure is not None:
            self._stop(f"the store is unavailable and the spill file cannot be written "
                       f"either: {writer.failure}")
            return False
        return True

    def _stop(self, why: str) -> None:
        """Nothing more can be made durable: stop the crawl rather than lose pages."""
        if self._stopping:
            return
        self._stopping = why
        self.context.not_durable = why
        outcome.report(DurabilityError.exit_code, f"crawl stopped: {why}")
        logger.error("stopping the crawl: %s. Pages fetched from now on would be lost; "
                     "with JOBDIR the unfinished requests are kept for a resume", why)
        self._inc("store/stopped_not_durable")
        self._on_reactor(self._close_crawl)

    def _close_crawl(self) -> None:
        engine = self.crawler.engine
        if engine is not None and getattr(engine, "running", False):
            deferred_from_coro(engine.close_spider_async(reason="not_durable"))

    # --- writer events (any thread) -----------------------------------------------------
    def _inc(self, name: str, n: int = 1) -> None:
        if n:
            with self._stats_lock:
                self.stats.inc_value(f"linkcrawl/{name}", n)

    def _on_reactor(self, func: Any, *args: Any) -> None:
        """Run ``func`` on the reactor thread, later (never inside the writer's lock)."""
        from twisted.internet import reactor  # the installed one; importing early installs one

        reactor.callFromThread(func, *args)  # type: ignore[attr-defined]

    def _durable(self, upto: int) -> None:
        self._on_reactor(self._send_durable, upto)

    def _send_durable(self, upto: int) -> None:
        self.crawler.signals.send_catch_log(signal=items_durable, upto=upto)

    def _stored(self, counts: Mapping[str, int]) -> None:
        for name, n in counts.items():
            self._inc(name, n)

    def _failed(self, exc: StoreError, first: bool, delay: float) -> None:
        self._inc("store/write_failures")
        log = logger.warning if first else logger.info
        log("store unavailable, keeping items and retrying in %.0f s: %s", delay, exc)

    def _recovered(self, documents: int) -> None:
        self._inc("store/recovered_documents", documents)
        logger.warning("store is back: wrote %d pending documents", documents)

    def _spilled(self, documents: int) -> None:
        self._inc("store/spilled_documents", documents)

    # --- closing ------------------------------------------------------------------------
    async def close_spider(self, spider: Any = None) -> None:
        self.flush()
        await maybe_deferred_to_future(threads.deferToThread(self.close_blocking))

    def close_blocking(self) -> None:
        """Wait for the writer, then the rollup and run record, or leave a spill file.
        Blocks; the spider's close runs it on a thread."""
        writer = self._writer
        assert writer is not None
        if self._pages or self._backlinks or self._mentions or self._edges:
            self.flush()
        try:
            written = writer.close()
            self.stats.set_value("linkcrawl/store/max_queued_documents", writer.max_queued)
            if self._dead is not None and self._dead.count:
                self.stats.set_value("linkcrawl/store/quarantine_file", str(self._dead.path))
            if written:
                self._finish()
            else:
                self._leave_spill()
            self._report_quarantine()
        finally:
            if self.store is not None:
                self.store.close()

    def _report_quarantine(self) -> None:
        dead = self._dead
        if dead is None or not dead.count:
            return
        for reason, n in dead.reasons.items():
            self.stats.set_value(f"linkcrawl/store/quarantined/{reason}", n)
        logger.error("%d documents could not be stored and were quarantined in %s (reasons: "
                     "%s)", dead.count, dead.path, ", ".join(f"{r}: {n}" for r, n in
                                                               sorted(dead.reasons.items())))
        outcome.report(QUARANTINED_EXIT_CODE,
                       f"{dead.count} documents quarantined in {dead.path}")

    def _finish(self) -> None:
        """Rollup, reciprocal marks and the run record; spilled if the store fails now."""
        assert self.store is not None
        self.stats.set_value("linkcrawl/store/pending_documents", 0)
        try:
            derived = refresh_derived(self.store, self._pairs,
                                      min_pages=self.config.sitewide_min_pages)
            self.stats.set_value("linkcrawl/reciprocal_links", derived.reciprocal)
            self.stats.set_value("linkcrawl/referring_domains", derived.referring_domains)
            self.stats.set_value("linkcrawl/placements", derived.placements)
            stats = self.stats.get_stats()
            self.store.finish_run(
                self.run_id,
                finished_at=datetime.now(UTC),
                finish_reason=str(stats.get("finish_reason", "finished")),
                stats=stats,
            )
            self._recorded = True
        except StoreError as exc:
            self._failed(exc, True, 0)
            self._leave_spill()
            return
        self.log_summary(stats)

    def _leave_spill(self) -> None:
        """The store is down at the end: put everything pending, the rollup to redo and the
        run record in the spill file, and say where it is."""
        writer = self._writer
        assert writer is not None
        pending = writer.pending
        self.stats.set_value("linkcrawl/store/pending_documents", pending)
        stats = self.stats.get_stats()
        extra = [
            {"kind": "pairs", "pairs": sorted(self._pairs)},
            {"kind": "run", "run_id": self.run_id, "start": self._run,
             "finished_at": datetime.now(UTC),
             "finish_reason": str(stats.get("finish_reason", "finished")), "stats": stats},
        ]
        try:
            writer.leave(extra)
        except SpillError as exc:
            why = (f"{pending} documents are neither in the store nor in a spill file "
                   f"({exc}): lost unless the crawl is resumed from its JOBDIR")
            self.context.not_durable = why
            outcome.report(DurabilityError.exit_code, why)
            logger.error("store unavailable at the end of run %s and %s", self.run_id, why)
            self.log_summary(stats)
            return
        logger.warning(
            "store unavailable at the end of run %s: %d documents left in %s; load them "
            "with: linkcrawl replay %s --store URI", self.run_id, pending, writer.spill_path,
            writer.spill_path,
        )
        self.log_summary(stats)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Scrapy knows why a crawl ended (``shutdown`` after Ctrl-C, ``closespider_*``)
        only after the pipelines have closed: correct the run record then."""
        if not self._recorded or reason == "finished":
            return
        stats = {**self.stats.get_stats(), "finish_reason": reason}
        try:
            with open_store(self.config.store_uri) as store:
                store.finish_run(
                    self.run_id, finished_at=datetime.now(UTC), finish_reason=reason, stats=stats
                )
        except StoreError as exc:
            logger.warning("run %s ended with %r, not recorded: %s", self.run_id, reason, exc)

    def log_summary(self, stats: dict[str, Any]) -> None:
        logger.info(
            "summary: run %s: %d pages, %d links found, %d backlinks stored, "
            "%d referring domains, %d errors, %d blocked by robots.txt",
            self.run_id,
            stats.get("linkcrawl/pages", 0),
            stats.get("linkcrawl/links_found", 0),
            stats.get("linkcrawl/backlinks_stored", 0),
            stats.get("linkcrawl/referring_domains", 0),
            stats.get("linkcrawl/page_errors", 0),
            stats.get("linkcrawl/robots_blocked", 0),
        )
