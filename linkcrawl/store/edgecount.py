"""How a numbered batch of domain-graph counts changes one stored edge (both stores).

A run's ``links`` on an edge is a sum over the crawl's batches, so a batch written twice (a
lost reply, a write-concern timeout, a spill file replayed again) must count once, and
batches that reach the store out of order (the writer drains a spill file after newer
batches, a failed batch is re-queued behind newer ones) must all count. The edge remembers
the batches of its last writer in its run: ``batches_upto`` (every batch numbered up to it
is known stored, so it comes again only as a retry) and ``batches``, the numbers above that
it has counted. The writer says which of its batches are known stored (``stored_upto``), so
``batches`` holds only those in flight: one number while the store keeps up.

SQLite applies :func:`count_batch` inside its write transaction; MongoDB has the same rule
as an update pipeline (``linkcrawl.store.mongo``), and the store contract tests hold both
to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EdgeCount", "count_batch"]


@dataclass(frozen=True, slots=True)
class EdgeCount:
    """An edge's count and batch memory after one batch."""

    links: int
    counted: bool  # False: the batch had been counted already, nothing changed
    writer: str | None
    batches_upto: int | None
    batches: tuple[int, ...]


def count_batch(stored: Mapping[str, Any] | None, run_id: str, links: int,
                batch: tuple[str, int] | None, stored_upto: int = 0) -> EdgeCount:
    """``stored`` (the edge as stored, or None) after a batch of ``links`` links.

    Within one run batches add, a new run starts the count again. ``batch`` =
    (writer, number); without it the batch always adds and the memory is cleared."""
    same_run = stored is not None and stored.get("run_id") == run_id
    before = int(stored.get("links") or 0) if stored is not None else 0
    total = before + links if same_run else links
    if batch is None:
        return EdgeCount(total, True, None, None, ())
    writer, number = batch
    # what this writer's earlier batches of this run left; another writer's is forgotten
    mine: Mapping[str, Any] = stored if same_run and stored and stored.get(
        "writer") == writer else {}
    upto = int(mine.get("batches_upto") or 0)
    seen = tuple(int(n) for n in mine.get("batches") or ())
    done = bool(mine) and (number <= upto or number in seen)
    new_upto = max(upto, stored_upto)
    kept = tuple(n for n in (seen if done else (*seen, number)) if n > new_upto)
    return EdgeCount(before if done else total, not done, writer, new_upto, kept)
