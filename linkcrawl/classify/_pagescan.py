"""One walk over a parsed page collecting what page typing reads (internal to classify).

Separates the page's own text from its chrome (nav, sidebars, footers, comments) so that a
"Write a guest post" widget or a commenter saying "great press release" does not type the
page; and finds the heading each link sits under, for sponsor/partner blocks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from linkcrawl.classify import rules
from linkcrawl.items import LinkItem

TEXT_CAP = 30_000  # folded characters of page text kept; enough for wording near the top
_SKIP = frozenset({"script", "style", "template", "noscript", "svg", "head"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span", "div", "dt"})
_SECTION_TAGS = _HEADINGS | {"caption", "legend", "dt"}
_NEUTRAL = ("has-", "no-", "with-", "without-")
_BYLINE = frozenset({"byline", "author", "entry-author", "post-author", "author-name",
                     "vcard", "article-author"})


@dataclass
class PageScan:
    classes: Counter[str] = field(default_factory=Counter)  # class tokens, lower-cased
    tokens: set[str] = field(default_factory=set)  # class + id + engine data-* values
    tags: Counter[str] = field(default_factory=Counter)
    schema: set[str] = field(default_factory=set)  # JSON-LD @type and microdata names
    text: str = ""  # the page's own text, folded, capped
    chrome_text: str = ""  # text of nav/sidebar/footer/comment blocks, folded, capped
    paragraphs: list[str] = field(default_factory=list)  # first content <p> texts
    labels: list[str] = field(default_factory=list)  # short content blocks (headings, bold)
    h1: list[str] = field(default_factory=list)
    subheadings: list[str] = field(default_factory=list)  # content h2-h4
    published: bool = False
    byline: bool = False
    end_mark: bool = False  # "###" / "-30-" closing a release

    @property
    def all_text(self) -> str:
        return self.text + " " + self.chrome_text


def _text(el: etree._Element) -> str:
    return rules.fold(" ".join(el.itertext()))


def _is_chrome(tag: str, tokens: Iterable[str]) -> bool:
    if tag in rules.CHROME_TAGS:
        return True
    for token in tokens:
        if token.startswith(_NEUTRAL):
            continue
        if any(w in rules.CHROME_WORDS for w in token.replace("_", "-").split("-")):
            return True
    return False


def _schema_types(json_ld: Sequence[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    stack: list[Any] = list(json_ld)
    while stack and len(out) < 50:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item[:20])
        elif isinstance(item, dict):
            kind = item.get("@type")
            for name in kind if isinstance(kind, list) else [kind]:
                if isinstance(name, str):
                    out.add(name.rsplit("/", 1)[-1].lower())
            for key in ("mainEntity", "mainEntityOfPage", "itemListElement", "item"):
                if isinstance(item.get(key), dict | list):
                    stack.append(item[key])
    return out


def scan_page(root: etree._Element, json_ld: Sequence[dict[str, Any]]) -> PageScan:
    """Walk the tree once (no recursion: deep pages stay safe) and fill a :class:`PageScan`."""
    scan = PageScan(schema=_schema_types(json_ld))
    own: list[str] = []
    chrome: list[str] = []
    own_len = chrome_len = 0
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, in_chrome = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:
            continue
        tag = tag.lower()
        if tag == "meta":
            prop = (el.get("property") or el.get("itemprop") or "").lower()
            if prop in ("article:published_time", "datepublished"):
                scan.published = True
            elif (el.get("name") or "").lower() == "author":
                scan.byline = True
            continue
        if tag in _SKIP:
            continue
        classes = (el.get("class") or "").lower().split()
        ident = (el.get("id") or "").lower()
        scan.classes.update(classes)
        scan.tokens.update(classes)
        if ident:
            scan.tokens.add(ident)
        for attr in ("data-template", "data-pagecontroller", "data-app"):
            if el.get(attr):
                scan.tokens.add(el.get(attr, "").lower())
        itemtype = el.get("itemtype")
        if itemtype:
            scan.schema.update(t.rstrip("/").rsplit("/", 1)[-1].lower() for t in itemtype.split())
        if tag in ("article", "time"):
            scan.tags[tag] += 1
            if tag == "time" and el.get("datetime"):
                scan.published = True
        if (el.get("itemprop") or "").lower() in ("datepublished", "author"):
            scan.published = scan.published or el.get("itemprop", "").lower() == "datepublished"
            scan.byline = scan.byline or el.get("itemprop", "").lower() == "author"
        if tag in ("a", "link") and "author" in (el.get("rel") or "").lower().split():
            scan.byline = True
        if tag not in ("html", "body"):
            in_chrome = in_chrome or _is_chrome(tag, [*classes, ident])
        if not in_chrome and _BYLINE.intersection(classes):
            scan.byline = True
        direct = " ".join(t for t in [el.text, *(c.tail for c in el)] if t and t.strip())
        if direct:
            folded = rules.fold(direct)
            if in_chrome and chrome_len < TEXT_CAP:
                chrome.append(folded)
                chrome_len += len(folded) + 1
            elif not in_chrome and own_len < TEXT_CAP:
                own.append(folded)
                own_len += len(folded) + 1
        if not in_chrome:
            _content_element(scan, el, tag)
        stack.extend((child, in_chrome) for child in reversed(el))
    scan.text = " ".join(own)
    scan.chrome_text = " ".join(chrome)
    return scan


def _content_element(scan: PageScan, el: etree._Element, tag: str) -> None:
    """Collect headings, first paragraphs and short label blocks of the page's own text."""
    if tag == "h1":
        scan.h1.append(_text(el))
    elif tag in ("h2", "h3", "h4") and len(scan.subheadings) < 40:
        scan.subheadings.append(_text(el).rstrip(":"))
    if tag == "p" and len(scan.paragraphs) < 12:
        text = _text(el)
        if text:
            scan.paragraphs.append(text)
        if text.replace(" ", "") in ("###", "-30-"):
            scan.end_mark = True
    if tag in _LABEL_TAGS and len(scan.labels) < 300:
        text = _text(el)
        if text and len(text.split()) <= 8 and (tag not in ("div", "span") or len(el) == 0):
            scan.labels.append(text.rstrip(":"))
        elif text and tag in ("p", "div") and len(el) and el[0].tag in ("strong", "b"):
            scan.labels.append(_text(el[0]).rstrip(":"))


