"""One parse per page: decode and parse the HTML, read page facts, extract every link.

``parse_document`` never raises; ``read_page`` and ``extract_links`` skip what they cannot
read (one bad link never fails a page). Location comes from :mod:`linkcrawl.classify.location`.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree

from linkcrawl.classify.location import PageLocator
from linkcrawl.items import LinkItem
from linkcrawl.urls import resolve_href
from linkcrawl.vocab import NO_EQUITY_RELS

__all__ = [
    "CONTEXT_CHARS", "PageFacts", "clean_text", "extract_links", "parse_document", "parse_rel",
    "passes_equity", "read_page", "sniff_encoding",
]

logger = logging.getLogger(__name__)

CONTEXT_CHARS = 150  # ~150 characters of text around a link, anchor included
_REL_SPLIT_RE = re.compile(r"[\s,]+")
# lxml.html elements (text_content, cssselect, ...) without lxml.html's per-element Python
# class lookup, which costs more than the parse itself once every link's ancestors are read.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement))
_TEXT_LEN = etree.XPath("string-length(normalize-space(.))")
# Elements whose text is the context of the links inside them (paragraph-like units); a
# link with none of them within a few levels takes its parent's text.
_BLOCKS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption", "pre",
     "h1", "h2", "h3", "h4", "h5", "h6", "address", "label", "summary", "legend"}
)
_BLOCK_SEARCH_DEPTH = 4
_FACT_TAGS = ("base", "title", "meta", "link", "script", "a", "area", "h1", "h2", "h3")
_HIDDEN_TEXT = ("script", "style", "template", "noscript")


@dataclass(slots=True)
class PageFacts:
    """Page-level facts read once, for link extraction and page-type detection."""

    url: str  # final response URL
    base_url: str = ""  # <base href> resolved, else ``url``
    title: str = ""
    language: str = ""
    canonical: str = ""
    meta_robots: list[str] = field(default_factory=list)  # lower-cased tokens
    x_robots: list[str] = field(default_factory=list)  # lower-cased tokens
    text_length: int = 0  # visible text characters (whitespace collapsed)
    link_count: int = 0  # <a href>/<area href> elements
    script_count: int = 0
    json_ld: list[dict[str, Any]] = field(default_factory=list)  # @graph flattened
    og: dict[str, str] = field(default_factory=dict)  # og:* meta properties
    generator: str = ""  # <meta name=generator>
    headings: list[str] = field(default_factory=list)  # h1-h3 texts, first 20
    body_classes: list[str] = field(default_factory=list)  # class+id tokens of <body>/<html>

    @property
    def nofollow(self) -> bool:
        """Page-level nofollow from meta robots or X-Robots-Tag ("none" implies it)."""
        tokens = {*self.meta_robots, *self.x_robots}
        return "nofollow" in tokens or "none" in tokens


def clean_text(text: str | None) -> str:
    """Collapse whitespace runs to one space and strip."""
    return " ".join(text.split()) if text else ""


_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)
_CT_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG Encoding: labels browsers treat as another encoding (latin-1 means windows-1252, a
# <meta> that claims UTF-16 in an ASCII-compatible document means UTF-8).
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "iso8859-1": "cp1252", "x-user-defined": "cp1252"}


def _codec(label: str | bytes | None, from_meta: bool = False) -> str | None:
    """A Python codec name for an encoding label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"
    return name


