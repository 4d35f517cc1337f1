"""RSS, Atom and sitemaps (plain, index, news, gzip): the URLs they list, with dates.

Pure functions over bytes and strings; no network. Spiders use them to reach pages that
navigation does not link, and to honour ``-a since=YYYY-MM-DD`` without fetching old pages.
XML is parsed without entity expansion or network access (a feed cannot make us fetch).
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date
from email.utils import parsedate_to_datetime

from lxml import etree

from linkcrawl.web.urls import resolve_href

__all__ = [
    "Entry",
    "Feed",
    "discover_feeds",
    "looks_like_feed",
    "page_date",
    "parse_date",
    "parse_feed",
    "sitemaps_from_robots",
]

FEED_ROOTS = (b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf:rdf")
MAX_XML_BYTES = 50 * 1024 * 1024  # sitemaps protocol: 50 MB uncompressed per file
_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One URL a feed or sitemap lists, with its publication/modification date if given."""

    url: str
    published: date | None = None
    # an RSS item's or Atom entry's title (its link's anchor when the feed is a linking page)
    title: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Feed:
    """``kind``: rss, atom, urlset, news (a urlset with news:news entries) or sitemapindex."""

    kind: str
    entries: tuple[Entry, ...] = ()

    @property
    def is_index(self) -> bool:
        return self.kind == "sitemapindex"


_ISO_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str | None) -> date | None:
    """A date from W3C/ISO 8601 (``2024-03-04``, ``2024-03-04T08:00:00Z``) or RFC 822
    (``Mon, 04 Mar 2024 08:00:00 GMT``); None when unreadable."""
    if not text:
        return None
    text = text.strip()
    match = _ISO_RE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.date()


def _decompress(body: bytes) -> bytes:
    if body[:2] == b"\x1f\x8b":
        try:
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return decoder.decompress(body, MAX_XML_BYTES)
        except (zlib.error, gzip.BadGzipFile, EOFError):
            return b""
    return body[:MAX_XML_BYTES]


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """True for RSS/Atom/sitemap bodies (by content type or the root element)."""
    ctype = content_type.lower()
    if any(t in ctype for t in ("rss", "atom", "xml")) and "html" not in ctype:
        return True
    head = _decompress(body[:4096] if body[:2] != b"\x1f\x8b" else body)[:2048].lower()
    return any(tag in head for tag in FEED_ROOTS)


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str:
    for child in element:
        if _local(child.tag) in names and child.text:
            return child.text.strip()
    return ""


def _descendant_text(element: etree._Element, name: str) -> str:
    for child in element.iter():
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return ""


def _entry(url: str, base: str, when: str, item: etree._Element | None = None) -> Entry | None:
    absolute = resolve_href(url, base) if url else None
    if not absolute:
        return None
    title = next((child for child in item if _local(child.tag) == "title"), None) if (
        item is not None) else None
    text = " ".join("".join(title.itertext()).split()) if title is not None else ""
    return Entry(absolute, parse_date(when), text)


def parse_feed(body: bytes, base_url: str) -> Feed | None:
    """The entries of an RSS 2.0/RDF, Atom, sitemap, news sitemap or sitemap index document;
    None when ``body`` is none of these. Relative URLs resolve against ``base_url``."""
    data = _decompress(body)
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    kind = _local(root.tag)
    entries: list[Entry | None] = []
    if kind in ("rss", "rdf"):
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = _child_text(item, "link") or _guid_link(item)
            when = _child_text(item, "pubdate", "date", "published", "updated")
            entries.append(_entry(link, base_url, when, item))
        kind = "rss"
    elif kind == "feed":
        for item in root:
            if _local(item.tag) != "entry":
                continue
            link = ""
            for child in item:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href", "")
                    break
            when = _child_text(item, "published", "updated")
            entries.append(_entry(link, base_url, when, item))
        kind = "atom"
    elif kind in ("urlset", "sitemapindex"):
        child_tag = "url" if kind == "urlset" else "sitemap"
        news = False
        for item in root:
            if _local(item.tag) != child_tag:
                continue
            when = _descendant_text(item, "publication_date")
            news = news or bool(when)
            when = when or _child_text(item, "lastmod")
            entries.append(_entry(_child_text(item, "loc"), base_url, when))
        if news:
            kind = "news"
    else:
        return None
    return Feed(kind, tuple(e for e in entries if e is not None))


def _guid_link(item: etree._Element) -> str:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
            return (child.text or "").strip()
    return ""


_LINK_TAG_RE = re.compile(r"<link\b[^>]*>", re.I)
_BASE_RE = re.compile(r"""<base\b[^>]*\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Feed URLs announced by ``<link rel="alternate" type="application/rss+xml">`` (or Atom)."""
    found: list[str] = []
    head = html[:200_000]
    base = _BASE_RE.search(head)
    if base:
        href = _unescape(base.group(1) or base.group(2) or "")
        base_url = resolve_href(href, base_url) or base_url
    for tag in _LINK_TAG_RE.findall(head):
        attrs = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTR_RE.findall(tag)}
        rel = attrs.get("rel", "").lower().split()
        if "alternate" in rel and attrs.get("type", "").lower() in FEED_TYPES[:2]:
            url = resolve_href(_unescape(attrs.get("href", "")), base_url)
            if url and url not in found:
                found.append(url)
    return found


def _unescape(value: str) -> str:
    return value.replace("&amp;", "&")


def sitemaps_from_robots(text: str) -> list[str]:
    """``Sitemap:`` lines of a robots.txt, in order."""
    found = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "sitemap":
            url = value.strip().split("#", 1)[0].strip()
            if url.lower().startswith(("http://", "https://")) and url not in found:
                found.append(url)
    return found


# Where publication dates sit in release and article HTML: schema.org datePublished
# (JSON-LD and microdata), Open Graph article:published_time, Dublin Core, <time datetime>.
_PAGE_DATE_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I | re.S)
    for p in (
        r'"datePublished"\s*:\s*"([^"]+)"',
        r'<meta[^>]+(?:property|name)=["\'](?:article:published_time|dc\.date|date)["\'][^>]*'
        r'content=["\']([^"\']+)',
        r'<meta[^>]+content=["\']([^"\']+)["\'][^>]*(?:property|name)=["\']'
        r'article:published_time["\']',
        r'itemprop=["\']datePublished["\'][^>]*(?:datetime|content)=["\']([^"\']+)',
        r'<time[^>]+datetime=["\']([^"\']+)',
    )
)


def page_date(html: str) -> date | None:
    """The publication date an HTML page states about itself, or None."""
    for pattern in _PAGE_DATE_RES:
        match = pattern.search(html)
        if match:
            found = parse_date(match.group(1))
            if found:
                return found
    return None
