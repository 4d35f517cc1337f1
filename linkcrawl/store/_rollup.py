"""The referring-domain rollup: one row per (target_domain, referring_domain) pair.

Definitions (both stores must give the same numbers; SQLite computes them with one
``GROUP BY``, MongoDB with :func:`rollup` over the pair's backlinks):

- ``backlinks``: all backlinks of the pair, live or lost;
- ``live_backlinks``: those with ``status == "live"``;
- ``followed_backlinks``: live backlinks with ``follow`` true (the ones passing equity now);
- ``pages``: distinct ``source_url`` over all the pair's backlinks;
- ``link_types``, ``locations``: sorted distinct non-empty values over live backlinks;
- ``first_seen``: earliest ``first_seen``; ``last_seen``: latest ``last_seen``;
- ``status``: "live" when ``live_backlinks > 0``, else "lost".

``authority`` is reserved for a later domain score: the rollup never writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linkcrawl.store.base import Doc

# Backlink fields the rollup reads (a projection for MongoDB).
ROLLUP_FIELDS: tuple[str, ...] = (
    "target_domain", "source_domain", "source_url", "status", "follow", "link_type",
    "location", "first_seen", "last_seen",
)


@dataclass(slots=True)
class _Acc:
    backlinks: int = 0
    live: int = 0
    followed: int = 0
    pages: set[str] = field(default_factory=set)
    link_types: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def add(self, link: Mapping[str, Any]) -> None:
        self.backlinks += 1
        self.pages.add(link.get("source_url") or "")
        first, last = link.get("first_seen"), link.get("last_seen")
        if first is not None and (self.first_seen is None or first < self.first_seen):
            self.first_seen = first
        if last is not None and (self.last_seen is None or last > self.last_seen):
            self.last_seen = last
        if link.get("status") != "live":
            return
        self.live += 1
        self.followed += bool(link.get("follow"))
        if link.get("link_type"):
            self.link_types.add(link["link_type"])
        if link.get("location"):
            self.locations.add(link["location"])


def rollup(links: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Doc]:
    """referring_domains rows (without ``authority``) keyed by (target, referring) domain."""
    accs: dict[tuple[str, str], _Acc] = {}
    for link in links:
        pair = (link.get("target_domain") or "", link.get("source_domain") or "")
        accs.setdefault(pair, _Acc()).add(link)
    return {
        pair: rd_row(
            pair, backlinks=acc.backlinks, live=acc.live, followed=acc.followed,
            pages=len(acc.pages), link_types=acc.link_types, locations=acc.locations,
            first_seen=acc.first_seen, last_seen=acc.last_seen,
        )
        for pair, acc in accs.items()
    }


def rd_row(
    pair: tuple[str, str],
    *,
    backlinks: int,
    live: int,
    followed: int,
    pages: int,
    link_types: Iterable[str | None],
    locations: Iterable[str | None],
    first_seen: datetime | None,
    last_seen: datetime | None,
) -> Doc:
    """One referring_domains document from the aggregated numbers."""
    return {
        "target_domain": pair[0],
        "referring_domain": pair[1],
        "backlinks": backlinks,
        "live_backlinks": live,
        "followed_backlinks": followed,
        "pages": pages,
        "link_types": sorted({v for v in link_types if v}),
        "locations": sorted({v for v in locations if v}),
        "first_seen": first_seen,
        "last_seen": last_seen,
        "status": "live" if live else "lost",
    }