def sniff_encoding(body: bytes, encoding: str | None = None,
                   content_type: str | None = None) -> tuple[str, int]:
    """(codec, BOM length): BOM, ``encoding``, Content-Type charset, <meta charset>, else
    UTF-16 if the bytes look like it, else UTF-8 (windows-1252 if they are not valid UTF-8)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    ct_match = _CT_CHARSET_RE.search(content_type or "")
    meta = _CHARSET_RE.search(body[:4096])
    name = (_codec(encoding) or _codec(ct_match.group(1) if ct_match else None)
            or _codec(meta.group(1) if meta else None, from_meta=True))
    if name is not None:
        return name, 0
    sample = body[:200]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):  # UTF-16, no BOM
        return ("utf-16-le" if body[1:2] == b"\x00" else "utf-16-be"), 0
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", 0
    return "utf-8", 0


def _utf8_bytes(body: bytes | str, encoding: str | None, content_type: str | None) -> bytes:
    """The page as valid UTF-8 without NUL bytes, decoded as browsers would."""
    if isinstance(body, str):
        return body.replace("\x00", "\ufffd").encode("utf-8", "replace")
    if not isinstance(body, bytes):
        body = bytes(body)  # bytearray, memoryview; TypeError for anything else
    name, skip = sniff_encoding(body, encoding, content_type)
    data = body[skip:] if skip else body
    if name == "utf-8" and b"\x00" not in data:
        try:
            data.decode("utf-8")  # valid UTF-8 goes to the parser as it is
            return data
        except UnicodeDecodeError:
            pass
    return data.decode(name, "replace").replace("\x00", "\ufffd").encode("utf-8")


def parse_document(
    body: bytes | str, encoding: str | None = None, content_type: str | None = None
) -> lxml.html.HtmlElement:
    """Parse a page into an lxml.html root; never raises (an empty document for garbage).

    The encoding comes from the BOM, ``encoding``, the Content-Type charset, a
    ``<meta charset>``, then UTF-8 if the bytes are valid UTF-8, else windows-1252.
    """
    try:
        data = _utf8_bytes(body, encoding, content_type)
        if data.strip():
            root = etree.fromstring(data, parser=_PARSER)
            if root is not None:
                return root
    except (etree.ParserError, ValueError, TypeError, LookupError) as exc:
        logger.debug("unparsable document: %s", exc)
    return etree.fromstring(b"<html><body></body></html>", parser=_PARSER)


def _header_values(headers: Any, name: str) -> list[str]:
    """All values of header ``name`` from a dict, a Scrapy ``Headers`` or a list of pairs."""
    if not headers:
        return []
    values: list[Any] = []
    if hasattr(headers, "getlist"):
        values = list(headers.getlist(name) or [])
    elif isinstance(headers, Mapping):
        for key, value in headers.items():
            key_s = key.decode("latin-1") if isinstance(key, bytes) else str(key)
            if key_s.lower() == name.lower():
                values.extend(value if isinstance(value, list | tuple) else [value])
    else:
        for key, value in headers:
            key_s = key.decode("latin-1") if isinstance(key, bytes) else str(key)
            if key_s.lower() == name.lower():
                values.append(value)
    return [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values]


# Directives of X-Robots-Tag/meta robots (Google Search Central); a "googlebot: noindex" style
# user-agent prefix is honoured for Google's crawler only, others are ignored.
_ROBOTS_AGENTS = ("googlebot",)


def _robots_tokens(values: list[str]) -> list[str]:
    tokens: list[str] = []
    for value in values:
        agent = ""
        for raw in value.lower().split(","):
            tok = raw.strip()
            if ":" in tok:
                head, _, rest = tok.partition(":")
                if head.strip() not in ("unavailable_after", "max-snippet", "max-image-preview",
                                        "max-video-preview"):
                    agent, tok = head.strip(), rest.strip()
            if tok and (not agent or agent in _ROBOTS_AGENTS) and tok not in tokens:
                tokens.append(tok)
    return tokens


def _flatten_json_ld(data: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten_json_ld(item, out)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            _flatten_json_ld(graph, out)
            rest = {k: v for k, v in data.items() if k not in ("@graph", "@context")}
            if len(rest) > 0 and "@type" in rest:
                out.append(rest)
        else:
            out.append(data)


def _visible_text_length(root: lxml.html.HtmlElement) -> int:
    body = root.find("body")
    node = body if body is not None else root
    hidden = sum(_TEXT_LEN(el) for el in node.iter(*_HIDDEN_TEXT))
    return max(int(_TEXT_LEN(node) - hidden), 0)


def read_page(root: lxml.html.HtmlElement, url: str, headers: Any = None) -> PageFacts:
    """Page-level facts: base URL, title, language, robots directives, metadata, headings.

    One walk over the elements that carry them; headers may be a dict, Scrapy ``Headers``
    or a list of pairs (for X-Robots-Tag).
    """
    facts = PageFacts(url=url, base_url=url)
    html_el = root if root.tag == "html" else root.getroottree().getroot()
    facts.language = clean_text(html_el.get("lang") or html_el.get("xml:lang"))
    robots_meta: list[str] = []
    base_href = canonical = None
    for el in root.iter(*_FACT_TAGS):
        tag = el.tag
        if tag in ("a", "area"):
            facts.link_count += el.get("href") is not None
        elif tag == "script":
            facts.script_count += 1
            if el.text and (el.get("type") or "").strip().lower() == "application/ld+json":
                try:
                    _flatten_json_ld(json.loads(el.text), facts.json_ld)
                except (ValueError, RecursionError):
                    logger.debug("bad JSON-LD on %s", url)
        elif tag in ("h1", "h2", "h3"):
            text = clean_text(el.text_content()) if len(facts.headings) < 20 else ""
            if text:
                facts.headings.append(text[:300])
        elif tag == "meta":
            _read_meta(el, facts, robots_meta)
        elif tag == "title":
            facts.title = facts.title or clean_text(el.text_content())
        elif tag == "base":
            base_href = base_href or el.get("href")
        elif tag == "link" and canonical is None and el.get("href") and (
            "canonical" in (el.get("rel") or "").lower().split()
        ):
            canonical = el.get("href")
    if base_href:
        facts.base_url = resolve_href(base_href, url) or url
    if canonical:
        facts.canonical = resolve_href(canonical, facts.base_url) or ""
    facts.meta_robots = _robots_tokens(robots_meta)
    facts.x_robots = _robots_tokens(_header_values(headers, "X-Robots-Tag"))
    body = root.find("body")
    for el in (html_el, body):
        if el is not None:
            facts.body_classes.extend(
                tok.lower() for tok in f"{el.get('class', '')} {el.get('id', '')}".split()
            )
    facts.text_length = _visible_text_length(root)
    return facts


def _read_meta(meta: etree._Element, facts: PageFacts, robots_meta: list[str]) -> None:
    name = (meta.get("name") or "").strip().lower()
    prop = (meta.get("property") or "").strip().lower()
    content = meta.get("content") or ""
    if name in ("robots", *_ROBOTS_AGENTS):
        robots_meta.append(content)
    elif name == "generator" and not facts.generator:
        facts.generator = clean_text(content)
    elif prop.startswith("og:") and prop not in facts.og:
        facts.og[prop] = clean_text(content)
    elif not facts.language and (meta.get("http-equiv") or "").lower() == "content-language":
        facts.language = clean_text(content)


def passes_equity(rel: list[str], facts: PageFacts) -> bool:
    """A link passes equity unless its rel or the page's robots directives say nofollow."""
    return not (NO_EQUITY_RELS.intersection(rel) or facts.nofollow)


