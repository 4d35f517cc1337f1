"""Marks reciprocal backlinks in the store (the policy is in linkcrawl.classify.reciprocal).

Both directions must be in the store: the backlink (referring -> target) and a domain edge
(target -> referring) seen in a crawl.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkcrawl.classify.reciprocal import retype
from linkcrawl.store.base import Store
from linkcrawl.verdict import Verdict


def mark_reciprocal(store: Store, pairs: Iterable[tuple[str, str]]) -> int:
    """Mark backlinks of each (target_domain, referring_domain) pair whose target links
    back. Returns the number of backlinks marked."""
    marked = 0
    for target_domain, referring_domain in sorted(set(pairs)):
        back = {"source_domain": target_domain, "target_domain": referring_domain}
        if not store.count("domain_edges", back):
            continue
        docs = store.find(
            "backlinks", {"target_domain": target_domain, "source_domain": referring_domain}
        )
        updates = {}
        for doc in docs:
            old = Verdict(doc["link_type"], doc["confidence"], tuple(doc.get("evidence") or ()))
            new = retype(old, doc["location"])
            updates[doc["key"]] = {
                "link_type": new.value, "confidence": new.confidence, "evidence": list(new.evidence)
            }
        if updates:
            store.update_backlinks(updates)
            marked += len(updates)
    return marked
