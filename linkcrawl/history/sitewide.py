"""Sitewide placements: one link repeated on many pages of a referring site.

A blogroll, footer or sidebar link shows up on every page of a site; counted page by page it
swamps the real editorial links. A *placement* is the group of live backlinks with the same
referring domain, target URL, anchor text and location; a placement on at least
``min_pages`` pages is sitewide, shown once with its page count and one
representative page (the shortest URL, which is usually the home or a section page).

The threshold is ``LINKCRAWL_SITEWIDE_MIN_PAGES``, applied once when placements are stored
(:func:`linkcrawl.history.refresh.refresh_placements`); reports read the stored flag, so every
format agrees with the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from linkcrawl.keys import placement_key


@dataclass(frozen=True, slots=True)
class Placement:
    referring_domain: str
    target_url: str
    anchor_text: str
    location: str
    pages: int
    representative_url: str
    first_seen: datetime | None
    keys: tuple[str, ...]


def placements(links: Iterable[Mapping[str, Any]]) -> list[Placement]:
    """Placements of the live links, most pages first."""
    groups: dict[tuple[str, str, str, str], list[Mapping[str, Any]]] = {}
    for link in links:
        if link.get("status") != "live":
            continue
        group = (link.get("source_domain") or "", link.get("target_url") or "",
                 (link.get("anchor_text") or "").strip().lower(), link.get("location") or "")
        groups.setdefault(group, []).append(link)
    out = []
    for (domain, target, _, location), members in groups.items():
        pages = {m["source_url"] for m in members}
        firsts = [m["first_seen"] for m in members if m.get("first_seen")]
        out.append(Placement(
            referring_domain=domain, target_url=target,
            anchor_text=members[0].get("anchor_text") or "", location=location,
            pages=len(pages), representative_url=min(pages, key=lambda u: (len(u), u)),
            first_seen=min(firsts) if firsts else None,
            keys=tuple(sorted(m["key"] for m in members)),
        ))
    out.sort(key=lambda p: (-p.pages, p.referring_domain, p.target_url, p.anchor_text))
    return out


def placement_docs(links: Iterable[Mapping[str, Any]], min_pages: int) -> list[dict[str, Any]]:
    """``placements`` collection rows for the live ``links`` (backlink documents): one per
    placement, with ``page_count`` pages and ``sitewide`` from ``min_pages``."""
    by_key = {link["key"]: link for link in links}
    rows = []
    for p in placements(by_key.values()):
        members = [by_key[k] for k in p.keys]
        lasts = [m["last_seen"] for m in members if m.get("last_seen")]
        target_domain = members[0].get("target_domain") or ""
        rows.append({
            "key": placement_key(target_domain, p.referring_domain, p.target_url,
                                 p.anchor_text, p.location),
            "target_domain": target_domain, "source_domain": p.referring_domain,
            "target_url": p.target_url, "anchor_text": p.anchor_text, "location": p.location,
            "page_count": p.pages, "backlinks": len(members),
            "follow": any(m.get("follow") for m in members),
            "link_type": members[0].get("link_type") or "",
            "representative_url": p.representative_url, "sitewide": p.pages >= min_pages,
            "first_seen": p.first_seen, "last_seen": max(lasts) if lasts else None,
        })
    return rows
