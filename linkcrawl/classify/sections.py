"""The block title a link sits under ("Gold sponsors", "Our partners", "About the author").

Link typing reads it from ``section:"<phrase>"`` in the link's location evidence: a sidebar
blogroll or a sponsor wall often has no landmark of its own, only a title above it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from linkcrawl.classify import type_rules as rules
from linkcrawl.classify._pagescan import short_text
from linkcrawl.items import LinkItem

__all__ = ["SectionFinder"]

_SECTION_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption", "legend", "dt"})
_TITLE_TAGS = frozenset({"p", "div", "span", "strong", "b"})
_MAX_UP = 8  # ancestors walked from a link


def _heading_like(el: etree._Element) -> str | None:
    """The folded text of ``el`` if it reads as a block title, else None."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SECTION_TAGS:  # a heading always starts a new section, even a linked one
        return rules.fold(" ".join(el.itertext())[:300]).rstrip(": ")
    classes = el.get("class")
    if classes and ("title" in (low := classes.lower()) or "heading" in low):
        text = short_text(el, 120) or _toggle_text(el)
        return text.rstrip(": ") if text else None
    if tag in _TITLE_TAGS:
        text = short_text(el, 60)
        if text and len(text.split()) <= 5:
            return text.rstrip(": ")
    return None


def _toggle_text(el: etree._Element) -> str | None:
    """The text of a title box whose only child is a toggle link (Bootstrap accordion and
    off-canvas menu panels: ``<div class="panel-heading"><a href="">Partnerseiten</a>``):
    a link that goes nowhere (empty, "#", javascript:) names the panel below it."""
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag != "a":
        return None
    href = (children[0].get("href") or "").strip()
    if href and not href.startswith(("#", "javascript:")):
        return None
    return short_text(children[0], 120)


class SectionFinder:
    """Finds section titles for links of one page, sharing the work between links.

    Children of a container are read in order only as far as a link's ancestor needs, and
    every ancestor's answer is memoized, so the links of one block cost one read.
    """

    def __init__(self) -> None:
        # parent -> [children not read yet, child -> title before it, last title so far]
        self._children: dict[etree._Element, list[Any]] = {}
        self._memo: dict[etree._Element, str | None] = {}

    def _title_before(self, parent: etree._Element, node: etree._Element) -> str | None:
        state = self._children.get(parent)
        if state is None:
            state = self._children[parent] = [iter(parent), {}, None]
        children, table, current = state
        if node in table:
            return table[node]
        for child in children:
            table[child] = current
            title = _heading_like(child)
            if title:
                current = title
            if child is node:
                break
        state[2] = current
        return table.get(node)

    def title_of(self, el: etree._Element) -> str | None:
        """The nearest block title before ``el`` or one of its ancestors (8 levels up)."""
        memo = self._memo
        chain: list[etree._Element] = []
        node, found = el, None
        while len(chain) < _MAX_UP:
            if node in memo:
                found = memo[node]
                break
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            chain.append(node)
            found = self._title_before(parent, node)
            if found:
                break
            node = parent
        for item in chain:
            memo[item] = found
        return found

    def mark(self, pairs: Iterable[tuple[etree._Element, LinkItem]]) -> None:
        """Add ``section:"<phrase>"`` to the location evidence of each link under a sponsor,
        partner or author-box title."""
        for el, link in pairs:
            title = self.title_of(el)
            if not title:
                continue
            found = (rules.SPONSOR_SECTION.heading(title) or rules.PARTNER_SECTION.heading(title)
                     or rules.AUTHOR_SECTION.heading(title))
            evidence = f'section:"{found}"'
            if found and evidence not in link.location_evidence:
                link.location_evidence.append(evidence)
