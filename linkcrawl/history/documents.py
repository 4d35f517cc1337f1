"""Items to store documents: the one place that decides what a stored document holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linkcrawl.items import LinkItem, PageItem
from linkcrawl.keys import backlink_key, mention_key
from linkcrawl.web.domains import page_identity


def page_doc(page: PageItem, run_id: str) -> dict[str, Any]:
    return {
        "url": page.url,
        "final_url": page.final_url,
        "status": page.status,
        "host": page.host,
        "domain": page.domain,
        "title": page.title,
        "language": page.language,
        "canonical": page.canonical,
        "meta_robots": page.meta_robots,
        "x_robots": page.x_robots,
        "noindex": page.noindex,
        "nofollow": page.nofollow,
        "page_type": page.page_type,
        "page_type_confidence": page.page_type_confidence,
        "page_type_evidence": page.page_type_evidence,
        "outlink_count": page.outlink_count,
        "ip_address": page.ip_address,
        "network": page.network,
        "address_source": page.address_source,
        "via_browser": page.via_browser,
        "error": page.error,
        "spider": page.spider,
        "run_id": run_id,
        "fetched_at": page.fetched_at,
    }


# A linking page with more outbound links than this is flagged: link lists of this size are
# the "link farm" shape (an article links out a few dozen times; the benchmark web's median
# page has ~120 links, most of them internal navigation).
MANY_OUTLINKS = 300


def page_flags(page: PageItem) -> list[str]:
    """What about the linking page lowers a backlink's worth, each with its evidence:
    ``noindex`` (meta robots or X-Robots-Tag), ``canonical:<url>`` (the page names another URL
    as the original), ``redirected:<url>`` (the source URL answers from another URL),
    ``many_outlinks:<n>``, ``robots_blocked:<rule>`` (robots.txt keeps Googlebot off the page:
    ``robots_blocked:googlebot Disallow: /syndicated/``). Empty for a page search engines
    index as it is."""
    flags = []
    if page.noindex:
        flags.append("noindex")
    if page.robots_rule:
        flags.append(f"robots_blocked:{page.robots_rule}")
    canonical = page_identity(page.canonical)[0] if page.canonical else ""
    if canonical and canonical != page.url:
        flags.append(f"canonical:{canonical}")
    final = page_identity(page.final_url)[0] if page.final_url else ""
    if final and final != page.url:
        flags.append(f"redirected:{final}")
    if page.outlink_count > MANY_OUTLINKS:
        flags.append(f"many_outlinks:{page.outlink_count}")
    return flags


# A backlink in a part of the page that is mostly links, over many links, sits in a link list
# (a blogroll, a footer of partner links, a link farm's page), not in written text.
DENSE_BLOCK = 0.8
DENSE_BLOCK_LINKS = 5


def link_flags(link: LinkItem) -> list[str]:
    """What about the link's own spot lowers its worth: ``dense_link_block:<share>/<links>``
    when link text is at least :data:`DENSE_BLOCK` of the text around it over at least
    :data:`DENSE_BLOCK_LINKS` links."""
    if link.block_link_density >= DENSE_BLOCK and link.block_links >= DENSE_BLOCK_LINKS:
        return [f"dense_link_block:{link.block_link_density:.2f}/{link.block_links}"]
    return []


def backlink_doc(page: PageItem, link: LinkItem, run_id: str, seen_at: datetime,
                 flags: list[str] | None = None) -> dict[str, Any]:
    """A ``backlinks`` document; ``flags`` are the page's :func:`page_flags` (computed here
    when not given: pass them to compute them once per page)."""
    return {
        "key": link.key or backlink_key(page.url, link.normalized_url, link.anchor_text,
                                        link.link_kind),
        "source_url": page.url,
        "source_host": link.source_host or page.host,
        "source_domain": link.source_domain or page.domain,
        "target_url": link.normalized_url,
        "url": link.url,
        "href": link.href,
        "target_host": link.target_host,
        "target_domain": link.target_domain,
        "anchor_text": link.anchor_text,
        "rel": link.rel,
        "follow": link.follow,
        "tag": link.tag,
        "link_kind": link.link_kind,
        "is_image": link.is_image,
        "in_noscript": link.in_noscript,
        "location": link.location,
        "location_confidence": link.location_confidence,
        "location_evidence": link.location_evidence,
        "link_type": link.link_type,
        "confidence": link.confidence,
        "evidence": link.evidence,
        "context": link.context,
        "dom_path": link.dom_path,
        "wrapper": link.wrapper,
        "source_ip": page.ip_address,
        "source_network": page.network,
        "page_type": page.page_type,
        "block_link_density": link.block_link_density,
        "block_links": link.block_links,
        "page_flags": [*(page_flags(page) if flags is None else flags), *link_flags(link)],
        "run_id": run_id,
        "seen_at": seen_at,
    }


def link_json(link: LinkItem) -> dict[str, Any]:
    """The stable per-link JSON of ``linkcrawl extract`` (keys documented in docs/cli.md)."""
    return {
        "url": link.url,
        "normalized_url": link.normalized_url,
        "target_domain": link.target_domain,
        "anchor_text": link.anchor_text,
        "rel": link.rel,
        "follow": link.follow,
        "location": link.location,
        "location_confidence": link.location_confidence,
        "location_evidence": link.location_evidence,
        "link_type": link.link_type,
        "confidence": link.confidence,
        "evidence": link.evidence,
        "is_image": link.is_image,
        "in_noscript": link.in_noscript,
        "wrapper": link.wrapper,
        "context": link.context,
        "dom_path": link.dom_path,
    }


def mention_doc(
    page: PageItem, mention: dict[str, Any], run_id: str, seen_at: datetime
) -> dict[str, Any]:
    """A ``mentions`` document from one of :func:`linkcrawl.analysis.mentions.find_mentions`'s."""
    return {
        "key": mention_key(page.url, mention["target"], mention["term"]),
        "target_domain": mention["target_domain"],
        "target": mention["target"],
        "term": mention["term"],
        "source_url": page.url,
        "source_host": page.host,
        "source_domain": page.domain,
        "context": mention["context"],
        "location": mention["location"],
        "occurrences": mention["occurrences"],
        "page_type": page.page_type,
        "run_id": run_id,
        "seen_at": seen_at,
    }
