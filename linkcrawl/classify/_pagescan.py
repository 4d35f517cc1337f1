"""What page typing reads from a parsed page, gathered once (internal to classify).

One walk over the tree reads the attribute facts of every element (classes, ids, microdata)
and the page's own text, skipping its chrome (nav, sidebars, footers, comments) for the text,
so that a "Write a guest post" widget or a commenter saying "great press release" does not
type the page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from lxml import etree

from linkcrawl.classify import type_rules as rules

TEXT_CAP = 30_000  # folded characters of page text kept; enough for wording near the top
_SKIP = frozenset({"script", "style", "template", "noscript", "svg", "head"})
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span", "div", "dt"})
_NEUTRAL = ("has-", "no-", "with-", "without-")


@dataclass
class PageScan:
    classes: Counter[str] = field(default_factory=Counter)  # class tokens, lower-cased
    tokens: set[str] = field(default_factory=set)  # class + id + engine data-* values
    tags: Counter[str] = field(default_factory=Counter)
    schema: set[str] = field(default_factory=set)  # JSON-LD @type and microdata names
    itemtypes: Counter[str] = field(default_factory=Counter)  # microdata items by type
    text: str = ""  # the page's own text, folded, capped
    paragraphs: list[str] = field(default_factory=list)  # first content <p> texts
    labels: list[str] = field(default_factory=list)  # short content blocks (headings, bold)
    h1: list[str] = field(default_factory=list)
    subheadings: list[str] = field(default_factory=list)  # content h2-h4
    published: bool = False
    end_mark: bool = False  # "###" / "-30-" closing a release
    # where end_text is read from: the page's <body> (or root)
    end_of: etree._Element | None = field(default=None, repr=False, compare=False)

    @cached_property
    def end_text(self) -> str:
        """The last 20,000 characters of all the text (footer credits), folded. Only the
        forum signals read it, on pages already close to a forum verdict: folded on first
        use, as it costs about half the walk."""
        if self.end_of is None:
            return ""
        text = etree.tostring(self.end_of, method="text", encoding=str)
        return rules.fold(text[-20_000:])

    @property
    def all_text(self) -> str:
        return self.text + " " + self.end_text


def _text(el: etree._Element) -> str:
    return rules.fold(" ".join(el.itertext()))


@lru_cache(maxsize=16384)
def _is_chrome_markup(tag: str, classes: str, ident: str) -> bool:
    """:func:`_is_chrome` of one element's tag, class and id values (memoized: pages repeat
    the same markup hundreds of times)."""
    if tag in rules.CHROME_TAGS:
        return True
    if not _CHROME_WORD.search(f"{classes} {ident}".lower()):
        return False  # no chrome word anywhere, so in no token: most markup, one C call
    return _is_chrome(tag, [*classes.lower().split(), ident.lower()])


# Any chrome word as a substring: a cheap necessary condition for _is_chrome.
_CHROME_WORD = re.compile("|".join(sorted(rules.CHROME_WORDS)))


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
# Attributes the facts read; the walk skips the others (href, src, style ...) at one test.
_FACT_ATTRS = _ENGINE_ATTRS | {"class", "id", "itemtype", "itemprop", "datetime", "property"}


class _Attributes:
    """Attribute-wide facts of the document: what ``//@class``, ``//@id``, ``//@itemtype``,
    ``count(//article)`` ... would select. Read in the walk (one Python pass is cheaper than
    one libxml2 XPath traversal per attribute), inline there: a method call per element cost
    more than the reading itself."""

    __slots__ = ("classes", "engine", "ids", "itemtypes", "published")

    def __init__(self) -> None:
        self.classes: list[str] = []
        self.ids: list[str] = []
        self.engine: list[str] = []
        self.itemtypes: list[str] = []
        self.published = False  # <time datetime>, itemprop=datePublished, published_time meta

    def read_all(self, elements: Iterable[etree._Element]) -> None:
        """Record the attributes of ``elements`` (any nodes: comments have none)."""
        classes, ids = self.classes, self.ids
        for el in elements:
            for name, value in el.items():
                if name not in _FACT_ATTRS:
                    continue
                if name == "class":
                    classes.append(value)
                elif name == "id":
                    ids.append(value)
                else:
                    self.other(el, name, value)

    def other(self, el: etree._Element, name: str, value: str) -> None:
        """A fact attribute other than class and id (rare: microdata, engine markers)."""
        if name in _ENGINE_ATTRS:
            self.engine.append(value)
        elif name == "itemtype":
            self.itemtypes.append(value)
        elif not self.published and (
            (name == "itemprop" and value == "datePublished")
            or (name == "datetime" and el.tag == "time")
            or (name == "property" and el.tag == "meta" and value == "article:published_time")
        ):
            self.published = True

    def fill(self, scan: PageScan, doc: etree._Element) -> None:
        scan.classes.update(" ".join(self.classes).lower().split())
        scan.tokens.update(scan.classes)
        scan.tokens.update(v.lower() for v in self.ids)
        scan.tokens.update(v.lower() for v in self.engine)
        for value in self.itemtypes:
            names = [t.rstrip("/").rsplit("/", 1)[-1].lower() for t in value.split()]
            scan.schema.update(names)
            scan.itemtypes.update(names)
        scan.published = self.published
        scan.tags["article"] = sum(1 for _ in doc.iter("article"))


def scan_page(root: etree._Element, json_ld: Sequence[dict[str, Any]]) -> PageScan:
    """Walk the page once: its own text (chrome subtrees skipped, lxml's iterwalk, so deep
    pages stay safe) and the attribute facts of every element, skipped ones included.

    The own text keeps the walk's order: each element's tail, then its text, then its
    children (not document order: ``<p>a<b>b</b>c</p>`` reads "a c b")."""
    scan = PageScan(schema=_schema_types(json_ld))
    attrs = _Attributes()
    classes, ids, other = attrs.classes, attrs.ids, attrs.other
    doc = root.getroottree().getroot()
    whole = doc is root
    if not whole:  # a subtree: attributes still come from the whole document
        attrs.read_all(doc.iter())
    own: list[str] = []
    own_len = 0
    walk = etree.iterwalk(root, events=("start",))
    for _, el in walk:
        if own_len < TEXT_CAP:  # the parent's own text
            tail = el.tail
            if tail and not tail.isspace():
                own.append(tail)
                own_len += len(tail)
        tag = el.tag
        if tag.__class__ is not str:  # comments, processing instructions
            walk.skip_subtree()
            continue
        if whole:
            cls = ident = ""
            for name, value in el.items():
                if name not in _FACT_ATTRS:
                    continue
                if name == "class":
                    cls = value
                    classes.append(value)
                elif name == "id":
                    ident = value
                    ids.append(value)
                else:
                    other(el, name, value)
        else:
            cls, ident = el.get("class") or "", el.get("id") or ""
        tag = tag.lower()
        if tag in _SKIP or (tag not in _PAGE_TAGS and (
            _is_chrome_markup(tag, cls, ident) if cls or ident else tag in rules.CHROME_TAGS
        )):
            walk.skip_subtree()
            if whole:
                attrs.read_all(el.iterdescendants())
            continue
        if own_len < TEXT_CAP:
            text = el.text
            if text and not text.isspace():
                own.append(text)
                own_len += len(text)
        if tag in _CONTENT_TAGS:
            _content_element(scan, el, tag)
    attrs.fill(scan, doc)
    scan.text = rules.fold(" ".join(own))
    body = root.find("body")
    scan.end_of = body if body is not None else root  # footers and credits sit at the end
    return scan


_PAGE_TAGS = frozenset({"html", "body"})  # never chrome, whatever their class says
# Tags :func:`_content_element` reads; the walk skips the call for all others.
_CONTENT_TAGS = _LABEL_TAGS | {"h1"}
_INLINE = frozenset({"strong", "b", "em", "i", "span", "small", "br", "abbr", "time"})


def short_text(el: etree._Element, limit: int = 80) -> str | None:
    """Folded text of a small element (no block children, at most ``limit`` characters)."""
    text = _small_text(el)
    return rules.fold(text) if text is not None and len(text) <= limit * 2 else None


def _small_text(el: etree._Element) -> str | None:
    """The raw text :func:`short_text` folds: ``" ".join(el.itertext())`` of an element
    without block children, else None (a leaf, most paragraphs, needs no iterator)."""
    if not len(el):
        return el.text or ""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag not in _INLINE:
            return None
    return " ".join(el.itertext())


def _label(text: str, folded: str | None = None) -> str | None:
    """``rules.fold(text)`` (or ``folded``, when already known) if it reads as a label (1 to
    8 words), else None. ASCII text, which folding only lower-cases, is counted first:
    most short paragraphs are sentences, not labels, and need no folding."""
    if folded is None:
        if text.isascii():
            words = text.split(None, 8)  # a 9th item: more than 8 words
            return rules.fold(text) if 0 < len(words) <= 8 else None
        folded = rules.fold(text)
    return folded if folded and len(folded.split(None, 8)) <= 8 else None


def _content_element(scan: PageScan, el: etree._Element, tag: str) -> None:
    """Collect headings, first paragraphs and short label blocks of the page's own text."""
    if tag == "h1":
        scan.h1.append(_text(el))
        return
    if tag == "div" or tag == "span":  # only leaf blocks ("Press release" eyebrows, labels)
        label = None
        if len(scan.labels) < 300:
            if not len(el):
                text = el.text
                if text and len(text) < 160:
                    label = _label(text)
            elif tag == "div" and el[0].tag in ("strong", "b"):
                label = short_text(el[0])
            if label:
                scan.labels.append(label.rstrip(":"))
        return
    raw = _small_text(el)
    folded = None  # rules.fold(raw), once computed
    if tag == "p":
        if len(scan.paragraphs) < 12:
            text = _text(el) if raw is None else rules.fold(raw)
            folded = text
            if text:
                scan.paragraphs.append(text)
            if text.replace(" ", "") in ("###", "-30-"):
                scan.end_mark = True
    elif tag in ("h2", "h3", "h4") and len(scan.subheadings) < 40:
        text = _text(el) if raw is None else rules.fold(raw)
        folded = text
        scan.subheadings.append(text.rstrip(":"))
    if len(scan.labels) >= 300:
        return
    label = _label(raw, folded) if raw is not None and len(raw) <= 160 else None
    if not label and tag == "p" and len(el) and el[0].tag in ("strong", "b"):
        label = short_text(el[0])
    if label:
        scan.labels.append(label.rstrip(":"))
