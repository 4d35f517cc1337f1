"""Batched, idempotent writes of pages, backlinks and the domain graph; the run record.

Flushes every ``LINKCRAWL_BATCH_SIZE`` backlinks (or pages) and when the spider closes;
then refreshes ``referring_domains`` for the pairs this run touched, marks reciprocal
links, records the run with its stats and logs the end-of-crawl summary.

A store that fails (MongoDB gone, SQLite file locked) does not lose the crawl: refused
batches wait in a :class:`linkcrawl.ops.spill.Backlog` (memory, then a spill file) and are
written, oldest first, by the first flush that succeeds; attempts back off from 1 s to
``LINKCRAWL_STORE_RETRY_MAX_DELAY``. If the store is still down when the spider closes,
everything pending stays in ``LINKCRAWL_SPILL_DIR/<run_id>.jsonl`` for ``linkcrawl replay``.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from linkcrawl.errors import StoreError
from linkcrawl.history.documents import backlink_doc, mention_doc, page_doc
from linkcrawl.history.refresh import refresh_derived
from linkcrawl.history.sightings import write_batch
from linkcrawl.items import PageItem
from linkcrawl.ops.spill import Backlog, items_durable
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from pipelines._base import CrawlerPipeline

logger = logging.getLogger(__name__)

FIRST_RETRY_DELAY = 1.0  # seconds; doubled after every failed attempt


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
        # Edge batches are numbered (writer, n), so a batch written twice counts once.
        self._writer = secrets.token_hex(4)
        self._edge_batches = 0
        self._edge_batch: tuple[str, int] | None = None  # the number of self._edges
        self._pairs: set[tuple[str, str]] = set()
        self._backlog: Backlog | None = None
        self._delay = 0.0
        self._retry_at = 0.0
        self._recorded = False  # the run record was written by _finish
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.spider
        stamp = datetime.now(UTC)
        self.run_id = self.start_run_id(self.config.run_id, spider.name, stamp)
        spill = Path(self.config.spill_dir) / f"{self.run_id}.jsonl"
        self._backlog = Backlog(spill, self.config.spill_max_items)
        self._run = {
            "run_id": self.run_id,
            "spider": spider.name,
            "args": dict(getattr(spider, "run_args", {})),
            "started_at": stamp,
        }
        try:
            self._connect()
        except StoreError as exc:  # it passed the preflight: treat it as an outage
            self._failed(exc)
            return
        assert self.store is not None
        logger.info("run %s writing to %s", self.run_id, self.store.masked_uri)

    def _connect(self) -> Store:
        if self.store is None:
            self.store = open_store(self.config.store_uri, **self.config.store_options)
        if not self._run_started:
            self.store.start_run({**self._run, "store_uri": self.store.masked_uri})
            self._run_started = True
        return self.store

    def process_item(self, item: PageItem) -> PageItem:
        seen_at = item.fetched_at or datetime.now(UTC)
        self._pages.append(page_doc(item, self.run_id))
        for link in item.links:
            self._backlinks.append(backlink_doc(item, link, self.run_id, seen_at))
            self._pairs.add((link.target_domain, link.source_domain or item.domain))
        self._mentions.extend(mention_doc(item, m, self.run_id, seen_at) for m in item.mentions)
        for domain, count in item.domain_edges.items():
            self._edges[(item.domain, domain)] += count
        if max(len(self._backlinks), len(self._pages)) >= self.config.batch_size:
            self.flush()
        return item

    def flush(self, *, force: bool = False) -> bool:
        """Write the batch (and anything pending from an outage); True when all is stored.
        While the store is down and the next attempt is not due, the batch joins the backlog."""
        backlog = self._backlog
        assert backlog is not None
        if not force and time.monotonic() < self._retry_at:
            self._keep()
            return False
        try:
            store = self._connect()
            was_pending = backlog.pending
            if was_pending:
                done = backlog.drain(store)
                logger.warning("store %s is back: wrote %d pending documents",
                               store.masked_uri, done.documents)
                self.stats.inc_value("linkcrawl/store/recovered_documents", done.documents)
                self.stats.inc_value("linkcrawl/pages_stored", done.pages)
                self.stats.inc_value("linkcrawl/backlinks_stored", done.backlinks)
            self._write(store)
        except StoreError as exc:
            self._failed(exc)
            self._keep()
            return False
        self._delay = self._retry_at = 0.0
        self.crawler.signals.send_catch_log(signal=items_durable)
        return True

    def _write(self, store: Store) -> None:
        if self._pages or self._backlinks or self._mentions:
            done = write_batch(store, self._pages, self._backlinks, self._mentions,
                               self.context.mention_targets)
            for name, n in (("pages_stored", len(self._pages)),
                            ("backlinks_stored", len(self._backlinks)),
                            ("mentions_stored", len(self._mentions)),
                            ("link_edits", done.edits), ("link_changes", done.changes),
                            ("mentions_gone", done.mentions_gone)):
                if n:
                    self.stats.inc_value(f"linkcrawl/{name}", n)
            self._pages, self._backlinks, self._mentions = [], [], []
        if self._edges:
            store.add_domain_edges(dict(self._edges), datetime.now(UTC), self.run_id,
                                   batch=self._edges_number())
            self._edges.clear()
            self._edge_batch = None

    def _edges_number(self) -> tuple[str, int]:
        """The number of the pending edge batch: kept when the batch is retried."""
        if self._edge_batch is None:
            self._edge_batches += 1
            self._edge_batch = (self._writer, self._edge_batches)
        return self._edge_batch

    def _keep(self) -> None:
        """Move the current batch into the backlog (which spills past its bound)."""
        backlog = self._backlog
        assert backlog is not None
        spilled = backlog.spilled
        backlog.keep(self._pages, self._backlinks, dict(self._edges), datetime.now(UTC),
                     self.run_id, self._mentions, self.context.mention_targets,
                     batch=self._edges_number() if self._edges else None)
        self._pages, self._backlinks, self._mentions = [], [], []
        self._edges.clear()
        self._edge_batch = None
        if backlog.spilled > spilled:
            self.stats.inc_value("linkcrawl/store/spilled_documents", backlog.spilled - spilled)
        if not backlog.in_memory:  # all of it is in the spill file, on disk
            self.crawler.signals.send_catch_log(signal=items_durable)

    def _failed(self, exc: StoreError) -> None:
        self.stats.inc_value("linkcrawl/store/write_failures")
        first = self._delay == 0.0
        self._delay = min(max(FIRST_RETRY_DELAY, self._delay * 2),
                          self.config.store_retry_max_delay)
        self._retry_at = time.monotonic() + self._delay
        log = logger.warning if first else logger.info
        log("store unavailable, keeping items and retrying in %.0f s: %s", self._delay, exc)

    def close_spider(self, spider: Any = None) -> None:
        """Write what is left; the store stays open for :meth:`spider_closed`, which
        closes it (one client per crawl)."""
        backlog = self._backlog
        assert backlog is not None
        if self.flush(force=True):
            self._finish()
            return
        self._leave_spill()

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
            self._failed(exc)
            self._leave_spill()
            return
        self.log_summary(stats)

    def _leave_spill(self) -> None:
        """The store is down at the end: put everything pending, the rollup to redo and the
        run record in the spill file, and say where it is."""
        backlog = self._backlog
        assert backlog is not None
        self.stats.set_value("linkcrawl/store/pending_documents", backlog.pending)
        stats = self.stats.get_stats()
        pending = backlog.pending
        backlog.spill(extra=[
            {"kind": "pairs", "pairs": sorted(self._pairs)},
            {"kind": "run", "run_id": self.run_id, "start": self._run,
             "finished_at": datetime.now(UTC),
             "finish_reason": str(stats.get("finish_reason", "finished")), "stats": stats},
        ])
        self.crawler.signals.send_catch_log(signal=items_durable)
        logger.warning(
            "store unavailable at the end of run %s: %d documents left in %s; load them "
            "with: linkcrawl replay %s --store URI", self.run_id, pending, backlog.path,
            backlog.path,
        )
        self.log_summary(stats)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Scrapy knows why a crawl ended (``shutdown`` after Ctrl-C, ``closespider_*``)
        only after the pipelines have closed: correct the run record then, through the
        crawl's own store, and close it."""
        store, self.store = self.store, None
        if store is None:
            return
        try:
            if self._recorded and reason != "finished":
                stats = {**self.stats.get_stats(), "finish_reason": reason}
                store.finish_run(self.run_id, finished_at=datetime.now(UTC),
                                 finish_reason=reason, stats=stats)
        except StoreError as exc:
            logger.warning("run %s ended with %r, not recorded: %s", self.run_id, reason, exc)
        finally:
            store.close()

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
