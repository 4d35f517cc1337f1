"""Where on the page a link sits: content, navigation, header, footer, sidebar, comment, ...

Two layers. :func:`element_signal` is a pure function of one element's markup (tag, ARIA
role, class/id tokens, microdata) and :func:`combine` folds signals from the outside in.
:class:`PageLocator` walks a link's ancestors once per container (memoized), and marks the
page's main content with a text-density detector run once per page, for pages whose markup
says nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from linkcrawl.classify import location_rules as rules
from linkcrawl.domains import host_of, registrable_domain
from linkcrawl.verdict import Verdict

__all__ = ["PageLocator", "Region", "combine", "element_signal"]

_WORD_SPLIT_RE = re.compile(r"[^a-z0-9]+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class Region(NamedTuple):
    """The location a container puts its links in, with the evidence that decided it."""

    location: str  # "" while nothing has been said
    evidence: tuple[str, ...] = ()
    kind: str = "none"  # kind of evidence that decided: tag, role, class, engine, density
    in_noscript: bool = False
    in_main: bool = False  # inside the detected main-content block


_EMPTY = Region("")


@lru_cache(maxsize=8192)
def _token_signal(attr: str, value: str) -> tuple[str, str] | None:
    """Location named by one class or id value, as (location, evidence); None if silent."""
    for token in value.split():
        low = token.lower()
        if low in rules.ENGINE_TOKENS:
            return rules.ENGINE_TOKENS[low]
        if low in rules.CONTENT_CLASSES:
            return "content", f"{attr}:{low}"
    for token in value.split():
        words = _WORD_SPLIT_RE.split(_CAMEL_RE.sub("-", token).lower())
        if words and words[0] in rules.NEUTRAL_PREFIXES or rules.NEUTRAL_WORDS.intersection(words):
            continue
        for word in words:
            location = rules.CLASS_WORDS.get(word)
            if location:
                return location, f"{attr}:{token.lower()}"
    return None


def element_signal(
    tag: str, role: str = "", classes: str = "", ident: str = "", itemprop: str = "",
    itemtype: str = "",
) -> tuple[str, str, str] | None:
    """What one element's own markup says: (location, evidence, kind), or None.

    Purpose-made markup (ARIA role, microdata, HTML5 element) outranks naming conventions.
    """
    if role:
        for r in role.lower().split():
            if r in rules.ROLE_LOCATIONS:
                return rules.ROLE_LOCATIONS[r], f"role:{r}", "role"
    if itemprop:
        for p in itemprop.lower().split():
            if p in rules.ITEMPROP_LOCATIONS:
                return rules.ITEMPROP_LOCATIONS[p], f"itemprop:{p}", "itemprop"
    if itemtype:
        name = itemtype.rstrip("/").rsplit("/", 1)[-1].lower()
        if name in rules.ITEMTYPE_LOCATIONS:
            return rules.ITEMTYPE_LOCATIONS[name], f"itemtype:{name}", "itemtype"
    if tag in rules.TAG_LOCATIONS:
        return rules.TAG_LOCATIONS[tag], f"tag:{tag}", "tag"
    if tag in rules.CONTENT_TAGS:
        return "content", f"tag:{tag}", "tag"
    for attr, value in (("id", ident), ("class", classes)):
        if value:
            found = _token_signal(attr, value)
            if found:
                kind = "engine" if found[1].startswith("engine:") else attr
                return found[0], found[1], kind
    return None


def combine(outer: Region, signal: tuple[str, str, str] | None) -> Region:
    """The region of an element, from its parent's region and its own signal.

    An inner signal wins unless the outer region ranks higher (see ``rules.DOMINANCE``).
    """
    if signal is None:
        return outer
    location, evidence, kind = signal
    if outer.location and rules.DOMINANCE[outer.location] > rules.DOMINANCE[location]:
        return outer
    if outer.location == location and outer.kind != "none":
        return outer
    return outer._replace(location=location, evidence=(evidence,), kind=kind)


_TEXT_LEN = etree.XPath("string-length(normalize-space(.))")
_BLOCK_TAGS = ("p", "pre")


def _candidate_weight(el: etree._Element) -> float:
    """Readability-style prior of a container: content markup up, boilerplate markup down."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("body", "html"):
        return 0.5
    get = el.get
    signal = element_signal(tag, get("role") or "", get("class") or "", get("id") or "",
                            get("itemprop") or "", get("itemtype") or "")
    if signal is None:
        return 1.0
    if signal[0] == "content":
        return rules.DENSITY["content_boost"]
    return rules.DENSITY["boilerplate_penalty"]


