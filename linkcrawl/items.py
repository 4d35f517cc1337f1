"""Items that flow through the pipelines, as plain dataclasses (handled via itemadapter).

A crawled page travels as one :class:`PageItem` carrying all of its links, so the
pipelines work on a page's links as one batch instead of paying Scrapy's per-item
overhead for each of a page's 50-300 links.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any


@dataclass(slots=True)
class LinkItem:
    """One link of a page, from extraction to storage: an ``<a href>``/``<area href>``
    (``link_kind`` "a"), or one of the other kinds of :data:`LINK_KINDS`."""

    # --- set by extraction (linkcrawl.analysis.extract) ---
    source_url: str
    href: str  # the attribute as written, after entity decoding
    url: str  # absolute: resolved against <base href> / the final response URL
    anchor_text: str = ""
    rel: list[str] = field(default_factory=list)
    tag: str = "a"  # "a" or "area"; the element of another kind ("link", "iframe", ...)
    link_kind: str = "a"  # one of LINK_KINDS: how the page links (see extract_other_links)
    is_image: bool = False  # anchor text came from an <img alt>
    in_noscript: bool = False
    context: str = ""  # ~150 characters of text around the link
    dom_path: str = ""  # short CSS-like path, e.g. "article.post > p > a"
    location: str = "other"
    location_confidence: float = 0.0
    location_evidence: list[str] = field(default_factory=list)
    # link text's share of the text around the link, and the links there (Surroundings)
    block_link_density: float = 0.0
    block_links: int = 0
    # --- set by normalization (linkcrawl.analysis.links.normalize_link) ---
    normalized_url: str = ""
    target_host: str = ""
    target_domain: str = ""  # registrable domain of the target
    source_host: str = ""
    source_domain: str = ""  # the referring (registrable) domain
    wrapper: str = ""  # redirect wrapper the target was unwrapped from, if any
    follow: bool = True  # passes equity: no nofollow/ugc/sponsored rel, no page-level nofollow
    # --- set by the dedupe step (pipelines.dedupe), reused as the stored document's key ---
    key: str = ""
    # --- set by classification (linkcrawl.classify.linktype) ---
    link_type: str = ""
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def __reduce__(self) -> tuple[type[LinkItem], tuple[Any, ...]]:
        """Pickle as the class and its field values: half the time of the dataclass default
        both ways (a page's 50-300 links cross from an analysis worker to the crawl)."""
        return LinkItem, _LINK_FIELDS(self)


# How a page can link besides an ordinary anchor: <link rel=canonical>/<link rel=alternate>
# in the head (a syndicated copy naming the original), <iframe src>, <form action>, an
# RSS/Atom item's link (the fetched document is a feed) and a <meta http-equiv=refresh>
LINK_KINDS: tuple[str, ...] = ("a", "canonical", "alternate", "iframe", "form", "feed",
                               "meta_refresh")

_LINK_FIELDS = attrgetter(*(f.name for f in fields(LinkItem)))


@dataclass(slots=True)
class TargetCheckItem:
    """The answer of one target URL (``scrapy crawl targets``): is the linked page there?"""

    url: str  # the target URL as stored on backlinks
    status: int = 0
    final_url: str = ""  # after redirects
    error: str = ""  # the fetch failed (DNS, timeout, refused): no answer
    checked_at: datetime | None = None


@dataclass(slots=True)
class PageItem:
    """One fetched URL with its page-level facts and every link found on it."""

    url: str  # the URL requested (normalized)
    final_url: str = ""  # after redirects
    status: int = 0
    host: str = ""
    domain: str = ""  # registrable domain
    title: str = ""
    language: str = ""
    canonical: str = ""
    meta_robots: list[str] = field(default_factory=list)  # tokens from <meta name=robots>
    x_robots: list[str] = field(default_factory=list)  # tokens from X-Robots-Tag
    page_type: str = "other"
    page_type_confidence: float = 0.0
    page_type_evidence: list[str] = field(default_factory=list)
    fetched_at: datetime | None = None
    outlink_count: int = 0
    unusable_links: int = 0  # <a href>s dropped by normalization (no usable URL)
    links_past_depth_limit: int = 0  # read from the bytes past libxml2's nesting limit
    via_browser: bool = False
    spider: str = ""
    run_id: str = ""
    error: str = ""
    # what the static HTML holds, for the browser decision (linkcrawl.crawl.browser)
    text_length: int = 0
    link_count: int = 0
    script_count: int = 0
    links: list[LinkItem] = field(default_factory=list)
    # links of the other LINK_KINDS: never followed, not in outlink_count or the domain
    # edges; the target filter adds those to targets to the backlinks
    other_links: list[LinkItem] = field(default_factory=list)
    # the address the page was fetched from: the peer of the connection ("" when unknown)
    ip_address: str = ""
    network: str = ""  # its /24 (IPv4) or /48 (IPv6)
    # how ip_address was learnt: "connection" (the host itself), "proxy" (fetched through a
    # proxy: its address is the proxy's, nothing stored), "browser" (rendered in Chromium
    # behind the guard proxy: the same), "" (not fetched here: a replay, an archive, an error)
    address_source: str = ""
    # the robots.txt rule that keeps search engines (Googlebot) off this page, "" if none
    robots_rule: str = ""
    # external registrable domain -> links to it on this page (set by the target filter)
    domain_edges: dict[str, int] = field(default_factory=dict)
    # unlinked brand mentions of targets (see linkcrawl.analysis.mentions)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    @property
    def noindex(self) -> bool:
        return robots_say("noindex", self.meta_robots, self.x_robots)

    @property
    def nofollow(self) -> bool:
        return robots_say("nofollow", self.meta_robots, self.x_robots)


def robots_say(directive: str, *tokens: list[str]) -> bool:
    """Do these robots token lists (meta robots, X-Robots-Tag) say ``directive``? "none"
    means both noindex and nofollow."""
    return any(directive in toks or "none" in toks for toks in tokens)


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
        return robots_say("nofollow", self.meta_robots, self.x_robots)
