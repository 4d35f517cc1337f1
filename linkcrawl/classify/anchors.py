"""Anchor classes: what the clickable text of a backlink says about the target.

Pure and table-driven. Brand terms default to the target's name (``acme-widgets.com`` ->
"acme widgets", "acmewidgets", "acme-widgets"); keywords are what the target wants to
rank for and come from the user (``linkcrawl report --brand ... --keywords ...``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from linkcrawl.web.domains import brand_name

# The order is the order of the checks: the first class that applies wins.
ANCHOR_CLASSES: tuple[str, ...] = (
    "empty", "image", "naked_url", "branded", "generic", "exact_match", "partial_match", "other",
)

# Anchors that say nothing about the target. Collected from the "generic anchor" lists of
# SEO guides and from the demo web; compared after lower-casing and trimming punctuation.
GENERIC_ANCHORS: frozenset[str] = frozenset({
    "click here", "here", "click", "this", "this link", "link", "this site", "this website",
    "website", "site", "web site", "homepage", "home page", "read more", "more", "learn more",
    "more info", "more information", "find out more", "see more", "details", "go", "go here",
    "visit", "visit site", "visit website", "visit us", "source", "via", "page", "this page",
    "article", "this article", "official site", "official website", "check it out",
    "continue reading", "download", "get started", "view", "view more", "info",
})
# Words too common to make an anchor a partial match on their own.
STOPWORDS: frozenset[str] = frozenset({
    "a", "an", "and", "the", "of", "for", "to", "in", "on", "at", "by", "with", "best", "top",
    "buy", "cheap", "online", "shop", "store", "www", "com", "net", "org",
})

_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:/\S*)?$",
                     re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class AnchorRules:
    """What counts as branded and as an exact or partial keyword match for one target."""

    brand_terms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @classmethod
    def for_target(
        cls, target: str, brand: Iterable[str] = (), keywords: Iterable[str] = ()
    ) -> AnchorRules:
        return cls(_cleaned([*brand, *brand_terms(target)]), _cleaned(keywords))


def brand_terms(target: str) -> list[str]:
    """Default brand terms of a target: its name (:func:`~linkcrawl.web.domains.brand_name`, as
    unlinked mentions use it) spaced, run together and as written: ``acme-widgets.co.uk`` ->
    acme widgets, acmewidgets, acme-widgets."""
    label = brand_name(target)
    return list(dict.fromkeys([label.replace("-", " "), label.replace("-", ""), label]))


def _clean(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _cleaned(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(text for text in map(_clean, texts) if text)


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def anchor_class(anchor_text: str, *, is_image: bool = False,
                 rules: AnchorRules = AnchorRules()) -> str:
    """One of :data:`ANCHOR_CLASSES` for an anchor text."""
    raw = (anchor_text or "").strip()
    if is_image:
        return "image"
    if not raw:
        return "empty"
    if _URLISH.match(raw):
        return "naked_url"
    text = _clean(raw)
    if not text:
        return "empty"
    squashed = text.replace(" ", "")
    if any(_contains(text, b) or (" " in b and b.replace(" ", "") == squashed)
           for b in rules.brand_terms):
        return "branded"
    if text in GENERIC_ANCHORS:
        return "generic"
    if text in rules.keywords:
        return "exact_match"
    words = set(text.split())
    for keyword in rules.keywords:
        significant = set(keyword.split()) - STOPWORDS
        if _contains(text, keyword) or significant & words:
            return "partial_match"
    return "other"


def anchor_classes(links: Sequence[dict], rules: AnchorRules) -> dict[str, str]:
    """Backlink key -> anchor class."""
    return {
        link["key"]: anchor_class(link.get("anchor_text") or "",
                                  is_image=bool(link.get("is_image")), rules=rules)
        for link in links
    }
