"""Links that are not ordinary anchors: ``<link rel=canonical|alternate>``, ``<iframe src>``,
``<form action>``, ``<meta http-equiv=refresh>`` and the item links of an RSS/Atom feed.

Kept apart from :func:`linkcrawl.analysis.extract.read_links`, whose ``<a>`` links (and their
features) the classifiers are trained and evaluated on: these are extra links of a page,
each with its ``link_kind``, never followed by a crawl. Where they sit is told by the
element itself (``<link>`` and ``<meta>`` are in the head), not by the location classifier.
"""

from __future__ import annotations

import re

from lxml import etree

from linkcrawl.items import LinkItem, PageFacts
from linkcrawl.navigate.feeds import parse_feed
from linkcrawl.text import clean_text
from linkcrawl.web.urls import resolve_href

__all__ = ["feed_links", "read_other_links", "refresh_url"]

_REL_KINDS = ("canonical", "alternate")
# content="5; url=https://x/" (the url= part optional, quotes optional, any case)
_REFRESH_RE = re.compile(r"""^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['"]?)(?P<url>.*?)\1\s*$""",
                         re.I | re.S)


def refresh_url(content: str) -> str:
    """The URL a ``<meta http-equiv=refresh content=…>`` sends to ("" when it only reloads)."""
    match = _REFRESH_RE.match(content or "")
    if not match:
        return ""
    url = match["url"].strip()
    # "5" alone reloads the page; a bare number left over is no URL
    return "" if not url or url.replace(".", "").isdigit() else url


def _where(el: etree._Element) -> tuple[str, str]:
    """("head" or "body", a short DOM path) of ``el``."""
    names: list[str] = []
    node = el.getparent()
    region = "body"
    while node is not None and isinstance(node.tag, str):
        if node.tag == "head":
            region = "head"
        if len(names) < 3:
            names.append(node.tag)
        node = node.getparent()
    return region, " > ".join([*reversed(names), el.tag])


def _link(facts: PageFacts, el: etree._Element, href: str, kind: str, anchor: str,
          rel: list[str]) -> LinkItem | None:
    url = resolve_href(href, facts.base_url or facts.url)
    if url is None:
        return None
    region, path = _where(el)
    # a <link>/<meta> is page metadata: never in the page's content, whatever its region
    location_evidence = [f"kind:{kind}", f"in:{region}"]
    return LinkItem(source_url=facts.url, href=href, url=url, anchor_text=anchor, rel=rel,
                    tag=str(el.tag), link_kind=kind, location="other",
                    location_confidence=1.0 if region == "head" else 0.5,
                    location_evidence=location_evidence, dom_path=path)


def read_other_links(root: etree._Element, facts: PageFacts) -> list[LinkItem]:
    """The page's links of the kinds other than ``a``, in page order: each ``<link
    rel=canonical|alternate href>`` (anchor: its ``title``), ``<iframe src>`` (its
    ``title``), ``<form action>`` (a form without one posts to the page itself) and
    ``<meta http-equiv=refresh>`` with a URL."""
    links: list[LinkItem] = []
    for el in root.iter("link", "iframe", "form", "meta"):
        tag = el.tag
        found: LinkItem | None = None
        if tag == "link":
            rel = [t for t in (el.get("rel") or "").lower().split() if t]
            kind = next((k for k in _REL_KINDS if k in rel), "")
            href = (el.get("href") or "").strip()
            if kind and href:
                found = _link(facts, el, href, kind, clean_text(el.get("title")), rel)
        elif tag == "iframe":
            src = (el.get("src") or "").strip()
            if src and not src.lower().startswith(("about:", "javascript:", "data:")):
                found = _link(facts, el, src, "iframe", clean_text(el.get("title")), [])
        elif tag == "form":
            action = (el.get("action") or "").strip()
            if action and not action.lower().startswith("javascript:"):
                found = _link(facts, el, action, "form", "", [])
        elif (el.get("http-equiv") or "").strip().lower() == "refresh":
            url = refresh_url(el.get("content") or "")
            if url:
                found = _link(facts, el, url, "meta_refresh", "", [])
        if found is not None:
            links.append(found)
    return links


_ITEM_PATHS = {"rss": ("item", "rss > item"), "atom": ("entry", "feed > entry")}


def feed_links(body: bytes, url: str) -> list[LinkItem]:
    """The link of each item of an RSS 2.0/RDF feed or entry of an Atom feed (anchor: the
    item's title), in feed order; [] when ``body`` is not such a feed. The feed is read by
    :func:`linkcrawl.navigate.feeds.parse_feed`, the parser the crawl follows feeds with."""
    feed = parse_feed(body, url)
    if feed is None or feed.kind not in _ITEM_PATHS:
        return []
    tag, path = _ITEM_PATHS[feed.kind]
    return [LinkItem(source_url=url, href=entry.url, url=entry.url, anchor_text=entry.title,
                     tag=tag, link_kind="feed", location="other", location_confidence=1.0,
                     location_evidence=["kind:feed", f"in:{tag}"], dom_path=path)
            for entry in feed.entries]
