"""What a write leaves to recompute: reciprocal marks, referring domains and placements.

A crawl, a recheck and a replay all end the same way: the (target, referring domain) pairs
they touched get their derived documents recomputed from the backlinks now stored. This is
the one place that does it, so the three paths cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from linkcrawl.history.reciprocal import mark_reciprocal
from linkcrawl.history.sitewide import placement_docs
from linkcrawl.store.base import Doc, Store

__all__ = ["Derived", "refresh_derived", "refresh_placements"]

_IN_LIST = 500  # referring domains per query: bounded IN lists


@dataclass(frozen=True, slots=True)
class Derived:
    """How many documents the refresh wrote, for stats and summaries."""

    reciprocal: int
    referring_domains: int
    placements: int


def refresh_placements(store: Store, pairs: Iterable[tuple[str, str]], min_pages: int) -> int:
    """Recompute ``placements`` from the live backlinks of the given (target_domain,
    source_domain) pairs; a placement on at least ``min_pages`` pages is ``sitewide``.
    Returns the rows written."""
    by_target: dict[str, set[str]] = {}
    for target, source in pairs:
        by_target.setdefault(target, set()).add(source)
    wanted = {(t, s) for t, sources in by_target.items() for s in sources}
    rows: list[Doc] = []
    for target, sources in by_target.items():
        names = sorted(sources)
        for start in range(0, len(names), _IN_LIST):
            links = store.find("backlinks", {"target_domain": target, "status": "live",
                                             "source_domain": names[start : start + _IN_LIST]})
            rows.extend(placement_docs(links, min_pages))
    store.replace_placements(wanted, rows)
    return len(rows)


def refresh_derived(store: Store, pairs: Iterable[tuple[str, str]], *,
                    min_pages: int) -> Derived:
    """Reciprocal marks, the referring-domain rollup and the placements of ``pairs``, in
    that order (the rollup reads the retyped links, placements the rollup's live set)."""
    pairs = sorted(set(pairs))
    reciprocal = mark_reciprocal(store, pairs)
    rows = store.refresh_referring_domains(pairs)
    placements = refresh_placements(store, pairs, min_pages)
    return Derived(reciprocal=reciprocal, referring_domains=rows, placements=placements)
