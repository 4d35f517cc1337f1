"""The identity of each stored document: the upsert keys, written once.

Every layer that names a document (the dedupe step, the stores, history, reports) computes
its key here, so a backlink seen by a crawl, a recheck or a replay is the same document.
"""

from __future__ import annotations

import hashlib

__all__ = ["backlink_key", "mention_key", "placement_key"]


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def backlink_key(source_url: str, target_url: str, anchor_text: str, link_kind: str = "a") -> str:
    """Stable identity of a backlink: one per source page x target URL x anchor (x link kind
    for the kinds other than an ordinary anchor, whose keys are as they always were)."""
    if link_kind and link_kind != "a":
        return _digest(source_url, target_url, anchor_text, link_kind)
    return _digest(source_url, target_url, anchor_text)


def mention_key(source_url: str, target: str, term: str) -> str:
    """Stable identity of an unlinked mention: one per page x target x brand term."""
    return _digest(source_url, target, term.lower())


def placement_key(target_domain: str, source_domain: str, target_url: str, anchor_text: str,
                  location: str) -> str:
    """Stable identity of a placement (one link repeated across a referring site)."""
    return _digest(target_domain, source_domain, target_url, anchor_text.strip().lower(),
                   location)