def find_main_content(root: etree._Element) -> list[etree._Element]:
    """The element(s) holding the page's main text, by text density; [] when there is none.

    Paragraphs with enough non-link text vote for their parent (full score) and grandparent
    (half), as readability-style extractors do; so do runs of text split by <br>. The best
    container wins, with siblings that scored nearly as well (an article split in sections).
    """
    d = rules.DENSITY
    scores: dict[etree._Element, float] = {}

    def vote(el: etree._Element | None, score: float) -> None:
        if el is not None and isinstance(el.tag, str):
            scores[el] = scores.get(el, 0.0) + score

    for block in root.iter(*_BLOCK_TAGS):
        length = _TEXT_LEN(block)
        if length < d["min_paragraph_chars"]:
            continue
        link_len = sum(_TEXT_LEN(a) for a in block.iter("a"))
        if link_len > d["max_paragraph_link_density"] * length:
            continue
        score = 1.0 + min((length - link_len) / 100.0, d["max_paragraph_score"] - 1.0)
        parent = block.getparent()
        vote(parent, score)
        vote(parent.getparent() if parent is not None else None, score / 2)
    seen: set[etree._Element] = set()
    for br in root.iter("br"):
        holder = br.getparent()
        if holder is None or holder in seen or holder.tag in _BLOCK_TAGS:
            continue
        seen.add(holder)
        length = len((holder.text or "").strip()) + sum(
            len((child.tail or "").strip()) for child in holder
        )
        if length >= d["min_paragraph_chars"]:
            score = 1.0 + length / 100.0
            vote(holder, score)
            vote(holder.getparent(), score / 2)
    if not scores:
        return []
    for el in scores:
        scores[el] *= _candidate_weight(el)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    top, best = ranked[0]
    if best < d["min_main_score"]:
        return []
    top = _common_container(top, [el for el, score in ranked[1:5]
                                  if score >= best * d["alternative_ratio"]])
    main = [top]
    parent = top.getparent()
    if parent is not None:
        threshold = max(d["min_sibling_score"], best * d["sibling_ratio"])
        main.extend(s for s in parent if s is not top and scores.get(s, 0.0) >= threshold)
    return main


def _common_container(top: etree._Element, alternatives: list[etree._Element]) -> etree._Element:
    """Climb from ``top`` to the nearest ancestor holding two near-best alternatives too.

    An article split into several blocks (one per section, ads in between) has several
    candidates that score about the same; their common container is the article.
    """
    if len(alternatives) < 2:
        return top
    ancestors: dict[etree._Element, int] = {}
    for alt in alternatives:
        node = alt.getparent()
        while node is not None:
            ancestors[node] = ancestors.get(node, 0) + 1
            node = node.getparent()
    node = top.getparent()
    while node is not None and node.tag not in ("body", "html"):
        if ancestors.get(node, 0) >= 2:
            return node
        node = node.getparent()
    return top


def _site_of(url: str) -> str:
    host = host_of(url) if url else ""
    try:
        return registrable_domain(host) if host else ""
    except ValueError:
        return ""


