"""Write what a crawl saw on its pages, comparing it with what the store knew of them.

One function for the crawl pipeline, the outage backlog and ``linkcrawl replay``, so the
three write a batch the same way on both stores (built on :class:`Store`'s own methods):

- a link found again keeps its record; a tracked field that changed (rel, follow,
  location, link type, image) adds a dated ``changed`` entry, a lost link found again a
  ``live`` entry;
- a link that was live on a page read again and is gone, paired with a link new on that
  page (an edited anchor text or target URL, :mod:`linkcrawl.history.linkedits`), continues in the
  new document and the old one becomes ``superseded``; an unpaired gone link is left for
  ``recheck`` to judge (a crawl never declares a loss);
- a live mention of a target the batch looked for, on a page that the batch read
  successfully, that was not found again becomes ``gone`` (``gone_reason`` ``linked`` when
  the page now links to that target, else ``removed``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from linkcrawl.history.linkedits import (
    changed_entries,
    continued_fields,
    pair_edits,
    superseded_fields,
    with_history,
)
from linkcrawl.history.recheck import changes
from linkcrawl.store.base import Doc, Store
from linkcrawl.store.schema import mention_doc_key, prepare_backlink
from linkcrawl.vocab import SUPERSEDED

CHUNK = 500  # bounded IN lists


@dataclass
class SightingCounts:
    edits: int = 0  # links continued under an edited anchor text or target URL
    changes: int = 0  # change entries recorded on links found again
    mentions_gone: int = 0


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _stored_links(store: Store, pages: Mapping[str, list[Doc]]) -> dict[str, dict[str, Doc]]:
    """source_url -> key -> stored backlink, for the pages of the batch (source_domain is
    indexed; source_url narrows it)."""
    by_domain: dict[str, list[str]] = {}
    for url, docs in pages.items():
        by_domain.setdefault(docs[0].get("source_domain") or "", []).append(url)
    out: dict[str, dict[str, Doc]] = {}
    for domain, urls in sorted(by_domain.items()):
        for chunk in _chunks(sorted(urls)):
            for doc in store.find("backlinks", {"source_domain": domain, "source_url": chunk}):
                out.setdefault(doc["source_url"], {})[doc["key"]] = doc
    return out


def write_backlinks(store: Store, links: Sequence[Mapping[str, Any]]) -> SightingCounts:
    """Upsert one batch of sighted backlinks (whole pages) with their history continued."""
    counts = SightingCounts()
    docs: list[Doc] = []
    for link in links:
        doc, seen = prepare_backlink(link)
        doc["seen_at"] = seen
        docs.append(doc)
    pages: dict[str, list[Doc]] = {}
    for doc in docs:
        pages.setdefault(doc["source_url"], []).append(doc)
    stored = _stored_links(store, pages)
    updates: dict[str, dict[str, Any]] = {}
    for url, found in pages.items():
        known = stored.get(url, {})
        found_keys = {d["key"] for d in found}
        fresh = []
        for doc in found:
            old = known.get(doc["key"])
            if old is None or old.get("status") == SUPERSEDED:
                fresh.append(doc)
                continue
            at = doc["seen_at"]
            entries = changed_entries(changes(old, doc), at)
            if old.get("status") == "lost":
                entries.append({"at": at, "event": "live", "detail": "found again"})
                doc["restored_at"] = at
            if entries:
                doc["history"] = with_history(old, entries)
                counts.changes += len(entries)
        gone = sorted((d for k, d in known.items()
                       if d.get("status") == "live" and k not in found_keys),
                      key=lambda d: (str(d.get("first_seen")), d["key"]))  # stable pairing
        paired: set[str] = set()
        by_key = {d["key"]: d for d in fresh}
        for edit in pair_edits(gone, fresh) if gone else ():
            paired.add(edit.new_key)
            old, new = known[edit.old_key], by_key[edit.new_key]
            fields = continued_fields(old, edit, new["seen_at"], changes(old, new))
            new.update(fields)
            if edit.new_key in known:  # an edit back to an older link: its first_seen too
                updates[edit.new_key] = fields
            updates[edit.old_key] = superseded_fields(old, edit, new["seen_at"])
            counts.edits += 1
        for doc in fresh:  # a superseded link back on its own: found again
            old = known.get(doc["key"])
            if old is not None and doc["key"] not in paired:
                doc["history"] = with_history(old, [{"at": doc["seen_at"], "event": "live",
                                                     "detail": "found again"}])
    if docs:
        store.upsert_backlinks(docs)
    if updates:
        store.update_backlinks(updates)
    return counts


def _fetched_ok(page: Mapping[str, Any]) -> bool:
    status = page.get("status") or 0
    return not page.get("error") and 0 < int(status) < 400


def mark_gone_mentions(
    store: Store,
    pages: Iterable[Mapping[str, Any]],
    looked_for: Collection[str],
    *,
    sighted: Collection[str] = (),
    linked: Collection[tuple[str, str]] = (),
) -> int:
    """Mark ``gone`` the live mentions of the ``looked_for`` target domains on ``pages``
    that were read successfully, unless their key was ``sighted`` again. ``linked`` holds
    the (source_url, target_domain) pairs those pages now link. Returns how many."""
    read = {p["url"]: p for p in pages if _fetched_ok(p)}
    if not read or not looked_for:
        return 0
    gone: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(read)):
        stored = store.find("mentions", {"target_domain": sorted(set(looked_for)),
                                         "source_url": chunk})
        for doc in stored:
            if doc["key"] in sighted or doc.get("status") == "gone":
                continue
            at = read[doc["source_url"]].get("fetched_at") or datetime.now(UTC)
            reason = "linked" if (doc["source_url"], doc["target_domain"]) in linked else "removed"
            gone[doc["key"]] = {"status": "gone", "gone_at": at, "gone_reason": reason}
    if gone:
        store.update_mentions(gone)
    return len(gone)


def mention_keys(mentions: Iterable[Mapping[str, Any]]) -> set[str]:
    """The store keys of ``mentions`` (without preparing whole documents for them)."""
    return {mention_doc_key(m) for m in mentions}


def linked_pairs(backlinks: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    return {(b["source_url"], b["target_domain"]) for b in backlinks}


def write_batch(
    store: Store,
    pages: Sequence[Mapping[str, Any]],
    backlinks: Sequence[Mapping[str, Any]],
    mentions: Sequence[Mapping[str, Any]],
    looked_for: Collection[str] = (),
) -> SightingCounts:
    """Write one batch of a crawl (whole pages): pages, backlinks with their history
    continued, mentions; then mark gone the mentions of ``looked_for`` target domains that
    the batch's pages no longer have."""
    if pages:
        store.upsert_pages(pages)
    counts = write_backlinks(store, backlinks) if backlinks else SightingCounts()
    if mentions:
        store.upsert_mentions(mentions)
    counts.mentions_gone = mark_gone_mentions(
        store, pages, looked_for, sighted=mention_keys(mentions), linked=linked_pairs(backlinks))
    return counts
