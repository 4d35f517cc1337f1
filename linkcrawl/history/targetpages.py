"""Is the page a backlink points to still there? Broken backlinks are links to reclaim.

A live backlink whose target URL answers 4xx/5xx, or redirects to an unrelated page (the
site's home page, another site), passes little or nothing: fixing the page or redirecting it
to the right one is the cheapest link building there is. ``scrapy crawl targets`` fetches
each distinct target URL once per run; this module decides what the answer means.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from linkcrawl.web.domains import registrable_domain

__all__ = ["BROKEN_STATES", "target_state"]

# states a link should be reclaimed for; "redirected" (within the site, to a real page) and
# "unreachable" (the fetch failed: an outage, not an answer) are not
BROKEN_STATES = ("broken", "redirect_home", "redirect_offsite")


def target_state(url: str, status: int, final_url: str, error: str) -> tuple[str, str]:
    """(state, reason) of a target URL's answer: ``ok``, ``broken`` (``http 404``),
    ``redirect_home`` (a deep URL that lands on the home page: a soft 404),
    ``redirect_offsite`` (another registrable domain), ``redirected`` (another page of the
    site) or ``unreachable`` (no answer: DNS, timeout, refused)."""
    if error:
        return "unreachable", error
    if status >= 400:
        return "broken", f"http {status}"
    if not final_url or final_url == url:
        return "ok", f"http {status}"
    start, end = urlsplit(url), urlsplit(final_url)
    if registrable_domain(end.hostname or "") != registrable_domain(start.hostname or ""):
        return "redirect_offsite", f"redirects to {final_url}"
    if end.path in ("", "/") and not end.query and start.path not in ("", "/"):
        return "redirect_home", f"redirects to the home page {final_url}"
    return "redirected", f"redirects to {final_url}"
