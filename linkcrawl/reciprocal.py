"""Reciprocal links from the crawl graph: the target links back to the referring domain.

SEO teams call such exchanges partner links. Both directions must be in the store: the
backlink (referring -> target) and a domain edge (target -> referring) seen in a crawl.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkcrawl.store.base import Store

EVIDENCE = "graph:reciprocal"


def reciprocal_fields(link_type: str, location: str, evidence: list[str]) -> dict[str, object]:
    """The fields a backlink gets once its pair is known to be reciprocal.

    Every link of the pair gets the evidence. Only an in-content link that the page alone
    could not explain (``other``) becomes ``partner``: what the page says about a link (an
    editorial review, a sponsor logo, a site-wide theme credit) outweighs the exchange, and
    analysts find exchanges by filtering on the evidence.
    """
    new_evidence = evidence if EVIDENCE in evidence else [*evidence, EVIDENCE]
    retype = link_type == "other" and location == "content"
    return {"link_type": "partner" if retype else link_type, "evidence": new_evidence}


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
        updates = {
            doc["key"]: reciprocal_fields(
                doc["link_type"], doc["location"], list(doc.get("evidence") or [])
            )
            for doc in docs
        }
        if updates:
            store.update_backlinks(updates)
            marked += len(updates)
    return marked
