"""One parse per page: decode and parse the HTML, read page facts, extract every link.

``parse_document`` (decoding and parsing, in :mod:`linkcrawl.analysis.encoding`) never raises;
``read_page`` and ``extract_links`` skip what they cannot read (one bad link never fails a
page). Location comes from :mod:`linkcrawl.classify.location`, each link's DOM path and text
context from :mod:`linkcrawl.analysis._context`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import lxml.html
from lxml import etree

from linkcrawl.analysis._context import Surroundings
from linkcrawl.analysis.encoding import PARSER
from linkcrawl.classify.content_model import LinkInput, locate_links
from linkcrawl.classify.location import PageLocator
from linkcrawl.classify.sections import SectionFinder
from linkcrawl.items import LinkItem, PageFacts
from linkcrawl.text import clean_text
from linkcrawl.text import text_len as _TEXT_LEN
from linkcrawl.web.urls import resolve_href

__all__ = [
    "LinkDetails", "extract_links", "parse_rel", "read_links", "read_page",
]

logger = logging.getLogger(__name__)

_REL_SPLIT_RE = re.compile(r"[\s,]+")
_FACT_TAGS = ("base", "title", "meta", "link", "script", "a", "area", "h1", "h2", "h3")
_HIDDEN_TEXT = ("script", "style", "template", "noscript")


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


def parse_rel(value: str | None) -> list[str]:
    """Lower-cased, de-duplicated rel tokens in order ("NoFollow, ugc" -> [nofollow, ugc])."""
    if not value:
        return []
    out: list[str] = []
    for tok in _REL_SPLIT_RE.split(value.lower()):
        if tok and tok not in out:
            out.append(tok)
    return out


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
                children = lxml.html.fragments_fromstring(ns.text, parser=PARSER)
            except (etree.ParserError, ValueError):
                continue
            ns.text = None
            for child in children:
                if isinstance(child, str):
                    ns.text = (ns.text or "") + child
                else:
                    ns.append(child)


class LinkDetails:
    """Location, DOM path, context and section title of a page's links, read on demand.

    These are what cost most per link (the main-content detector runs once per page, then
    each link's ancestors are read), and a crawl needs them only for the few links that
    point at a target: the others are followed and counted, never stored. ``fill`` is
    idempotent, so page typing can ask for more links later. With ``location_model`` (the
    default) the learned model decides content or not and the rules name the other regions;
    without it the rules alone decide (``LINKCRAWL_LOCATION_MODEL=False``).
    """

    def __init__(self, root: lxml.html.HtmlElement, facts: PageFacts,
                 location_model: bool = True) -> None:
        self.root = root
        self.location_model = location_model
        self.list_page = False  # set once the page type says the body is a list of links
        self._url = facts.url
        self.facts = facts  # counted before <noscript> links were parsed into the tree
        self._locator: PageLocator | None = None
        self._around = Surroundings()
        self._sections = SectionFinder()
        # id(link) -> (link, its element); emptied as links are read
        self._pending: dict[int, tuple[LinkItem, etree._Element]] = {}

    def add(self, link: LinkItem, el: etree._Element) -> None:
        self._pending[id(link)] = (link, el)

    def fill(self, links: Iterable[LinkItem]) -> None:
        """Set location, context and DOM path of ``links`` (of this page) not read yet."""
        pending = self._pending
        todo = []
        for link in links:
            known = pending.get(id(link))
            if known is not None and known[0] is link:
                del pending[id(link)]
                todo.append((known[1], link))
        if not todo:
            return
        if self._locator is None:
            self._locator = PageLocator(self.root, self._url)
        around = self._around
        verdicts = locate_links(self._locator, [
            LinkInput(el, link.url, link.anchor_text, link.is_image, el.get("rel") or "")
            for el, link in todo], use_model=self.location_model, list_page=self.list_page)
        for (el, link), (verdict, in_noscript) in zip(todo, verdicts, strict=True):
            parent = el.getparent()
            path, block = around.of(parent) if parent is not None else ("", el)
            link.in_noscript = in_noscript
            link.context = around.context(el, block, link.anchor_text)
            link.dom_path = f"{path} > {el.tag}" if path else el.tag
            link.location = verdict.value
            link.location_confidence = verdict.confidence
            link.location_evidence = list(verdict.evidence)
            link.block_link_density, link.block_links = around.link_density(el)
        self._sections.mark(todo)


def read_links(root: lxml.html.HtmlElement, facts: PageFacts, location_model: bool = True,
               ) -> tuple[list[LinkItem], LinkDetails]:
    """Every followable <a href>/<area href> of the page in page order, with URL, anchor and
    rel; where each sits (location, context, DOM path) is left to the returned
    :class:`LinkDetails`, to be read only for the links that need it."""
    _noscript_fragments(root)
    details = LinkDetails(root, facts, location_model)
    resolved: dict[str, str | None] = {}
    base = facts.base_url or facts.url
    links: list[LinkItem] = []
    source = facts.url
    for el in root.iter("a", "area"):
        href = el.get("href")
        if href is None:
            continue
        url = resolved[href] if href in resolved else resolved.setdefault(
            href, resolve_href(href, base))
        if url is None:
            continue
        anchor, is_image = _anchor(el)
        rel = el.get("rel")
        link = LinkItem(source_url=source, href=href, url=url, anchor_text=anchor,
                        rel=parse_rel(rel) if rel else [], tag=el.tag, is_image=is_image,
                        location="")
        details.add(link, el)
        links.append(link)
    return links, details


def extract_links(root: lxml.html.HtmlElement, facts: PageFacts,
                  location_model: bool = True) -> list[LinkItem]:
    """Every followable <a href>/<area href> of the page, in page order, each with its
    location, context, DOM path and section title."""
    links, details = read_links(root, facts, location_model)
    details.fill(links)
    return links