def _heading_like(el: etree._Element) -> str | None:
    """The folded text of ``el`` if it reads as a block title, else None."""
    tag = el.tag if isinstance(el.tag, str) else ""
    classes = (el.get("class") or "").lower()
    if tag in _SECTION_TAGS or "title" in classes or "heading" in classes:
        return _text(el).rstrip(": ")
    if tag in ("p", "div", "span", "strong", "b") and not any(
        True for _ in el.iter("a", "ul", "ol", "li", "img")
    ):
        text = _text(el).rstrip(": ")
        if text and len(text.split()) <= 5:
            return text
    return None


def mark_sections(root: etree._Element, links: Sequence[LinkItem]) -> None:
    """Add ``section:"<phrase>"`` to the location evidence of links under a sponsor or
    partner block title (the nearest title before the link's block, walking outwards)."""
    if not links:
        return
    child_titles: dict[etree._Element, dict[etree._Element, str | None]] = {}

    def titles_of(parent: etree._Element) -> dict[etree._Element, str | None]:
        table = child_titles.get(parent)
        if table is None:
            table, current = {}, None
            for child in parent:
                table[child] = current
                title = _heading_like(child)
                if title:
                    current = title
            child_titles[parent] = table
        return table

    def section_of(el: etree._Element) -> str | None:
        node, depth = el, 0
        while depth < 8:
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                return None
            title = titles_of(parent).get(node)
            if title:
                return title
            node, depth = parent, depth + 1
        return None

    position = 0
    for el in root.iter("a", "area"):
        if position >= len(links):
            break
        if el.get("href") != links[position].href:
            continue
        link = links[position]
        position += 1
        title = section_of(el)
        if not title:
            continue
        found = rules.SPONSOR_SECTION.heading(title) or rules.PARTNER_SECTION.heading(title)
        evidence = f'section:"{found}"'
        if found and evidence not in link.location_evidence:
            link.location_evidence.append(evidence)
