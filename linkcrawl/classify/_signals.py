"""What one element's own markup says about where its links sit (internal to
:mod:`linkcrawl.classify.location`): ARIA role, microdata, HTML5 tag, class/id words, and
whether inline style or ``hidden`` hides it. Pure functions, memoized on attribute values.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from linkcrawl.classify import location_rules as rules
from linkcrawl.classify._maincontent import TOP, Signal

__all__ = ["TOP", "Markup", "element_signal", "is_hidden", "markup_of", "signal_of"]

_WORD_SPLIT_RE = re.compile(r"[^a-z0-9]+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@lru_cache(maxsize=32768)
def _word_signal(token: str) -> tuple[int, str, str] | None:
    """(rank, location, evidence) named by one class/id token; rank 0 beats rank 1."""
    low = token.lower()
    if low in rules.ENGINE_TOKENS:
        return (0, *rules.ENGINE_TOKENS[low])
    if low in rules.CONTENT_CLASSES:
        return 0, "content", low
    words = _WORD_SPLIT_RE.split(_CAMEL_RE.sub("-", token).lower())
    if rules.NEUTRAL_WORDS.intersection(words):
        return None
    for word in words:
        if word in rules.NEUTRAL_PREFIXES:  # "has-sidebar", "stack--has-header": a flag
            return None
        location = rules.CLASS_WORDS.get(word)
        if location:
            return 1, location, low
    return None


def _token_signal(attr: str, value: str) -> tuple[str, str] | None:
    """Location named by a class or id value, as (location, evidence); None if silent.

    Comment-system and content-class tokens win over words found in other tokens.
    """
    best: tuple[int, str, str] | None = None
    for token in value.split():
        found = _word_signal(token)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
            if found[0] == 0:
                break
    if best is None:
        return None
    _, location, evidence = best
    return location, evidence if evidence.startswith("engine:") else f"{attr}:{evidence}"


@lru_cache(maxsize=16384)
def element_signal(tag: str, role: str = "", classes: str = "", ident: str = "",
                   itemprop: str = "", itemtype: str = "") -> Signal | None:
    """What one element's own markup says: (location, evidence, kind), or None.

    Markup made for the purpose (ARIA role, microdata, HTML5 element) outranks naming
    conventions (class and id words), except that a specific name (breadcrumb, comments,
    author box) refines a generic element: ``<nav class="breadcrumbs">`` is a breadcrumb.
    """
    named: Signal | None = None
    for attr, value in (("id", ident), ("class", classes)):
        found = _token_signal(attr, value) if value else None
        if found:
            named = found[0], found[1], "engine" if found[1].startswith("engine:") else attr
            break
    if named is not None and named[0] in rules.SPECIFIC_LOCATIONS:
        return named
    for r in role.lower().split():
        if r in rules.ROLE_LOCATIONS:
            return rules.ROLE_LOCATIONS[r], f"role:{r}", "role"
    for p in itemprop.lower().split():
        if p in rules.ITEMPROP_LOCATIONS:
            return rules.ITEMPROP_LOCATIONS[p], f"itemprop:{p}", "itemprop"
    if itemtype:
        name = itemtype.strip().rstrip("/").rsplit("/", 1)[-1].lower()
        if name in rules.ITEMTYPE_LOCATIONS:
            return rules.ITEMTYPE_LOCATIONS[name], f"itemtype:{name}", "itemtype"
    if tag in rules.TAG_LOCATIONS:
        return rules.TAG_LOCATIONS[tag], f"tag:{tag}", "tag"
    if tag in rules.CONTENT_TAGS:
        return "content", f"tag:{tag}", "tag"
    return named


def is_hidden(el: etree._Element) -> bool:
    """Hidden by its own markup: ``hidden``, or an inline style that hides or moves it off
    screen (``display:none``, ``visibility:hidden``, ``left:-9999px``), as link spam is."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and rules.HIDDEN_STYLE_RE.search(style) is not None


class Markup(NamedTuple):
    """The attributes location reads from an element, gathered in one pass."""

    role: str
    classes: str
    ident: str
    itemprop: str
    itemtype: str
    hidden: bool  # ``hidden``, or an inline style that hides it (see :func:`is_hidden`)


def markup_of(el: etree._Element) -> Markup:
    """One pass over ``el``'s attributes (a link's ancestors are read once per page)."""
    role = classes = ident = itemprop = itemtype = ""
    hidden = False
    for name, value in el.items():
        if name == "class":
            classes = value
        elif name == "id":
            ident = value
        elif name == "role":
            role = value
        elif name == "itemprop":
            itemprop = value
        elif name == "itemtype":
            itemtype = value
        elif name == "hidden" or (
            name == "style" and value and rules.HIDDEN_STYLE_RE.search(value) is not None
        ):
            hidden = True
    return Markup(role, classes, ident, itemprop, itemtype, hidden)


def signal_of(el: etree._Element) -> Signal | None:
    """:func:`element_signal` of an lxml element."""
    tag = el.tag
    if not isinstance(tag, str) or tag in TOP:  # <body> classes describe the page
        return None
    m = markup_of(el)
    return element_signal(tag, m.role, m.classes, m.ident, m.itemprop, m.itemtype)
