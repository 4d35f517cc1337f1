"""Link-level steps between extraction and storage: canonical form, target matching.

Pure functions over items; the pipelines and ``linkcrawl extract`` call the same ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from linkcrawl.items import LinkItem, PageFacts, PageItem
from linkcrawl.vocab import NO_EQUITY_RELS
from linkcrawl.web.domains import host_of, registrable_domain
from linkcrawl.web.urls import normalize_url, unwrap_redirect


def passes_equity(rel: Iterable[str], page: PageItem | PageFacts | bool) -> bool:
    """A link passes equity unless its rel or the page's robots directives say nofollow
    (``page`` may be the page's nofollow flag itself, read once for all its links)."""
    nofollow = page if isinstance(page, bool) else page.nofollow
    return not nofollow and NO_EQUITY_RELS.isdisjoint(rel)


@lru_cache(maxsize=16384)  # a site's menus and footers repeat the same URLs on every page
def _target_of(url: str) -> tuple[str, str, str, str] | None:
    """(normalized URL, redirect wrapper, host, registrable domain) of a link's URL."""
    try:
        target, wrapper = unwrap_redirect(url)
        normalized = normalize_url(target)
    except ValueError:
        return None
    host = host_of(normalized)
    if not host:
        return None
    return normalized, wrapper, host, registrable_domain(host)


def normalize_link(link: LinkItem, page: PageItem, page_nofollow: bool | None = None) -> bool:
    """Fill the canonical target and domains of ``link``; False if its URL is unusable."""
    found = _target_of(link.url)
    if found is None:
        return False
    link.normalized_url, link.wrapper, link.target_host, link.target_domain = found
    link.source_host = page.host
    link.source_domain = page.domain
    link.follow = passes_equity(link.rel, page if page_nofollow is None else page_nofollow)
    return True


def normalize_page_links(page: PageItem) -> int:
    """Normalize every link of ``page`` not normalized yet; drop unusable ones.

    Returns how many links were dropped. Sets ``outlink_count``.
    """
    nofollow = page.nofollow
    kept = [link for link in page.links
            if link.normalized_url or normalize_link(link, page, nofollow)]
    dropped = len(page.links) - len(kept)
    page.links = kept
    page.outlink_count = len(kept)
    return dropped


def normalize_other_links(page: PageItem) -> int:
    """Normalize ``page.other_links`` (the kinds other than ``a``) not normalized yet; drop
    unusable ones, which ``outlink_count`` and ``unusable_links`` (anchors) never count.
    Returns how many were dropped."""
    nofollow = page.nofollow
    kept = [link for link in page.other_links
            if link.normalized_url or normalize_link(link, page, nofollow)]
    dropped = len(page.other_links) - len(kept)
    page.other_links = kept
    return dropped


class TargetMatcher:
    """Decides whether a link points at one of the targets (a domain and its subdomains).

    A target is a registrable domain ("example.com": the whole site) or a host below one
    ("ec.europa.eu": one site of a shared registrable domain). For a host target, the other
    hosts of its registrable domain are other sites: their links to it are backlinks.
    """

    def __init__(self, targets: Iterable[str]) -> None:
        self.targets = tuple(dict.fromkeys(t.lower().strip(".") for t in targets if t))
        # the most specific target first: a host target inside a domain target wins
        self._specific = sorted(self.targets, key=len, reverse=True)
        self._by_domain = {registrable_domain(t) for t in self.targets}
        # targets named as a host below their registrable domain
        self._hosts = frozenset(t for t in self.targets if registrable_domain(t) != t)

    def __bool__(self) -> bool:
        return bool(self.targets)

    def match(self, host: str, domain: str) -> str | None:
        """The most specific target that ``host`` falls under, or None."""
        if domain not in self._by_domain:
            return None
        for target in self._specific:
            if host == target or host.endswith("." + target):
                return target
        return None

    def is_host_target(self, target: str) -> bool:
        """Whether ``target`` was named as a host below its registrable domain."""
        return target in self._hosts


def _under(host: str, target: str) -> bool:
    return host == target or host.endswith("." + target)


def split_backlinks(page: PageItem, matcher: TargetMatcher) -> tuple[list[LinkItem], Counter[str]]:
    """Links of ``page`` that are backlinks to a target, and all external domain edges.

    A link from a page of the target's own registrable domain is not a backlink, except
    where the target is a host (``ec.europa.eu``) and the page is on another host of that
    domain (``europarl.europa.eu``): the user named that host as the site to watch.

    Referring-domain rollups (``referring_domains``, keyed by registrable domains): such a
    backlink's ``source_domain`` is the target's own registrable domain, so it rolls up into
    the row (``europa.eu``, ``europa.eu``): every sibling host counts as one referring
    domain together, and host targets under one registrable domain share that
    ``target_domain`` key as they already did. Reports that need one line per referring site
    group the backlinks by ``source_host``. The domain edges (the crawl's domain graph, read
    by reciprocal-link and authority checks) stay between registrable domains: these links
    add no self-edge, so authority and reciprocity are unchanged.
    """
    backlinks: list[LinkItem] = []
    edges: Counter[str] = Counter()
    for link in page.links:
        if not link.target_domain:
            continue
        if link.target_domain == page.domain:
            target = matcher.match(link.target_host, link.target_domain)
            if (target is not None and matcher.is_host_target(target)
                    and not _under(page.host, target)):
                backlinks.append(link)
            continue
        edges[link.target_domain] += 1
        if matcher.match(link.target_host, link.target_domain):
            backlinks.append(link)
    # the other link kinds are backlinks by the same rule, never domain edges (the graph
    # that authority and reciprocity read is one of anchors)
    for link in page.other_links:
        if link.target_domain and link.target_domain != page.domain and matcher.match(
                link.target_host, link.target_domain):
            backlinks.append(link)
    return backlinks, edges
