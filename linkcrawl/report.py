"""What the store says about a target, as the numbers and tables analysts read."""

from __future__ import annotations

from collections import Counter
from typing import Any

from linkcrawl.store.base import Store
from linkcrawl.tables import format_table
from linkcrawl.vocab import LINK_TYPES, LOCATIONS

REFERRING_COLUMNS = (
    "referring_domain",
    "backlinks",
    "followed_backlinks",
    "pages",
    "link_types",
    "locations",
    "first_seen",
    "last_seen",
    "status",
)


def target_summary(store: Store, target: str) -> dict[str, Any]:
    """Referring domains and live backlinks of ``target``, by type and by location."""
    links = store.find("backlinks", {"target_domain": target, "status": "live"})
    domains = store.find("referring_domains", {"target_domain": target, "status": "live"})
    return {
        "target": target,
        "referring_domains": len(domains),
        "backlinks": len(links),
        "followed": sum(1 for link in links if link.get("follow")),
        "by_type": Counter(link.get("link_type") or "other" for link in links),
        "by_location": Counter(link.get("location") or "other" for link in links),
        "domains_by_type": _domains_by(links, "link_type"),
        "domains_by_location": _domains_by(links, "location"),
    }


def _domains_by(links: list[dict[str, Any]], field: str) -> Counter[str]:
    pairs = {(link.get(field) or "other", link["source_domain"]) for link in links}
    return Counter(value for value, _ in pairs)


def summary_text(store: Store, targets: list[str]) -> str:
    """The end-of-crawl summary: one block per target."""
    blocks = []
    for target in targets:
        s = target_summary(store, target)
        head = (
            f"{target}: {s['referring_domains']} referring domains, {s['backlinks']} backlinks "
            f"({s['followed']} followed)"
        )
        rows = [
            {"link type": t, "backlinks": s["by_type"][t], "domains": s["domains_by_type"][t]}
            for t in LINK_TYPES
            if s["by_type"][t]
        ]
        loc_rows = [
            {"location": loc, "backlinks": s["by_location"][loc],
             "domains": s["domains_by_location"][loc]}
            for loc in LOCATIONS
            if s["by_location"][loc]
        ]
        parts = [head, "=" * len(head)]
        if rows:
            parts += ["", format_table(rows, ("link type", "backlinks", "domains"))]
            parts += ["", format_table(loc_rows, ("location", "backlinks", "domains"))]
        blocks.append("\n".join(parts))
    return "\n\n".join(blocks)


def referring_domains_text(store: Store, target: str) -> str:
    rows = store.find(
        "referring_domains", {"target_domain": target}, sort=[("backlinks", -1)]
    )
    if not rows:
        return f"{target}: no referring domains in {store.masked_uri}"
    title = f"{target}: {len(rows)} referring domains"
    return "\n".join([title, "", format_table(rows, REFERRING_COLUMNS)])
