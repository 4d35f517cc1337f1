"""The interactive view of a SQLite store: Datasette metadata for linkcrawl's collections.

Analysts filter and sort backlinks and referring domains, facet by type, location, follow
and lost reason, search anchors, and open a backlink's row to read its evidence. Datasette
(a well-kept tool for exactly this: browsing SQLite in a browser) does the serving; linkcrawl
gives it the titles, facets, column descriptions and the analyst questions as canned queries
(:mod:`linkcrawl.report.queries`, with their parameters as forms).
"""

from __future__ import annotations

from typing import Any

from linkcrawl.report.queries import QUESTIONS

__all__ = ["datasette_metadata"]

# table -> (description, facets, default sort); every listed column exists in the store
TABLES: dict[str, tuple[str, list[str], str]] = {
    "backlinks": ("One row per link to a target: open a row for its evidence.",
                  ["target_domain", "link_type", "location", "follow", "status", "lost_reason"],
                  "first_seen"),
    "referring_domains": ("One row per target and referring domain.",
                          ["target_domain", "status"], "live_backlinks"),
    "mentions": ("Pages that name a target without linking to it.",
                 ["target_domain", "status", "location"], "first_seen"),
    "placements": ("A link repeated across a referring site; sitewide ones flagged.",
                   ["target_domain", "sitewide", "location"], "page_count"),
    "pages": ("Every fetched page.", ["page_type", "status", "noindex"], "last_seen"),
    "runs": ("Every crawl and recheck.", ["spider", "finish_reason"], "started_at"),
    "domain_edges": ("External links between registrable domains.", [], "links"),
}
COLUMNS: dict[str, dict[str, str]] = {
    "backlinks": {
        "location": "where the link sits (content, navigation, footer, comment, ...)",
        "location_evidence": "the signals that decided the location",
        "link_type": "how the link was earned (editorial, guest_post, partner, ...)",
        "evidence": "the signals that decided the link type",
        "follow": "1 when the link passes equity (no nofollow/ugc/sponsored)",
        "page_flags": "what about the linking page lowers the link's worth",
        "lost_reason": "why a recheck found it gone",
    },
    "referring_domains": {"authority": "0-100 from the crawl's own domain graph"},
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for the store file named ``database`` (its stem)."""
    tables = {
        name: {"description": about, "facets": facets, "sort_desc": sort,
               **({"columns": COLUMNS[name]} if name in COLUMNS else {})}
        for name, (about, facets, sort) in TABLES.items()
    }
    queries = {q.name: {"title": q.question, "sql": q.sql} for q in QUESTIONS}
    return {
        "title": "linkcrawl",
        "description": "Backlinks found by linkcrawl (read-only view of the store).",
        "databases": {database: {"tables": tables, "queries": queries}},
    }
