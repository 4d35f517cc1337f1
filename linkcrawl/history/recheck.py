"""Recheck verdicts: a source page's stored backlinks vs what the page says now.

Pure functions; ``spiders/recheck.py`` fetches the pages and ``pipelines/recheck.py``
writes what these functions decide. A backlink is *lost* when a search engine would stop
counting it as a followed link from that page, for one reason from :data:`LOST_REASONS`.
A lost link that is found again is *live* again; its history keeps what happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linkcrawl.classify.reciprocal import EVIDENCE as RECIPROCAL
from linkcrawl.classify.reciprocal import retype
from linkcrawl.history.linkedits import changed_entries, with_history
from linkcrawl.verdict import Verdict as TypeVerdict
from linkcrawl.web.domains import page_identity

# reason: what the recheck saw (docs/reports.md's lost-reason table is this table)
LOST_REASONS: dict[str, str] = {
    "link_removed": "the page answers normally but the link is no longer on it",
    "moved": "the link is now on another page of the same site (the old page redirects "
    "there, or it was found there later)",
    "page_gone": "the page answers 404 Not Found or 410 Gone",
    "redirected": "the page redirects to another URL that does not have the link",
    "noindex": "the page is now noindex (meta robots or X-Robots-Tag)",
    "nofollow": "the link, or the whole page, now carries nofollow, ugc or sponsored",
    # Not given by a recheck any more: no answer is an outage, not a removal (UNREACHABLE).
    # Kept so that stores written before keep a valid reason.
    "host_unreachable": "no answer: DNS failure, refused connection, timeout, dropped connection",
    "robots_blocked": "robots.txt now forbids fetching the page",
    "http_error": "another error status (401, 403, 5xx ...) after retries",
}
# Fields whose change on a still-live link is recorded as a dated change (issue #10).
TRACKED_FIELDS: tuple[str, ...] = ("rel", "follow", "location", "link_type", "is_image")

# Scrapy (2.19 wraps Twisted's errors) and Twisted failure class names that mean "could
# not talk to the host at all".
_UNREACHABLE_ERRORS = (
    "CannotResolveHostError", "DownloadConnectionRefusedError", "DownloadTimeoutError",
    "DownloadFailedError",
    "DNSLookupError", "ConnectionRefusedError", "ConnectError", "TCPTimedOutError",
    "TimeoutError", "ResponseNeverReceived", "ConnectionLost", "ConnectionDone",
    "ConnectionAborted", "NoRouteError", "TunnelError", "ResponseFailed",
)


# The verdict status of a link whose page gave no answer at all: nothing about the link is
# known, so nothing stored changes (not lost, not checked); the recheck counts it apart.
UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Fetch:
    """What re-fetching one source page gave. ``links`` are the backlink documents found
    on the page that answered (keys computed against ``final_url``)."""

    url: str  # the stored source URL that was requested
    final_url: str  # normalized URL of the page that answered ("" when nothing answered)
    status: int = 0
    error: str = ""  # the spider's error text ("http 404", "blocked by robots.txt" ...)
    noindex: bool = False
    links: Sequence[Mapping[str, Any]] = ()
    same_site: bool = True  # final_url is on the referring domain of ``url``


@dataclass(frozen=True, slots=True)
class Verdict:
    """The recheck verdict on one stored backlink."""

    key: str
    status: str  # "live" | "lost" | UNREACHABLE
    reason: str = ""  # a LOST_REASONS key when lost
    detail: str = ""  # e.g. "http 410", "rel:ugc", "to http://site.test/new"
    changes: tuple[tuple[str, Any, Any], ...] = ()  # (field, old, new) on a live link
    found: Mapping[str, Any] | None = field(default=None, compare=False)  # the current doc


def page_problem(fetch: Fetch) -> tuple[str, str] | None:
    """(reason, detail) when the page could not be read at all, else None."""
    error = fetch.error.strip()
    if error:
        return _error_reason(error, fetch.status)
    if fetch.status in (404, 410):
        return "page_gone", f"http {fetch.status}"
    if fetch.status >= 400:
        return "http_error", f"http {fetch.status}"
    return None


def _was_lost_for(doc: Mapping[str, Any], reason: str) -> bool:
    return doc.get("status") == "lost" and doc.get("lost_reason") == reason


def _error_reason(error: str, status: int) -> tuple[str, str]:
    lowered = error.lower()
    if "robots" in lowered:
        return "robots_blocked", "robots.txt"
    if status in (404, 410) or lowered in ("http 404", "http 410"):
        return "page_gone", f"http {status or lowered.split()[-1]}"
    if status or lowered.startswith("http "):
        return "http_error", lowered if lowered.startswith("http ") else f"http {status}"
    name = error.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    if name in _UNREACHABLE_ERRORS or "timeout" in lowered or "timed out" in lowered:
        return "host_unreachable", name
    return "http_error", error[:120]


def _match_key(doc: Mapping[str, Any]) -> tuple[str, str, str]:
    """A stored link is found again as the same target, anchor and link kind (a document
    stored before link kinds existed is an ordinary anchor)."""
    return doc.get("target_url") or "", doc.get("anchor_text") or "", doc.get("link_kind") or "a"


def diff_page(
    old: Iterable[Mapping[str, Any]], fetch: Fetch, *, was_noindex: bool = False
) -> list[Verdict]:
    """One verdict per stored backlink of ``fetch.url`` (``old``).

    ``was_noindex``: the page was already noindex when last stored; a link counts as lost
    for noindex/nofollow only if it was indexable/followed before (or already lost so).
    """
    old = list(old)
    problem = page_problem(fetch)
    if problem is not None:
        status = UNREACHABLE if problem[0] == "host_unreachable" else "lost"
        return [Verdict(d["key"], status, *problem) for d in old]
    current = {_match_key(d): d for d in fetch.links}
    redirected = bool(fetch.final_url) and fetch.final_url != fetch.url
    verdicts = []
    for doc in old:
        found = current.get(_match_key(doc))
        if fetch.noindex and (not was_noindex or _was_lost_for(doc, "noindex")):
            verdicts.append(Verdict(doc["key"], "lost", "noindex", "page:noindex", (), found))
        elif found is None:
            reason = "redirected" if redirected else "link_removed"
            detail = f"to {fetch.final_url}" if redirected else ""
            verdicts.append(Verdict(doc["key"], "lost", reason, detail))
        elif redirected:
            reason = "moved" if fetch.same_site else "redirected"
            verdicts.append(Verdict(doc["key"], "lost", reason, f"to {fetch.final_url}", (), found))
        elif not found.get("follow", True) and (
            doc.get("follow", True) or _was_lost_for(doc, "nofollow")
        ):
            verdicts.append(Verdict(doc["key"], "lost", "nofollow", _nofollow_detail(found),
                                    changes(doc, found), found))
        else:
            verdicts.append(Verdict(doc["key"], "live", "", "", changes(doc, found), found))
    return verdicts


def _nofollow_detail(found: Mapping[str, Any]) -> str:
    rels = sorted({"nofollow", "ugc", "sponsored"} & set(found.get("rel") or ()))
    return ",".join(f"rel:{r}" for r in rels) or "page:nofollow"


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[tuple[str, Any, Any], ...]:
    """(field, old, new) for each tracked field whose value changed (a link the store
    marked reciprocal is compared with the new link retyped the same way)."""
    out = []
    for name in TRACKED_FIELDS:
        if name not in new or name not in old:
            continue
        before, after = old[name], new[name]
        if name == "link_type" and RECIPROCAL in (old.get("evidence") or ()):
            # the store retyped the old link once its pair was found reciprocal: compare like
            after = retype(TypeVerdict(after, 0.0, ()), new.get("location") or "").value
        if isinstance(before, list | tuple) and isinstance(after, list | tuple):
            if sorted(before) == sorted(after):
                continue
        elif before == after:
            continue
        out.append((name, before, after))
    return tuple(out)


def verdict_fields(old: Mapping[str, Any], verdict: Verdict, at: datetime) -> dict[str, Any]:
    """The fields to set on the stored backlink for ``verdict``, history included."""
    entries = changed_entries(verdict.changes, at)
    was_lost = old.get("status") == "lost"
    fields: dict[str, Any] = {"checked_at": at}
    if verdict.status == "live":
        fields.update(status="live", lost_at=None, lost_reason=None, last_seen=at)
        if was_lost:
            entries.append({"at": at, "event": "live", "detail": "found again"})
            fields["restored_at"] = at
    else:
        same = was_lost and old.get("lost_reason") == verdict.reason
        fields.update(status="lost", lost_reason=verdict.reason,
                      lost_at=old.get("lost_at") if same and old.get("lost_at") else at)
        if not same:
            entries.append({"at": at, "event": "lost", "reason": verdict.reason,
                            "detail": verdict.detail})
    fields["history"] = with_history(old, entries)
    return fields


def plan_recheck(
    docs: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    older_than_days: float | None = None,
) -> dict[str, list[str]]:
    """Source URL -> keys of its backlinks to recheck, in first-seen order of the pages.

    With ``older_than_days``, only links not checked (or, never checked, not seen) for
    that many days are picked; a page is fetched once for all of its picked links.
    """
    plan: dict[str, list[str]] = {}
    for doc in docs:
        if older_than_days is not None:
            last = doc.get("checked_at") or doc.get("last_seen")
            if last is not None and (now - last).total_seconds() < older_than_days * 86400:
                continue
        plan.setdefault(doc["source_url"], []).append(doc["key"])
    return plan


def fetch_of(page: Any, links: Sequence[Mapping[str, Any]]) -> Fetch:
    """The :class:`Fetch` of a recheck page item (``page.url`` = the stored source URL)."""
    final = "" if page.error else page_identity(page.final_url or page.url)[0]
    return Fetch(
        url=page.url, final_url=final, status=page.status, error=page.error,
        noindex=page.noindex, links=links,
        same_site=bool(final) and page_identity(final)[2] == page_identity(page.url)[2],
    )


def suspected_losses(
    old: Iterable[Mapping[str, Any]], fetch: Fetch, *, was_noindex: bool = False
) -> list[Verdict]:
    """Verdicts that would turn a live link lost: worth a second fetch before believing.
    ``was_noindex`` as for :func:`diff_page` (a page noindex all along loses nothing)."""
    old = [d for d in old if d.get("status", "live") == "live"]
    return [v for v in diff_page(old, fetch, was_noindex=was_noindex) if v.status == "lost"]


def moved_within_site(
    verdict: Verdict, old: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]]
) -> Verdict:
    """A ``link_removed`` verdict becomes ``moved`` when the same link (target URL and
    anchor) is live on another page of the same referring domain that was first seen after
    this one: the site moved the link rather than dropping it."""
    if verdict.reason != "link_removed":
        return verdict
    since = old.get("first_seen")
    for doc in sorted(candidates, key=lambda d: d.get("first_seen") or since or 0):
        if (doc.get("status") == "live" and doc.get("source_url") != old.get("source_url")
                and doc.get("source_domain") == old.get("source_domain")
                and _match_key(doc) == _match_key(old)
                and (since is None or (doc.get("first_seen") or since) > since)):
            return Verdict(verdict.key, "lost", "moved", f"to {doc['source_url']}")
    return verdict
