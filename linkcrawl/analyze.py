"""The one page-analysis path: every spider and ``linkcrawl extract`` go through here.

One lxml parse per page; extraction, location and page type read the same tree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime

from linkcrawl.classify.linktype import classify_link
from linkcrawl.classify.pagetype import detect_page_type
from linkcrawl.domains import host_of, registrable_domain
from linkcrawl.extract import parse_document, read_links, read_page
from linkcrawl.items import PageItem
from linkcrawl.links import normalize_page_links
from linkcrawl.urls import normalize_url
from linkcrawl.verdict import Verdict


def page_identity(url: str) -> tuple[str, str, str]:
    """(normalized url, host, registrable domain) of a page URL; raw URL if unusable."""
    with contextlib.suppress(ValueError):
        url = normalize_url(url)
    host = host_of(url)
    return url, host, registrable_domain(host) if host else ""


def analyze_page(
    body: bytes,
    url: str,
    *,
    final_url: str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    encoding: str | None = None,
    fetched_at: datetime | None = None,
    lazy: bool = False,
) -> PageItem:
    """Parse ``body`` once and return the page with every usable link, normalized.

    ``url`` is the URL that was requested, ``final_url`` the one that answered (after
    redirects); links resolve against the final URL. Never raises on bad HTML.

    With ``lazy``, where each link sits (location, context, DOM path) is not read yet:
    ``page.details.fill(links)`` reads it for the links that need it (a crawl stores only
    the links to its targets, well under 1% of the links it sees).
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
    )
    page.links, details = read_links(root, facts)
    if not lazy:
        details.fill(page.links)
    verdict = detect_page_type(root, facts, page.links, details)
    page.page_type = verdict.value
    page.page_type_confidence = verdict.confidence
    page.page_type_evidence = list(verdict.evidence)
    page.unusable_links = normalize_page_links(page)
    page.details = details  # for pipelines.targets and pipelines.mentions, then dropped
    return page


def classify_page_links(page: PageItem) -> None:
    """Set type, confidence and evidence on each of ``page``'s links."""
    page_type = Verdict(page.page_type, page.page_type_confidence, tuple(page.page_type_evidence))
    for link in page.links:
        verdict = classify_link(link, page_type)
        link.link_type = verdict.value
        link.confidence = verdict.confidence
        link.evidence = list(verdict.evidence)