class PageLocator:
    """Locates links of one parsed page; regions are memoized per container element."""

    def __init__(self, root: etree._Element, page_url: str = "") -> None:
        self._memo: dict[etree._Element, Region] = {}
        self._blocks: dict[etree._Element, bool] = {}
        self._site = _site_of(page_url)
        self._main = find_main_content(root)
        self._main_set = frozenset(self._main)
        # Containers of the main content cannot be sidebar, footer, ...: whatever their class
        # says ("has-sidebar", "l-sidebar-fixed" layout flags), their signals are ignored.
        above: set[etree._Element] = set()
        for el in self._main:
            node = el
            while node is not None:
                above.add(node)
                node = node.getparent()
        self._above = frozenset(above)

    def region(self, el: etree._Element) -> Region:
        """The region of ``el`` (walks up only to the nearest already-known ancestor)."""
        chain: list[etree._Element] = []
        node: etree._Element | None = el
        memo = self._memo
        while node is not None and node not in memo:
            chain.append(node)
            node = node.getparent()
        region = memo[node] if node is not None else _EMPTY
        for item in reversed(chain):
            tag = item.tag if isinstance(item.tag, str) else ""
            if tag == "noscript" and not region.in_noscript:
                region = region._replace(in_noscript=True)
            if item in self._main_set:
                region = region._replace(in_main=True)
            if item not in self._above or item in self._main_set:
                get = item.get
                signal = element_signal(
                    tag, get("role") or "", get("class") or "", get("id") or "",
                    get("itemprop") or "", get("itemtype") or "",
                )
                if not (signal and item in self._above and signal[0] != "content"):
                    region = combine(region, signal)
            memo[item] = region
        return region

    def link_only_block(self, link: etree._Element) -> bool:
        """True when the link's paragraph/list item/heading holds (almost) only links."""
        block = link.getparent()
        while block is not None and block.tag not in rules.TEXT_BLOCKS:
            block = block.getparent()
        if block is None:
            return False
        known = self._blocks.get(block)
        if known is None:
            total = _TEXT_LEN(block)
            other = total - sum(_TEXT_LEN(a) for a in block.iter("a"))
            known = other <= max(rules.DENSITY["link_only_other_chars"],
                                 rules.DENSITY["link_only_other_share"] * total)
            self._blocks[block] = known
        return known

    def locate(self, link: etree._Element, url: str = "") -> tuple[Verdict, bool]:
        """(location verdict, inside <noscript>) for one <a>/<area> element to ``url``."""
        parent = link.getparent()
        region = self.region(parent) if parent is not None else _EMPTY
        verdict = decide(region, bool(self._main))
        if (verdict.value == "content" and region.in_main and self._site
                and _site_of(url) == self._site and self.link_only_block(link)):
            # "Related: ...", tag lists and teaser headlines inside the article body: a block
            # that is nothing but a link to the same site is recirculation, not article text.
            verdict = Verdict("other", rules.CONFIDENCE["density"],
                              (*verdict.evidence, "density:link-only-block", "target:same-site"))
        return verdict, region.in_noscript


def decide(region: Region, has_main: bool = True) -> Verdict:
    """Final verdict from a link's region: boilerplate markup, then the main-content block.

    Inside the detected main content a link is content unless markup inside it says
    otherwise; outside it, content markup (<article>, role=main) counts only on pages where
    the detector found no main text (directories, link lists).
    """
    if region.location and region.location != "content":
        return Verdict(region.location, rules.CONFIDENCE[region.kind], region.evidence)
    if region.in_main:
        evidence = (*region.evidence, "density:main-content")
        confidence = max(rules.CONFIDENCE["density"], rules.CONFIDENCE[region.kind])
        return Verdict("content", confidence, evidence)
    if region.location == "content" and not has_main:
        return Verdict("content", rules.CONFIDENCE[region.kind] - 0.2, region.evidence)
    return Verdict("other", rules.CONFIDENCE["none"], (*region.evidence, "density:outside-main"))
