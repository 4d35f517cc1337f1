"""Reciprocal links, found in the crawl graph: pure helpers, no store access.

Two domains that link to each other are (in SEO practice) exchanging links: a partner
relation. Only the crawl knows both directions, so this runs after storage, over
(source_domain, target_domain) pairs: the backlinks found and the domain-graph edges.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkcrawl.verdict import Verdict

__all__ = ["EVIDENCE", "RETYPED", "reciprocal_pairs", "retype"]

EVIDENCE = "graph:reciprocal"
# Every link of a reciprocal pair gets the evidence. Only an in-content link that the page
# alone could not explain ("other" in "content") becomes "partner": what the page says about
# a link (an editorial review, a sponsor logo, a directory listing, a site-wide theme credit)
# outweighs the exchange, and analysts find exchanges by filtering on the evidence.
RETYPED: frozenset[tuple[str, str]] = frozenset({("other", "content")})

Pair = tuple[str, str]


def reciprocal_pairs(backlinks: Iterable[Pair], edges: Iterable[Pair]) -> set[Pair]:
    """The (source_domain, target_domain) pairs, among ``backlinks`` and ``edges``, whose
    reverse direction is also present in either; both directions are returned.

    A pair linking a domain to itself is never reciprocal; empty domains are ignored.
    """
    known = {(s, t) for s, t in (*backlinks, *edges) if s and t and s != t}
    return {(s, t) for s, t in known if (t, s) in known}


def retype(verdict: Verdict, location: str) -> Verdict:
    """The verdict of a link at ``location`` once its pair is known to be reciprocal."""
    value = "partner" if (verdict.value, location) in RETYPED else verdict.value
    evidence = verdict.evidence if EVIDENCE in verdict.evidence else (*verdict.evidence, EVIDENCE)
    confidence = max(verdict.confidence, 0.7) if value != verdict.value else verdict.confidence
    return Verdict(value, confidence, evidence)
