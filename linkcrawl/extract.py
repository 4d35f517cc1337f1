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

__all__ = ["PageFacts", "extract_links", "parse_document", "passes_equity", "read_page"]

logger = logging.getLogger(__name__)

CONTEXT_CHARS = 150  # ~150 characters of text around a link, anchor included
_WS_RE = re.compile(r"\s+")
_REL_SPLIT_RE = re.compile(r"[\s,]+")
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True)
# Elements whose text is a paragraph-like unit for a link's context.
_BLOCKS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption", "pre",
     "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "aside", "header",
     "footer", "nav", "main", "body", "form", "address", "table", "ul", "ol", "dl"}
)
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
    return _WS_RE.sub(" ", text).strip() if text else ""


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


def decode_body(body: bytes, encoding: str | None = None, content_type: str | None = None) -> str:
    """Decode page bytes: BOM, then ``encoding``, Content-Type charset, <meta charset>, UTF-8."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    ct_match = _CT_CHARSET_RE.search(content_type or "")
    meta = _CHARSET_RE.search(body[:4096])
    name = (_codec(encoding) or _codec(ct_match.group(1) if ct_match else None)
            or _codec(meta.group(1) if meta else None, from_meta=True))
    if name is None:
        if body[:200].count(b"\x00") > 20:  # UTF-16 without a BOM
            name = "utf-16-le" if body[1:2] == b"\x00" else "utf-16-be"
        else:
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                name = "cp1252"
    return body.decode(name, "replace")


def parse_document(
    body: bytes | str, encoding: str | None = None, content_type: str | None = None
) -> lxml.html.HtmlElement:
    """Parse a page into an lxml.html root; never raises (an empty document for garbage).

    The encoding comes from the BOM, ``encoding``, the Content-Type charset, a
    ``<meta charset>``, then UTF-8 if the bytes are valid UTF-8, else windows-1252.
    """
    try:
        text = decode_body(body, encoding, content_type) if isinstance(body, bytes) else body
        text = text.replace("\x00", "\ufffd")
        data = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")
        if data.strip():
            root = lxml.html.document_fromstring(data, parser=_PARSER)
            if root is not None:
                return root
    except (etree.ParserError, ValueError, TypeError, LookupError) as exc:
        logger.debug("unparsable document: %s", exc)
    return lxml.html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)


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
    total = len(clean_text(node.text_content()))
    for el in node.iter(*_HIDDEN_TEXT):
        total -= len(clean_text(el.text_content()))
    return max(total, 0)


def read_page(root: lxml.html.HtmlElement, url: str, headers: Any = None) -> PageFacts:
    """Page-level facts: base URL, title, language, robots directives, metadata, headings."""
    facts = PageFacts(url=url, base_url=url)
    base = root.find(".//base[@href]")
    if base is not None:
        facts.base_url = resolve_href(base.get("href") or "", url) or url
    html_el = root if root.tag == "html" else root.getroottree().getroot()
    facts.language = clean_text(html_el.get("lang") or html_el.get("xml:lang"))
    facts.title = clean_text(root.findtext(".//title"))
    robots_meta: list[str] = []
    for meta in root.iter("meta"):
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
    facts.meta_robots = _robots_tokens(robots_meta)
    facts.x_robots = _robots_tokens(_header_values(headers, "X-Robots-Tag"))
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href"):
            facts.canonical = resolve_href(link.get("href") or "", facts.base_url) or ""
            break
    for script in root.iter("script"):
        facts.script_count += 1
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            try:
                _flatten_json_ld(json.loads(script.text), facts.json_ld)
            except (ValueError, RecursionError):
                logger.debug("bad JSON-LD on %s", url)
    facts.link_count = sum(1 for el in root.iter("a", "area") if el.get("href") is not None)
    for heading in root.iter("h1", "h2", "h3"):
        text = clean_text(heading.text_content())
        if text:
            facts.headings.append(text[:300])
            if len(facts.headings) >= 20:
                break
    body = root.find("body")
    for el in (html_el, body):
        if el is not None:
            facts.body_classes.extend(
                tok.lower() for tok in f"{el.get('class', '')} {el.get('id', '')}".split()
            )
    facts.text_length = _visible_text_length(root)
    return facts


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
    ident = (el.get("id") or "").strip()
    if ident and len(ident) <= 40:
        return f"{tag}#{ident.split()[0]}"
    classes = (el.get("class") or "").split()
    return f"{tag}.{classes[0]}" if classes and len(classes[0]) <= 40 else tag


def _anchor(el: etree._Element) -> tuple[str, bool]:
    """(anchor text, is image link): the text, else the alt of an image inside the link."""
    if el.tag == "area":
        return clean_text(el.get("alt")), False
    text = clean_text(el.text_content())
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


class _Context:
    """Text around links, read once per block element."""

    def __init__(self) -> None:
        self._text: dict[etree._Element, str] = {}

    def around(self, link: etree._Element, anchor: str) -> str:
        block = link.getparent()
        while block is not None and block.tag not in _BLOCKS:
            block = block.getparent()
        if block is None:
            return anchor[:CONTEXT_CHARS]
        text = self._text.get(block)
        if text is None:
            text = self._text[block] = clean_text(block.text_content())
        if len(text) <= CONTEXT_CHARS:
            return text
        pos = text.find(anchor) if anchor else -1
        if pos < 0:
            return anchor[:CONTEXT_CHARS] if anchor else text[:CONTEXT_CHARS]
        start = max(0, min(pos - (CONTEXT_CHARS - len(anchor)) // 2, len(text) - CONTEXT_CHARS))
        return text[start : start + CONTEXT_CHARS].strip()


def extract_links(root: lxml.html.HtmlElement, facts: PageFacts) -> list[LinkItem]:
    """Every followable <a href>/<area href> of the page with its location, in page order."""
    _noscript_fragments(root)
    locator = PageLocator(root, facts.url)
    context = _Context()
    labels: dict[etree._Element, str] = {}
    resolved: dict[str, str | None] = {}
    base = facts.base_url or facts.url
    links: list[LinkItem] = []
    for el in root.iter("a", "area"):
        href = el.get("href")
        if href is None:
            continue
        if href in resolved:
            url = resolved[href]
        else:
            url = resolved[href] = resolve_href(href, base)
        if url is None:
            continue
        anchor, is_image = _anchor(el)
        verdict, in_noscript = locator.locate(el, url)
        path = [el.tag]
        node = el.getparent()
        while node is not None and len(path) < 4 and node.tag not in ("body", "html"):
            label = labels.get(node)
            if label is None:
                label = labels[node] = _label(node)
            path.append(label)
            node = node.getparent()
        links.append(LinkItem(
            source_url=facts.url, href=href, url=url, anchor_text=anchor,
            rel=parse_rel(el.get("rel")), tag=el.tag, is_image=is_image,
            in_noscript=in_noscript, context=context.around(el, anchor),
            dom_path=" > ".join(reversed(path)), location=verdict.value,
            location_confidence=verdict.confidence, location_evidence=list(verdict.evidence),
        ))
    return links
