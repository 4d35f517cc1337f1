"""Closed vocabularies shared by extraction, classification, stores and reports.

Extend only by appending values, and document every new value in docs/classifiers.md (Vocabularies).
"""

from __future__ import annotations

LOCATIONS: tuple[str, ...] = (
    "content",
    "navigation",
    "header",
    "footer",
    "sidebar",
    "comment",
    "author_bio",
    "breadcrumb",
    "other",
)

LINK_TYPES: tuple[str, ...] = (
    "editorial",
    "guest_post",
    "partner",
    "acknowledgment",
    "directory",
    "comment",
    "forum",
    "press_release",
    "other",
)

PAGE_TYPES: tuple[str, ...] = (
    "article",
    "guest_post",
    "forum_thread",
    "forum_index",
    "directory",
    "press_release",
    "sponsors",
    "partners",
    "homepage",
    "other",
)

# rel values that stop a link from passing equity (Google: rel="nofollow", "ugc", "sponsored").
NO_EQUITY_RELS: frozenset[str] = frozenset({"nofollow", "ugc", "sponsored"})

# backlinks.status of a link replaced by its edited successor (linkcrawl.history.linkedits)
SUPERSEDED = "superseded"

# backlinks.status of a link that a vendor export or Search Console claims and that no crawl
# has confirmed yet (linkcrawl.sources.imports): counted nowhere until a recheck finds it
CLAIMED = "claimed"
# statuses left out of referring_domains, placements and reports
NOT_COUNTED: tuple[str, ...] = (SUPERSEDED, CLAIMED)
