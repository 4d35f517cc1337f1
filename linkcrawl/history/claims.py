"""Claims: backlinks a vendor export says exist, judged against the page that answered now.

A claim (``status: claimed``, written by :mod:`linkcrawl.sources.imports`) is not a backlink
until a fetch of its page shows the link; until then it counts nowhere. The recheck
pipeline fetches the page once, like for any stored link, and asks :func:`judge_claim`:

- ``confirmed``: the page links to the claimed target URL (scheme, ``www.`` and a trailing
  slash ignored, since exports disagree on them), or, for a claim without a target URL
  (Search Console lists linking pages only), to the claim's target domain. The link found
  is stored as an ordinary live backlink, located and typed like any crawled one;
- ``not_found``: the page answered and does not have such a link;
- ``page_gone``: 404 or 410;
- ``unreachable``: any other reason the page could not be read (an error status, robots.txt,
  no answer), with the recheck's lost reason as the detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linkcrawl.history.recheck import Fetch, page_problem
from linkcrawl.vocab import SUPERSEDED

CLAIM_OUTCOMES: tuple[str, ...] = ("confirmed", "not_found", "page_gone", "unreachable")
PENDING = "pending"  # imported, not fetched yet
KNOWN = "known"  # a crawl had already stored this link when it was imported


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    key: str
    outcome: str  # one of CLAIM_OUTCOMES
    detail: str = ""
    found: Mapping[str, Any] | None = field(default=None, compare=False)


def loose_url(url: str) -> str:
    """A URL without scheme, ``www.`` and trailing slash: how exports and pages may differ."""
    rest = url.split("://", 1)[-1]
    rest = rest.removeprefix("www.")
    return rest.rstrip("/")


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def judge_claim(claim: Mapping[str, Any], fetch: Fetch) -> ClaimVerdict:
    """The verdict on one claim from the page fetched for it (``fetch.links`` are the
    backlink documents found on the page that answered)."""
    problem = page_problem(fetch)
    if problem is not None:
        reason, detail = problem
        outcome = "page_gone" if reason == "page_gone" else "unreachable"
        return ClaimVerdict(claim["key"], outcome, f"{reason}: {detail}" if detail else reason)
    wanted = claim.get("target_url") or ""
    domain = claim.get("target_domain") or ""
    if wanted:
        loose = loose_url(wanted)
        candidates = [d for d in fetch.links if loose_url(d.get("target_url") or "") == loose]
    else:
        candidates = [d for d in fetch.links if d.get("target_domain") == domain]
    if not candidates:
        return ClaimVerdict(claim["key"], "not_found",
                            f"no link to {wanted or domain} on {fetch.final_url or fetch.url}")
    anchor = _words(claim.get("anchor_text") or "")
    same = [d for d in candidates if d["key"] == claim["key"]]
    by_anchor = [d for d in candidates if anchor and _words(d.get("anchor_text") or "") == anchor]
    found = (same or by_anchor or candidates)[0]
    detail = "same link" if same else "anchor matches" if by_anchor else "other anchor"
    return ClaimVerdict(claim["key"], "confirmed", detail, found)


def claim_fields(verdict: ClaimVerdict, at: datetime) -> dict[str, Any]:
    """The fields to set on the claim document. A confirmed claim whose link was stored
    under another key (another anchor, another URL form) is superseded by that link, so
    it is counted once; a refuted claim stays ``claimed``, with why, for the next recheck."""
    fields: dict[str, Any] = {"claim_status": verdict.outcome, "checked_at": at}
    if verdict.found is not None and verdict.found["key"] != verdict.key:
        fields.update(status=SUPERSEDED, superseded_by=verdict.found["key"])
    elif verdict.found is not None:  # the claim is now a backlink linkcrawl has seen: from now
        fields["first_seen"] = at
    return fields


def split_claims(docs: Sequence[Mapping[str, Any]], claimed: str
                 ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(claims, the other stored links) of one page's planned documents."""
    claims = [d for d in docs if d.get("status") == claimed]
    return claims, [d for d in docs if d.get("status") != claimed]
