"""What page typing reads from a parsed page, gathered once (internal to classify).

One walk over the tree reads the attribute facts of every element (classes, ids, microdata)
and the page's own text, skipping its chrome (nav, sidebars, footers, comments) for the text,
so that a "Write a guest post" widget or a commenter saying "great press release" does not
type the page. Also finds
the block title each link sits under, for sponsor, partner and author blocks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
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


@dataclass
class PageScan:
    classes: Counter[str] = field(default_factory=Counter)  # class tokens, lower-cased
    tokens: set[str] = field(default_factory=set)  # class + id + engine data-* values
    tags: Counter[str] = field(default_factory=Counter)
    schema: set[str] = field(default_factory=set)  # JSON-LD @type and microdata names
    itemtypes: Counter[str] = field(default_factory=Counter)  # microdata items by type
    text: str = ""  # the page's own text, folded, capped
    end_text: str = ""  # the last 20,000 characters of all the text (footer credits), folded
    paragraphs: list[str] = field(default_factory=list)  # first content <p> texts
    labels: list[str] = field(default_factory=list)  # short content blocks (headings, bold)
    h1: list[str] = field(default_factory=list)
    subheadings: list[str] = field(default_factory=list)  # content h2-h4
    published: bool = False
    end_mark: bool = False  # "###" / "-30-" closing a release

    @property
    def all_text(self) -> str:
        return self.text + " " + self.end_text


def _text(el: etree._Element) -> str:
    return rules.fold(" ".join(el.itertext()))


@lru_cache(maxsize=16384)
def _is_chrome_markup(tag: str, classes: str, ident: str) -> bool:
    """:func:`_is_chrome` of one element's tag, class and id values (memoized: pages repeat
    the same markup hundreds of times)."""
    return _is_chrome(tag, [*classes.lower().split(), ident.lower()])


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


_ENGINE_ATTRS = frozenset({"data-template", "data-pagecontroller", "data-app"})


class _Attributes:
    """Attribute-wide facts of the document: what ``//@class``, ``//@id``, ``//@itemtype``,
    ``count(//article)`` ... would select, read in the walk instead of one XPath pass each."""

    __slots__ = ("articles", "classes", "engine", "ids", "itemtypes", "published")

    def __init__(self) -> None:
        self.classes: list[str] = []
        self.ids: list[str] = []
        self.engine: list[str] = []
        self.itemtypes: list[str] = []
        self.published = False  # <time datetime>, itemprop=datePublished, published_time meta
        self.articles = 0

    def read(self, el: etree._Element) -> tuple[str, str]:
        """Record the attributes of ``el`` (any node); returns its (class, id) values."""
        tag = el.tag
        cls = ident = ""
        if not isinstance(tag, str):
            return cls, ident
        if tag == "article":
            self.articles += 1
        for name, value in el.items():
            if name == "class":
                cls = value
                self.classes.append(value)
            elif name == "id":
                ident = value
                self.ids.append(value)
            elif name in _ENGINE_ATTRS:
                self.engine.append(value)
            elif name == "itemtype":
                self.itemtypes.append(value)
            elif not self.published and (
                (name == "itemprop" and value == "datePublished")
                or (name == "datetime" and tag == "time")
                or (name == "property" and tag == "meta" and value == "article:published_time")
            ):
                self.published = True
        return cls, ident

    def fill(self, scan: PageScan) -> None:
        scan.classes.update(" ".join(self.classes).lower().split())
        scan.tokens.update(scan.classes)
        scan.tokens.update(v.lower() for v in self.ids)
        scan.tokens.update(v.lower() for v in self.engine)
        for value in self.itemtypes:
            names = [t.rstrip("/").rsplit("/", 1)[-1].lower() for t in value.split()]
            scan.schema.update(names)
            scan.itemtypes.update(names)
        scan.published = self.published
        scan.tags["article"] = self.articles


def scan_page(root: etree._Element, json_ld: Sequence[dict[str, Any]]) -> PageScan:
    """Walk the page once: its own text (chrome subtrees skipped, lxml's iterwalk, so deep
    pages stay safe) and the attribute facts of every element, skipped ones included."""
    scan = PageScan(schema=_schema_types(json_ld))
    attrs = _Attributes()
    read = attrs.read
    doc = root.getroottree().getroot()
    if doc is not root:  # a subtree: attributes still come from the whole document
        for el in doc.iter():
            read(el)
    whole = doc is root
    own: list[str] = []
    own_len = 0
    walk = etree.iterwalk(root, events=("start",))
    for _, el in walk:
        cls, ident = read(el) if whole else (el.get("class") or "", el.get("id") or "")
        tag = el.tag
        tag = tag.lower() if isinstance(tag, str) else ""
        if own_len < TEXT_CAP:  # the parent's own text
            tail = el.tail
            if tail and not tail.isspace():
                own.append(tail)
                own_len += len(tail)
        if not tag or tag in _SKIP or (tag not in ("html", "body") and _is_chrome_markup(
            tag, cls, ident
        )):
            walk.skip_subtree()
            if whole:
                for sub in el.iterdescendants():
                    read(sub)
            continue
        if own_len < TEXT_CAP:
            text = el.text
            if text and not text.isspace():
                own.append(text)
                own_len += len(text)
        if tag in _CONTENT_TAGS:
            _content_element(scan, el, tag)
    attrs.fill(scan)
    scan.text = rules.fold(" ".join(own))
    body = root.find("body")
    all_text = etree.tostring(body if body is not None else root, method="text", encoding=str)
    scan.end_text = rules.fold(all_text[-20_000:])  # footers and credits sit at the end
    return scan


# Tags :func:`_content_element` reads; the walk skips the call for all others.
_CONTENT_TAGS = _LABEL_TAGS | {"h1"}
_INLINE = frozenset({"strong", "b", "em", "i", "span", "small", "br", "abbr", "time"})


def _short_text(el: etree._Element, limit: int = 80) -> str | None:
    """Folded text of a small element (no block children, at most ``limit`` characters)."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag not in _INLINE:
            return None
    text = " ".join(el.itertext())
    return rules.fold(text) if len(text) <= limit * 2 else None


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
    if tag not in _LABEL_TAGS or len(scan.labels) >= 300:
        return
    if tag in ("div", "span"):  # only leaf blocks ("Press release" eyebrows, labels)
        text = rules.fold(el.text) if len(el) == 0 and el.text and len(el.text) < 160 else None
    else:
        text = _short_text(el)
    if text and len(text.split()) <= 8:
        scan.labels.append(text.rstrip(":"))
    elif tag in ("p", "div") and len(el) and el[0].tag in ("strong", "b"):
        lead = _short_text(el[0])
        if lead:
            scan.labels.append(lead.rstrip(":"))


_TITLE_TAGS = frozenset({"p", "div", "span", "strong", "b"})


def _heading_like(el: etree._Element) -> str | None:
    """The folded text of ``el`` if it reads as a block title, else None."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SECTION_TAGS:  # a heading always starts a new section, even a linked one
        return rules.fold(" ".join(el.itertext())[:300]).rstrip(": ")
    classes = el.get("class")
    if classes and ("title" in (low := classes.lower()) or "heading" in low):
        text = _short_text(el, 120)
        return text.rstrip(": ") if text else None
    if tag in _TITLE_TAGS:
        text = _short_text(el, 60)
        if text and len(text.split()) <= 5:
            return text.rstrip(": ")
    return None


def mark_sections(root: etree._Element, links: Sequence[LinkItem]) -> None:
    """Add ``section:"<phrase>"`` to the location evidence of links under a sponsor,
    partner or author-box title (the nearest title before the link's block, walking outwards)."""
    if not links:
        return
    # parent -> [its children not read yet, child -> title before it, last title so far]:
    # children are read in order only as far as a link's ancestor needs.
    child_titles: dict[etree._Element, list[Any]] = {}

    def title_before(parent: etree._Element, node: etree._Element) -> str | None:
        state = child_titles.get(parent)
        if state is None:
            state = child_titles[parent] = [iter(parent), {}, None]
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

    memo: dict[etree._Element, str | None] = {}

    def section_of(el: etree._Element) -> str | None:
        """The nearest block title before ``el`` or one of its ancestors (8 levels up)."""
        chain: list[etree._Element] = []
        node, found = el, None
        while len(chain) < 8:
            if node in memo:
                found = memo[node]
                break
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            chain.append(node)
            found = title_before(parent, node)
            if found:
                break
            node = parent
        for item in chain:
            memo[item] = found
        return found

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
        found = (rules.SPONSOR_SECTION.heading(title) or rules.PARTNER_SECTION.heading(title)
                 or rules.AUTHOR_SECTION.heading(title))
        evidence = f'section:"{found}"'
        if found and evidence not in link.location_evidence:
            link.location_evidence.append(evidence)
