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

Backlinks ``superseded`` by an edited successor (:mod:`linkcrawl.history.linkedits`) are left out:
the successor carries their record. So are ``claimed`` ones (imported from a vendor export,
not confirmed by a fetch yet).

- ``best_link``, ``best_anchor``: source URL and anchor of the pair's most valuable
  backlink by :func:`best_link_key` (live, followed, best location, best type).

``authority`` and ``public_rank`` come from ``linkcrawl authority``: the rollup never
writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linkcrawl.store.base import Doc
from linkcrawl.vocab import NOT_COUNTED

# Backlink fields the rollup reads (a projection for MongoDB).
ROLLUP_FIELDS: tuple[str, ...] = (
    "target_domain", "source_domain", "source_url", "status", "follow", "link_type",
    "location", "first_seen", "last_seen", "anchor_text",
)

# What a link is worth to the target, best first: where it sits, then what kind it is.
# An editorial link in the body outweighs a sitewide footer link (SEO practice).
LOCATION_RANK: tuple[str, ...] = (
    "content", "author_bio", "sidebar", "comment", "header", "navigation", "breadcrumb",
    "footer", "other",
)
TYPE_RANK: tuple[str, ...] = (
    "editorial", "guest_post", "press_release", "partner", "acknowledgment", "directory",
    "forum", "comment", "other",
)


def _rank(values: tuple[str, ...], value: str | None) -> int:
    return values.index(value) if value in values else len(values)


def best_link_key(link: Mapping[str, Any]) -> tuple[bool, bool, int, int, str]:
    """Sort key of a backlink's value: live, followed, location, type, then URL (stable)."""
    return (
        link.get("status") != "live",
        not link.get("follow"),
        _rank(LOCATION_RANK, link.get("location")),
        _rank(TYPE_RANK, link.get("link_type")),
        link.get("source_url") or "",
    )


def best_link_order_sql(alias: str = "b") -> str:
    """:func:`best_link_key` as an SQL ORDER BY list (SQLite), from the same rank tables."""

    def case(column: str, values: tuple[str, ...]) -> str:
        whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(values))
        return f"CASE {alias}.{column} {whens} ELSE {len(values)} END"

    return (
        f"({alias}.status IS NOT 'live'), (NOT coalesce({alias}.follow, 0)), "
        f"{case('location', LOCATION_RANK)}, {case('link_type', TYPE_RANK)}, "
        f"coalesce({alias}.source_url, '')"
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
    best: Mapping[str, Any] | None = None

    def add(self, link: Mapping[str, Any]) -> None:
        self.backlinks += 1
        if self.best is None or best_link_key(link) < best_link_key(self.best):
            self.best = link
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
        if link.get("status") in NOT_COUNTED:  # edited away, or only claimed
            continue
        pair = (link.get("target_domain") or "", link.get("source_domain") or "")
        accs.setdefault(pair, _Acc()).add(link)
    return {
        pair: rd_row(
            pair, backlinks=acc.backlinks, live=acc.live, followed=acc.followed,
            pages=len(acc.pages), link_types=acc.link_types, locations=acc.locations,
            first_seen=acc.first_seen, last_seen=acc.last_seen, best=acc.best,
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
    best: Mapping[str, Any] | None = None,
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
        "best_link": (best or {}).get("source_url") or "",
        "best_anchor": (best or {}).get("anchor_text") or "",
    }
