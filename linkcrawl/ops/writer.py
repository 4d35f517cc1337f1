"""Store writes on their own thread, so a slow or frozen store never stalls the crawl.

The store pipeline hands sealed batches to :class:`StoreWriter` (on the reactor thread;
``submit`` only takes a lock and appends). One writer thread writes them, oldest first,
with what an outage left in the spill file written before them. While the store is slow
or down, batches wait in memory; once more than ``max_items`` documents wait, the waiting
batches are appended to the spill file (:func:`linkcrawl.ops.spill.append_records`) on
the submitting thread, so memory stays bounded whatever the store does: at most
``max_items`` documents (plus one batch) waiting, and as many in the writer's current call.

Batches are numbered; :attr:`StoreWriter.durable_upto` is the highest number up to which
every batch is in the store or the spill file (what the request journal waits for).
A document the store rejects as such (not an outage: an integer too big for it, text
it cannot encode, a document over its size limit) is found by writing the batch page by
page and goes to the dead-letter file (:class:`DeadLetters`); the rest is stored.

No Scrapy here: callbacks are called on the writer thread or on the submitting thread,
and the caller moves them to its own thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from linkcrawl.errors import StoreError
from linkcrawl.history.sightings import write_batch
from linkcrawl.ops.quarantine import DeadLetters
from linkcrawl.ops.spill import (
    SpillError,
    append_raw,
    append_records,
    read_records,
    replay_into,
)
from linkcrawl.store.base import Store

__all__ = ["Batch", "StoreWriter", "WriterEvents"]

logger = logging.getLogger(__name__)

Doc = dict[str, Any]
FIRST_RETRY_DELAY = 1.0  # seconds; doubled after every failed attempt


@dataclass
class Batch:
    """One flush of the crawl: whole pages with their backlinks, mentions and domain edges."""

    seq: int
    pages: list[Doc]
    backlinks: list[Doc]
    mentions: list[Doc]
    edges: dict[tuple[str, str], int]
    seen: datetime
    run_id: str
    looked_for: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return len(self.pages) + len(self.backlinks) + len(self.mentions) + len(self.edges)

    def records(self) -> list[dict[str, Any]]:
        """The batch as spill records (see :mod:`linkcrawl.ops.spill`)."""
        out: list[dict[str, Any]] = []
        if self.pages:
            out.append({"kind": "pages", "docs": self.pages,
                        "mention_targets": sorted(self.looked_for)})
        if self.backlinks:
            out.append({"kind": "backlinks", "docs": self.backlinks})
        if self.mentions:
            out.append({"kind": "mentions", "docs": self.mentions})
        if self.edges:
            out.append({"kind": "edges", "edges": [[s, t, n] for (s, t), n in self.edges.items()],
                        "seen_at": self.seen, "run_id": self.run_id})
        return out

    def by_page(self) -> Iterator[tuple[Doc | None, list[Doc], list[Doc]]]:
        """(page, its backlinks, its mentions) per source page, to find a bad document."""
        links: dict[str, list[Doc]] = {}
        for doc in self.backlinks:
            links.setdefault(doc.get("source_url") or "", []).append(doc)
        mentions: dict[str, list[Doc]] = {}
        for doc in self.mentions:
            mentions.setdefault(doc.get("source_url") or "", []).append(doc)
        for page in self.pages:
            url = page.get("url") or ""
            yield page, links.pop(url, []), mentions.pop(url, [])
        for url in sorted({*links, *mentions}):
            yield None, links.get(url, []), mentions.get(url, [])


@dataclass
class WriterEvents:
    """What the writer reports; each callback may run on any thread."""

    durable: Callable[[int], None] = lambda upto: None
    stored: Callable[[Mapping[str, int]], None] = lambda counts: None
    failed: Callable[[StoreError, bool, float], None] = lambda exc, first, delay: None
    recovered: Callable[[int], None] = lambda documents: None
    spilled: Callable[[int], None] = lambda documents: None


@dataclass
class _State:
    queue: deque[Batch] = field(default_factory=deque)
    queued: int = 0  # documents in queue
    spilled: int = 0  # documents in the spill file, not yet taken for draining
    draining: int = 0  # documents in the file being drained
    done: set[int] = field(default_factory=set)  # durable batch numbers past durable_upto
    durable_upto: int = 0
    retry_at: float = 0.0
    delay: float = 0.0
    stopping: bool = False
    busy: bool = False  # the writer holds batches or a file in a store call
    max_queued: int = 0  # the most documents that ever waited in memory


class StoreWriter:
    """A single writer thread with a bounded memory queue that overflows to the spill file."""

    def __init__(self, connect: Callable[[], Store], spill_path: Path, max_items: int, *,
                 retry_max_delay: float, dead_letters: DeadLetters,
                 events: WriterEvents | None = None) -> None:
        self.connect = connect
        self.spill_path = spill_path
        self.draining_path = spill_path.with_name(spill_path.stem + ".draining.jsonl")
        self.max_items = max_items
        self.retry_max_delay = retry_max_delay
        self.dead_letters = dead_letters
        self.events = events or WriterEvents()
        #: set when nothing can be made durable: the store is down and the spill file failed
        self.failure: SpillError | None = None
        self._written = 0
        self._state = _State()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="linkcrawl-store-writer",
                                        daemon=True)
        self._thread.start()

    # --- the submitting thread ----------------------------------------------------------
    def submit(self, batch: Batch) -> None:
        """Queue ``batch``; past the memory bound, spill every waiting batch to disk."""
        with self._cond:
            state = self._state
            state.queue.append(batch)
            state.queued += batch.size
            state.max_queued = max(state.max_queued, state.queued)
            if state.queued > self.max_items:
                self._spill_queue()
            self._cond.notify_all()

    @property
    def durable_upto(self) -> int:
        return self._state.durable_upto

    @property
    def max_queued(self) -> int:
        return self._state.max_queued

    @property
    def pending(self) -> int:
        """Documents not yet in the store (memory, spill file, being written)."""
        with self._cond:
            return self._state.queued + self._state.spilled + self._state.draining

    def wait_idle(self, timeout: float = 60) -> bool:
        """Wait until the writer has nothing it could write now (all written, or waiting
        for its next attempt after an outage); for tests and tools. False on timeout."""
        def idle() -> bool:
            state = self._state
            return not state.busy and ((not state.queue and not state.spilled)
                                       or state.retry_at > time.monotonic())
        with self._cond:
            return self._cond.wait_for(idle, timeout)

    def _spill_queue(self, extra: list[dict[str, Any]] | None = None) -> None:
        """Append the waiting batches (and ``extra`` records) to the spill file; the lock
        is held. A failure leaves them in memory and sets :attr:`failure`."""
        state = self._state
        batches = list(state.queue)
        records = [r for b in batches for r in b.records()] + (extra or [])
        if not records:
            return
        try:
            append_records(self.spill_path, records)
        except SpillError as exc:
            if self.failure is None:
                self.failure = exc
            raise
        self.failure = None
        documents = sum(b.size for b in batches)
        state.queue.clear()
        state.queued = 0
        state.spilled += documents
        self._mark(b.seq for b in batches)
        if documents:
            self.events.spilled(documents)

    def _mark(self, seqs: Any) -> None:
        state = self._state
        state.done.update(seqs)
        before = state.durable_upto
        while state.durable_upto + 1 in state.done:
            state.durable_upto += 1
            state.done.discard(state.durable_upto)
        if state.durable_upto > before:
            self.events.durable(state.durable_upto)

    def mark_empty(self, seq: int) -> None:
        """Batch ``seq`` had no documents (all were quarantined): durable as it is."""
        with self._cond:
            self._mark([seq])

    # --- the writer thread ------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                state = self._state
                while True:
                    work = bool(state.queue) or state.spilled > 0 or self.draining_path.exists()
                    if state.stopping and not work:
                        return
                    wait = state.retry_at - time.monotonic()
                    if work and (wait <= 0 or state.stopping):
                        break
                    self._cond.wait(timeout=wait if work else None)
                taken = list(state.queue)
                state.queue.clear()
                state.queued = 0
                drain = state.spilled > 0 or self.draining_path.exists()
                if state.spilled and not self.draining_path.exists():
                    self.spill_path.replace(self.draining_path)
                    state.draining, state.spilled = state.spilled, 0
                stopping = state.stopping
                state.busy = True
            try:
                ok = self._attempt(taken, drain)
            except Exception as exc:  # a bug or a spill file it cannot read: keep everything
                logger.exception("store writer: unexpected error; keeping the documents")
                ok = self._requeue(taken[self._written:],
                                   StoreError(f"store writer failed: {exc!r}"))
            with self._cond:
                state.busy = False
                self._cond.notify_all()
                if not ok and stopping:
                    return  # the last attempt at close failed: the caller spills the rest

    def _attempt(self, taken: list[Batch], drain: bool) -> bool:
        """Write the draining file, then ``taken``; False (and re-queued) on an outage."""
        self._written = 0  # batches of ``taken`` written so far
        try:
            store = self.connect()
            if drain and self.draining_path.exists():
                counts = replay_into(store, read_records(self.draining_path), refresh=False)
                self.draining_path.unlink()
                with self._cond:
                    self._state.draining = 0
                self.events.recovered(counts.documents)
                self.events.stored({"pages_stored": counts.pages,
                                    "backlinks_stored": counts.backlinks,
                                    "mentions_stored": counts.mentions})
            for batch in taken:
                self._write(store, batch)
                self._written += 1
                with self._cond:
                    self._mark([batch.seq])
        except StoreError as exc:
            return self._requeue(taken[self._written:], exc)
        with self._cond:
            self._state.delay = self._state.retry_at = 0.0
        return True

    def _requeue(self, rest: list[Batch], exc: StoreError) -> bool:
        """Put back what was not written, back off, spill past the bound; False."""
        with self._cond:
            state = self._state
            state.queue.extendleft(reversed(rest))
            state.queued += sum(b.size for b in rest)
            first = state.delay == 0.0
            state.delay = min(max(FIRST_RETRY_DELAY, state.delay * 2), self.retry_max_delay)
            state.retry_at = time.monotonic() + state.delay
            if state.queued > self.max_items:
                # on failure kept in memory; failure is set for the pipeline to act on
                with contextlib.suppress(SpillError):
                    self._spill_queue()
            delay = state.delay
        self.events.failed(exc, first, delay)
        return False

    def _write(self, store: Store, batch: Batch) -> None:
        try:
            self._write_whole(store, batch.pages, batch.backlinks, batch.mentions, batch)
        except StoreError:
            raise
        except Exception as exc:  # a document the store rejects, not an outage
            logger.debug("batch %d rejected (%s); writing it page by page", batch.seq, exc)
            for page, links, mentions in batch.by_page():
                try:
                    self._write_whole(store, [page] if page else [], links, mentions, batch)
                except StoreError:
                    raise
                except Exception as bad:
                    self.dead_letters.add_group(page, links, mentions, bad)
        if batch.edges:
            store.add_domain_edges(batch.edges, batch.seen, batch.run_id)

    def _write_whole(self, store: Store, pages: list[Doc], backlinks: list[Doc],
                     mentions: list[Doc], batch: Batch) -> None:
        if not (pages or backlinks or mentions):
            return
        done = write_batch(store, pages, backlinks, mentions, batch.looked_for)
        self.events.stored({"pages_stored": len(pages), "backlinks_stored": len(backlinks),
                            "mentions_stored": len(mentions), "link_edits": done.edits,
                            "link_changes": done.changes, "mentions_gone": done.mentions_gone})

    # --- closing ----------------------------------------------------------------------
    def close(self, timeout: float | None = None) -> bool:
        """Make one last attempt at everything pending and stop the thread; True when all
        of it is in the store. Blocks: call it off the reactor thread."""
        with self._cond:
            self._state.stopping = True
            self._state.retry_at = 0.0
            self._cond.notify_all()
        self._thread.join(timeout)
        with self._cond:
            state = self._state
            return (not self._thread.is_alive() and not state.queue and not state.spilled
                    and not self.draining_path.exists())

    def leave(self, extra: list[dict[str, Any]]) -> int:
        """After :meth:`close` failed: one spill file with everything pending, oldest first,
        and ``extra`` records; the documents in it. Raises SpillError."""
        with self._cond:
            state = self._state
            if self.draining_path.exists():
                newer = self.spill_path.read_bytes() if self.spill_path.exists() else b""
                if newer:
                    append_raw(self.draining_path, newer)
                self.draining_path.replace(self.spill_path)
                state.spilled += state.draining
                state.draining = 0
            pending = state.queued + state.spilled
            self._spill_queue(extra)
            return pending
