"""Archive sightings: what a page captured in a web archive does to the stored links.

A crawl sees a page *now*; an archive record saw it on its capture date, which may be older
than what the store already knows. A capture must never move a link's ``last_seen`` back,
revive a link a later recheck found lost, or be read as an edit of links seen later. So, per
captured page (:func:`split_by_age`):

- a page none of whose stored links was seen after the capture is an ordinary sighting:
  it goes through :func:`linkcrawl.history.sightings.write_backlinks` (history, edits);
- a page with a stored link seen after the capture is an *older* view: links the store does
  not know are inserted as they were then (``first_seen`` = ``last_seen`` = capture date),
  and known links only get an earlier ``first_seen`` when the capture predates it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from linkcrawl.store.schema import utc


def newest_per_key(docs: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                dict[str, datetime]]:
    """One document per key (the latest capture) and the earliest capture of each key, for a
    batch that saw the same page in several records."""
    latest: dict[str, dict[str, Any]] = {}
    earliest: dict[str, datetime] = {}
    for doc in docs:
        key, at = doc["key"], utc(doc["seen_at"])
        if key not in latest or at >= utc(latest[key]["seen_at"]):
            latest[key] = dict(doc)
        if key not in earliest or at < earliest[key]:
            earliest[key] = at
    return list(latest.values()), earliest


def split_by_age(
    docs: Sequence[Mapping[str, Any]], stored: Mapping[str, Mapping[str, Mapping[str, Any]]],
    earliest: Mapping[str, datetime],
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], dict[str, dict[str, Any]]]:
    """(current sightings, older links to insert, first_seen updates) for one batch.

    ``stored``: source URL -> key -> stored backlink of the batch's pages."""
    by_page: dict[str, list[Mapping[str, Any]]] = {}
    for doc in docs:
        by_page.setdefault(doc["source_url"], []).append(doc)
    current: list[Mapping[str, Any]] = []
    older: list[Mapping[str, Any]] = []
    first_seen: dict[str, dict[str, Any]] = {}
    for url, found in by_page.items():
        known = stored.get(url, {})
        captured = max(utc(d["seen_at"]) for d in found)
        newer = any(d.get("last_seen") is not None and utc(d["last_seen"]) > captured
                    for d in known.values())
        for doc in found:
            key = doc["key"]
            first = earliest.get(key, utc(doc["seen_at"]))
            old = known.get(key)
            if old is None:
                (older if newer else current).append({**doc, "first_seen": first})
            else:
                if not newer:
                    current.append(doc)
                if old.get("first_seen") is None or first < utc(old["first_seen"]):
                    first_seen[key] = {"first_seen": first}
    return current, older, first_seen
