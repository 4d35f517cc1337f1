"""Sitewide placements: one link repeated on many pages of a referring site.

A blogroll, footer or sidebar link shows up on every page of a site; counted page by page it
swamps the real editorial links. A *placement* is the group of live backlinks with the same
referring domain, target URL, anchor text and location; a placement on at least
:data:`SITEWIDE_MIN_PAGES` pages is sitewide, shown once with its page count and one
representative page (the shortest URL, which is usually the home or a section page).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SITEWIDE_MIN_PAGES = 3


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

    @property
    def sitewide(self) -> bool:
        return self.pages >= SITEWIDE_MIN_PAGES


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


def sitewide(links: Iterable[Mapping[str, Any]]) -> list[Placement]:
    return [p for p in placements(links) if p.sitewide]
