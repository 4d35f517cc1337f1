"""Where on the page a link sits: content, navigation, header, footer, sidebar, comment, ...

:func:`element_signal` (one element's markup: tag, ARIA role, class/id words, microdata),
:func:`combine` (signals folded from the outside in) and :func:`decide` are pure functions.
:class:`PageLocator` applies them to one parsed page: it finds the main content once by
text density, then walks each link's ancestors, memoizing every container's region, so a
page with 300 links does not re-read the same ancestors 300 times. Rules live in
:mod:`linkcrawl.classify.location_rules`; the per-element markup reading in
:mod:`linkcrawl.classify._signals`, the text-density detector in
:mod:`linkcrawl.classify._maincontent`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from linkcrawl.classify import location_rules as rules
from linkcrawl.classify._maincontent import Signal
from linkcrawl.classify._maincontent import find_main_content as _find_main_content
from linkcrawl.classify._signals import TOP as _TOP
from linkcrawl.classify._signals import element_signal, is_hidden, markup_of, signal_of
from linkcrawl.text import clean_text
from linkcrawl.text import text_len as _TEXT_LEN
from linkcrawl.verdict import Verdict
from linkcrawl.web.domains import site_of

__all__ = [
    "PageLocator", "Region", "combine", "decide", "element_signal", "find_main_content",
    "is_hidden",
]


class Region(NamedTuple):
    """The location a container puts its links in, with the evidence that decided it."""

    location: str  # "" while nothing has been said
    evidence: tuple[str, ...] = ()
    kind: str = "none"  # what decided: tag, role, itemprop, itemtype, class, id, engine
    in_noscript: bool = False
    in_main: bool = False  # inside the main content found by the density detector
    hidden: bool = False  # inside an element hidden by its inline style or hidden attribute


_EMPTY = Region("")
_UNSET = object()


def combine(outer: Region, signal: Signal | None) -> Region:
    """The region of an element from its parent's region and its own signal.

    The inner signal wins unless the outer region ranks higher (``rules.DOMINANCE``): a
    comment's author link stays a comment, a <nav> inside the page footer is footer.
    """
    if signal is None:
        return outer
    location, evidence, kind = signal
    if outer.location == location or (
        outer.location and rules.DOMINANCE[outer.location] > rules.DOMINANCE[location]
    ):
        return outer
    return outer._replace(location=location, evidence=(evidence,), kind=kind)


@lru_cache(maxsize=4096)
def decide(region: Region, has_main: bool = True) -> Verdict:
    """Verdict for a link in ``region``: boilerplate markup first, then the main content.

    Inside the main content a link is content unless markup inside it says otherwise.
    Outside it, content markup (<article>, role=main) counts only on pages where the
    detector found no running text (directories, link lists).
    """
    if region.location and region.location != "content":
        evidence = (*region.evidence, "style:hidden") if region.hidden else region.evidence
        return Verdict(region.location, rules.CONFIDENCE[region.kind], evidence)
    if region.hidden:  # invisible to readers (a collapsed menu keeps its region above)
        return Verdict("other", rules.CONFIDENCE["style"], ("style:hidden", *region.evidence))
    if region.in_main:
        confidence = max(rules.CONFIDENCE["density"], rules.CONFIDENCE[region.kind])
        return Verdict("content", confidence, (*region.evidence, "density:main-content"))
    if region.location == "content" and (not has_main or region.kind in
                                         rules.STRONG_CONTENT_KINDS):
        return Verdict("content", rules.CONFIDENCE[region.kind] - 0.2, region.evidence)
    return Verdict("other", rules.CONFIDENCE["none"], (*region.evidence, "density:outside-main"))


def find_main_content(root: etree._Element,
                      signal: Callable[[etree._Element], Signal | None] = signal_of,
                      ) -> list[etree._Element]:
    """The element(s) holding the page's running text; [] when the page has none (see
    :mod:`linkcrawl.classify._maincontent`)."""
    return _find_main_content(root, signal)


class PageLocator:
    """Locates the links of one parsed page; every container's region is computed once."""

    def __init__(self, root: etree._Element, page_url: str = "") -> None:
        self.root = root
        self._signals: dict[etree._Element, Signal | None] = {}
        self._memo: dict[etree._Element, Region] = {}
        self._blocks: dict[etree._Element, tuple[str, bool]] = {}
        self._lists: dict[etree._Element, bool] = {}
        self._site = site_of(page_url) if page_url else ""
        self.main = find_main_content(root, self._signal)
        self._main_set = frozenset(self.main)
        # The containers of the main content are not sidebar, footer, ... whatever their
        # class says ("has-sidebar", "l-sidebar-fixed" layout flags): their signals are ignored.
        self._above = {anc for el in self.main for anc in el.iterancestors()}

    def _signal(self, el: etree._Element) -> Signal | None:
        try:
            return self._signals[el]
        except KeyError:
            found = self._signals[el] = signal_of(el)
            return found

    def _markup(self, el: etree._Element) -> tuple[Signal | None, bool]:
        """(:func:`signal_of`, :func:`is_hidden`) of ``el`` from one read of its attributes."""
        tag = el.tag
        m = markup_of(el)
        signal = self._signals.get(el, _UNSET)
        if signal is _UNSET:
            signal = self._signals[el] = (
                None if not isinstance(tag, str) or tag in _TOP
                else element_signal(tag, m.role, m.classes, m.ident, m.itemprop, m.itemtype))
        return signal, m.hidden  # type: ignore[return-value]

    def region(self, el: etree._Element) -> Region:
        """The region of ``el``; walks up only to the nearest ancestor already known."""
        memo = self._memo
        chain = []
        node: etree._Element | None = el
        while node is not None and node not in memo:
            chain.append(node)
            node = node.getparent()
        region = memo[node] if node is not None else _EMPTY
        for item in reversed(chain):
            if item in self._main_set:
                region = region._replace(in_main=True)
            if item.tag == "noscript" and not region.in_noscript:
                region = region._replace(in_noscript=True)
            signal, hidden = self._markup(item)
            if hidden and not region.hidden:
                region = region._replace(hidden=True)
            if signal is not None and (item not in self._above or signal[0] == "content"):
                region = combine(region, signal)
            memo[item] = region
        return region

    def locate(self, link: etree._Element, url: str = "", anchor: str = "",
               ) -> tuple[Verdict, bool]:
        """(location verdict, inside <noscript>) of one <a>/<area> element linking to ``url``."""
        return self.rule_locate(link, url, anchor)[:2]

    def rule_locate(self, link: etree._Element, url: str = "", anchor: str = "",
                    ) -> tuple[Verdict, bool, Region, str, bool]:
        """The hand rules' (verdict, in <noscript>, region, teaser shape, social profile)."""
        shape, social = "", False
        parent = link.getparent()
        region = self._memo.get(parent) if parent is not None else _EMPTY
        if region is None:
            region = self.region(parent)
        if not region.hidden and is_hidden(link):
            region = region._replace(hidden=True)
        verdict = decide(region, bool(self.main))
        if verdict.value == "content" and region.in_main:
            if self._site and site_of(url) == self._site:
                # In the article body, a link to the same site shaped like a teaser is
                # recirculation ("Related: ...", tag lists, headline lists), not running text.
                shape = self.teaser_shape(link, anchor)
                if shape:
                    verdict = Verdict("other", rules.CONFIDENCE["density"],
                                      (*verdict.evidence, shape, "target:same-site"))
            elif _is_social_profile(url, anchor):
                social = True
                verdict = Verdict("other", rules.CONFIDENCE["density"],
                                  (*verdict.evidence, "target:social-profile"))
        return verdict, region.in_noscript, region, shape, social

    def teaser_shape(self, link: etree._Element, anchor: str) -> str:
        """Why a link looks like a teaser rather than running text ("" when it does not).

        A block that is only links, a headline that is a link, a list item that starts with
        its link (then a summary), a list whose every item links to the same site.
        """
        block = link.getparent()
        while block is not None and block.tag not in rules.TEXT_BLOCKS:
            block = block.getparent()
        if block is None:
            return ""
        if block.tag in rules.HEADINGS or next(link.iter(*rules.HEADINGS), None) is not None:
            return "shape:headline-link"
        text, link_only = self._block_facts(block)
        if link_only:
            return "shape:link-only-block"
        if block.tag == "li":
            if anchor and text.startswith(anchor):
                return "shape:list-item-lead-link"
            if self._same_site_list(block.getparent()):
                return "shape:same-site-link-list"
        return ""

    def _block_facts(self, block: etree._Element) -> tuple[str, bool]:
        """(whitespace-collapsed text, holds almost nothing but links) of a text block."""
        known = self._blocks.get(block)
        if known is None:
            text = clean_text(block.text_content())
            other = len(text) - sum(_TEXT_LEN(a) for a in block.iter("a"))
            link_only = other <= max(rules.DENSITY["link_only_other_chars"],
                                     rules.DENSITY["link_only_other_share"] * len(text))
            known = self._blocks[block] = (text, link_only)
        return known

    def _same_site_list(self, lst: etree._Element | None) -> bool:
        """True for a list of two or more items that each link to the page's own site."""
        if lst is None:
            return False
        known = self._lists.get(lst)
        if known is None:
            items = [li for li in lst if li.tag == "li"]
            known = self._lists[lst] = len(items) >= 2 and all(
                any(self._same_site_href(a.get("href") or "") for a in li.iter("a"))
                for li in items)
        return known

    def _same_site_href(self, href: str) -> bool:
        href = href.strip()
        if href.lower().startswith(("http:", "https:", "//")):
            return site_of(href if href[0] != "/" else "http:" + href) == self._site
        return bool(href) and href[0] != "#" and ":" not in href.split("/", 1)[0]


def _is_social_profile(url: str, anchor: str) -> bool:
    """A "follow us" link: to a social network, anchored by its name, an @handle, "follow"."""
    if site_of(url) not in rules.SOCIAL_SITES:
        return False
    words = anchor.lower().split()
    if len(words) <= 3 and (anchor.startswith("@") or " ".join(words) in rules.SOCIAL_NAMES):
        return True
    return bool(rules.FOLLOW_WORDS.intersection(words))