def parse_rel(value: str | None) -> list[str]:
    """Lower-cased, de-duplicated rel tokens in order ("NoFollow, ugc" -> [nofollow, ugc])."""
    if not value:
        return []
    out: list[str] = []
    for tok in _REL_SPLIT_RE.split(value.lower()):
        if tok and tok not in out:
            out.append(tok)
    return out


def _label(el: etree._Element) -> str:
    """A short CSS-like label for one element: ``tag#id`` or ``tag.first-class``."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    ident = el.get("id")
    if ident and len(ident) <= 40 and ident.strip():
        return f"{tag}#{ident.split()[0]}"
    classes = el.get("class")
    first = classes.split(None, 1)[0] if classes and classes.strip() else ""
    return f"{tag}.{first}" if first and len(first) <= 40 else tag


def _anchor(el: etree._Element) -> tuple[str, bool]:
    """(anchor text, is image link): the text, else the alt of an image inside the link."""
    if el.tag == "area":
        return clean_text(el.get("alt")), False
    text = clean_text(el.text_content() if len(el) else el.text)
    if text:
        return text, False
    for img in el.iter("img"):
        alt = clean_text(img.get("alt") or img.get("title"))
        return alt or clean_text(el.get("title")) or clean_text(el.get("aria-label")), True
    return clean_text(el.get("aria-label") or el.get("title")), False


def _noscript_fragments(root: etree._Element) -> None:
    """Parse <noscript> contents that a parser kept as raw text into elements, in place."""
    for ns in list(root.iter("noscript")):
        if len(ns) == 0 and ns.text and "<a" in ns.text.lower():
            try:
                children = lxml.html.fragments_fromstring(ns.text, parser=_PARSER)
            except (etree.ParserError, ValueError):
                continue
            ns.text = None
            for child in children:
                if isinstance(child, str):
                    ns.text = (ns.text or "") + child
                else:
                    ns.append(child)


class _Surroundings:
    """Per element: the last labels of its DOM path and the text block around its links.

    Both follow from the parent's, so each element is read once however many links sit
    below it.
    """

    def __init__(self) -> None:
        # element -> (labels of its last three ancestors-or-self, nearest block, distance)
        self._info: dict[etree._Element, tuple[tuple[str, ...], etree._Element | None, int]] = {}
        self._text: dict[etree._Element, str] = {}

    def of(self, parent: etree._Element) -> tuple[str, etree._Element]:
        """(DOM path down to ``parent``, text block for the context of its links)."""
        info = self._info
        known = info.get(parent)
        if known is None:
            chain = []
            node: etree._Element | None = parent
            while node is not None and node not in info:
                chain.append(node)
                node = node.getparent()
            labels, block, distance = info[node] if node is not None else ((), None, 0)
            for el in reversed(chain):
                tag = el.tag
                labels = () if tag in ("body", "html") else (*labels[-2:], _label(el))
                if tag in _BLOCKS:
                    block, distance = el, 0
                elif block is not None and distance < _BLOCK_SEARCH_DEPTH - 1:
                    distance += 1
                else:
                    block, distance = None, 0
                known = info[el] = (labels, block, distance)
        labels, block, _ = known  # type: ignore[misc]
        return " > ".join(labels), block if block is not None else parent

    def context(self, link: etree._Element, block: etree._Element | None, anchor: str) -> str:
        """About CONTEXT_CHARS characters of the block's text, centred on the anchor."""
        if block is None or (  # a menu item: the link is all there is in its block
            len(block) == 1 and block is link.getparent() and not (block.text or "").strip()
            and not (link.tail or "").strip()
        ):
            return anchor[:CONTEXT_CHARS]
        text = self._text.get(block)
        if text is None:
            text = self._text[block] = clean_text(block.text_content())
        if len(text) <= CONTEXT_CHARS:
            return text
        pos = text.find(anchor) if anchor else -1
        if pos < 0:  # an image link: its alt text is not in the block's text
            return text[:CONTEXT_CHARS].strip()
        start = max(0, min(pos - (CONTEXT_CHARS - len(anchor)) // 2, len(text) - CONTEXT_CHARS))
        return text[start : start + CONTEXT_CHARS].strip()


def extract_links(root: lxml.html.HtmlElement, facts: PageFacts) -> list[LinkItem]:
    """Every followable <a href>/<area href> of the page with its location, in page order."""
    _noscript_fragments(root)
    locator = PageLocator(root, facts.url)
    around = _Surroundings()
    resolved: dict[str, str | None] = {}
    base = facts.base_url or facts.url
    links: list[LinkItem] = []
    for el in root.iter("a", "area"):
        href = el.get("href")
        if href is None:
            continue
        url = resolved[href] if href in resolved else resolved.setdefault(
            href, resolve_href(href, base))
        if url is None:
            continue
        anchor, is_image = _anchor(el)
        verdict, in_noscript = locator.locate(el, url, anchor)
        parent = el.getparent()
        path, block = around.of(parent) if parent is not None else ("", el)
        rel = el.get("rel")
        links.append(LinkItem(
            source_url=facts.url, href=href, url=url, anchor_text=anchor,
            rel=parse_rel(rel) if rel else [], tag=el.tag, is_image=is_image,
            in_noscript=in_noscript, context=around.context(el, block, anchor),
            dom_path=f"{path} > {el.tag}" if path else el.tag, location=verdict.value,
            location_confidence=verdict.confidence, location_evidence=list(verdict.evidence),
        ))
    return links
