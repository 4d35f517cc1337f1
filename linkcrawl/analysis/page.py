"""The one page-analysis path: every spider, the analysis workers and ``linkcrawl extract``.

One lxml parse per page; extraction, location and page type read the same tree.
:func:`analyze_page` gives every link with where it sits (``linkcrawl extract``, the
evaluations); :class:`PageAnalyzer` is what a crawl runs per page, in the crawl process or
in a worker alike: where a link sits is read only for the links to the targets, and the
unlinked mentions are found while the tree is still there. The tree never leaves here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from linkcrawl.analysis.encoding import links_past_depth_limit, parse_document
from linkcrawl.analysis.extract import LinkDetails, read_links, read_page
from linkcrawl.analysis.kinds import feed_links, read_other_links
from linkcrawl.analysis.links import TargetMatcher, normalize_other_links, normalize_page_links
from linkcrawl.analysis.mentions import BrandTerms, page_mentions
from linkcrawl.classify.linktype import classify_link
from linkcrawl.classify.pagetype import detect_page_type
from linkcrawl.config import parse_brand_terms
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.verdict import Verdict
from linkcrawl.web.domains import page_identity

# Page types whose body is a list of links: their entries are content by the rules' reading
LIST_PAGES = frozenset({"directory", "partners", "sponsors"})

__all__ = ["AnalysisSetup", "PageAnalyzer", "analyze_lazily", "analyze_page",
           "classify_page_links"]


def analyze_lazily(
    body: bytes,
    url: str,
    *,
    final_url: str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    encoding: str | None = None,
    fetched_at: datetime | None = None,
    location_model: bool = True,
) -> tuple[PageItem, LinkDetails]:
    """Parse ``body`` once: the page with every usable link, normalized, and the
    :class:`LinkDetails` that read where a link sits (location, context, DOM path) for the
    links asked for. A crawl stores only the links to its targets, well under 1% of the
    links it sees, so it asks for those only.

    ``url`` is the URL that was requested, ``final_url`` the one that answered (after
    redirects); links resolve against the final URL. Never raises on bad HTML.
    ``location_model`` false decides location with the rules alone.
    """
    final_url = final_url or url
    headers = headers or {}
    content_type = headers.get("content-type") or headers.get("Content-Type")
    root = parse_document(body, encoding=encoding, content_type=content_type)
    facts = read_page(root, final_url, headers)
    page_url, host, domain = page_identity(url)
    if final_url != url:  # the host that answered is the page's host
        _, host, domain = page_identity(final_url)
    page = PageItem(
        url=page_url,
        final_url=final_url,
        status=status,
        host=host,
        domain=domain,
        title=facts.title,
        language=facts.language,
        canonical=facts.canonical,
        meta_robots=list(facts.meta_robots),
        x_robots=list(facts.x_robots),
        fetched_at=fetched_at or datetime.now(UTC),
        text_length=facts.text_length,
        link_count=facts.link_count,
        script_count=facts.script_count,
    )
    page.links, details = read_links(root, facts, location_model)
    verdict = detect_page_type(root, facts, page.links, details)
    details.list_page = verdict.value in LIST_PAGES
    page.page_type = verdict.value
    page.page_type_confidence = verdict.confidence
    page.page_type_evidence = list(verdict.evidence)
    page.unusable_links = normalize_page_links(page)
    page.links_past_depth_limit = links_past_depth_limit(root)
    # the other link kinds after page typing and <a> normalization: neither sees them
    page.other_links = read_other_links(root, facts)
    normalize_other_links(page)
    return page, details


def analyze_page(body: bytes, url: str, **kwargs: Any) -> PageItem:
    """:func:`analyze_lazily` with where every link sits read (``linkcrawl extract``)."""
    page, details = analyze_lazily(body, url, **kwargs)
    details.fill(page.links)
    return page


def classify_page_links(page: PageItem) -> None:
    """Set type, confidence and evidence on each of ``page``'s links (the link type rules
    read ordinary anchors; another kind of link gets :func:`other_kind_verdict`)."""
    page_type = Verdict(page.page_type, page.page_type_confidence, tuple(page.page_type_evidence))
    for link in page.links:
        if link.link_kind == "a":
            verdict = classify_link(link, page_type)
        else:
            verdict = other_kind_verdict(link)
        link.link_type = verdict.value
        link.confidence = verdict.confidence
        link.evidence = list(verdict.evidence)


def other_kind_verdict(link: LinkItem) -> Verdict:
    """The type of a link that is not an ordinary anchor: ``other``, with its kind as the
    evidence. A canonical link from another site to the target is that page naming the
    target as the original: a syndicated copy, said so in the evidence (an alternate may be
    a translation or a feed: no such reading)."""
    if link.link_kind == "canonical":
        return Verdict("other", 0.9, ("kind:canonical", "syndication:canonical_to_target"))
    return Verdict("other", 0.6, (f"kind:{link.link_kind}",))


@dataclass(frozen=True, slots=True)
class AnalysisSetup:
    """What page analysis needs besides the page: the run's targets and brand terms
    (picklable: the analysis workers get it once)."""

    targets: tuple[str, ...]
    brand_terms: dict[str, list[str]] = field(default_factory=dict)
    mentions: bool = True
    location_model: bool = True  # LINKCRAWL_LOCATION_MODEL

    @classmethod
    def of(cls, targets: Iterable[str], brand_terms: Mapping[str, list[str]],
           brand_terms_arg: Any = None, *, mentions: bool = True,
           location_model: bool = True) -> AnalysisSetup:
        """The setup of a run: the settings' brand terms with the spider argument's on top.
        Raises ConfigError on bad terms."""
        explicit = dict(brand_terms)
        explicit.update(parse_brand_terms(brand_terms_arg))
        return cls(targets=tuple(targets), brand_terms=explicit, mentions=mentions,
                   location_model=location_model)


class PageAnalyzer:
    """A crawl's analysis of one fetched page, the same in the crawl process and a worker."""

    def __init__(self, setup: AnalysisSetup) -> None:
        self.setup = setup
        self.matcher = TargetMatcher(setup.targets)
        self.brands = BrandTerms(setup.targets, setup.brand_terms) if setup.mentions else None

    @property
    def looked_for(self) -> frozenset[str]:
        """Target domains whose unlinked mentions this run looks for."""
        return frozenset(self.brands.domains.values()) if self.brands is not None else frozenset()

    def analyze(self, body: bytes, url: str, **kwargs: Any) -> PageItem:
        """The page with every link; the target links located, the mentions found."""
        page, details = analyze_lazily(body, url, location_model=self.setup.location_model,
                                       **kwargs)
        match = self.matcher.match
        hits = [(link, target) for link in page.links
                if (target := match(link.target_host, link.target_domain))]
        if hits:
            details.fill([link for link, _ in hits])
        if self.brands is not None:
            page.mentions = page_mentions(details.root, page.final_url or page.url, page.domain,
                                          {target for _, target in hits}, self.brands)
        return page

    def analyze_feed(self, body: bytes, url: str, *, final_url: str | None = None,
                     status: int = 200, fetched_at: datetime | None = None) -> PageItem | None:
        """An RSS/Atom feed as a page whose links are its items' (``link_kind`` ``feed``),
        when one of them points at a target; None otherwise (a feed of the site's own
        posts is read for following, not stored)."""
        links = feed_links(body, final_url or url)
        match = self.matcher.match
        _, host, domain = page_identity(final_url or url)
        page = PageItem(url=page_identity(url)[0], final_url=final_url or url, status=status,
                        host=host, domain=domain, fetched_at=fetched_at or datetime.now(UTC),
                        other_links=links, page_type="other",
                        page_type_evidence=["page:feed"])
        normalize_other_links(page)
        if not any(match(link.target_host, link.target_domain) for link in page.other_links):
            return None
        return page

    def refresh_page(self, source_url: str, destination: str) -> PageItem | None:
        """The page a crawl left by its ``<meta http-equiv=refresh>`` (Scrapy follows short
        refreshes as redirects, so the page itself is never analysed), with that one link
        (``link_kind`` ``meta_refresh``), when it points at a target; None otherwise."""
        page_url, host, domain = page_identity(source_url)
        link = LinkItem(source_url=source_url, href=destination, url=destination,
                        tag="meta", link_kind="meta_refresh", location="other",
                        location_confidence=1.0,
                        location_evidence=["kind:meta_refresh", "in:head", "followed:refresh"])
        page = PageItem(url=page_url, final_url=source_url, status=200, host=host,
                        domain=domain, fetched_at=datetime.now(UTC), other_links=[link])
        normalize_other_links(page)
        if not any(self.matcher.match(k.target_host, k.target_domain) for k in page.other_links):
            return None
        return page
