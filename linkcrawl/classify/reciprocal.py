"""Reciprocal links: how a link's type changes once its pair is known to link back.

Two domains that link to each other are (in SEO practice) exchanging links: a partner
relation. Only the crawl knows both directions, so
:func:`linkcrawl.history.reciprocal.mark_reciprocal`
finds the pairs in the stored domain graph after storage and applies :func:`retype`.
"""

from __future__ import annotations

from linkcrawl.verdict import Verdict

__all__ = ["EVIDENCE", "RETYPED", "retype"]

EVIDENCE = "graph:reciprocal"
# Every link of a reciprocal pair gets the evidence. Only an in-content link that the page
# alone could not explain ("other" in "content") becomes "partner": what the page says about
# a link (an editorial review, a sponsor logo, a directory listing, a site-wide theme credit)
# outweighs the exchange, and analysts find exchanges by filtering on the evidence.
RETYPED: frozenset[tuple[str, str]] = frozenset({("other", "content")})

def retype(verdict: Verdict, location: str) -> Verdict:
    """The verdict of a link at ``location`` once its pair is known to be reciprocal."""
    value = "partner" if (verdict.value, location) in RETYPED else verdict.value
    evidence = verdict.evidence if EVIDENCE in verdict.evidence else (*verdict.evidence, EVIDENCE)
    confidence = max(verdict.confidence, 0.7) if value != verdict.value else verdict.confidence
    return Verdict(value, confidence, evidence)
