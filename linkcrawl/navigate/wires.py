"""Press-release wires: which links lead to releases or newsroom pages, and how old they are.

Pure functions over URLs. Dates in URLs let the wires spider honour ``-a since=`` before
fetching anything; pages without one are dated from their own markup after the fetch.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

from linkcrawl.navigate.traps import page_number

__all__ = ["NEWSROOM", "RELEASE", "SKIP", "before", "classify_wire_url", "url_date"]

RELEASE, NEWSROOM, SKIP, OTHER = "release", "newsroom", "skip", "other"

# Path words of release pages and newsroom listings. Sources: the URL schemes of PR
# Newswire (/news-releases/), Business Wire (/news/home/), GlobeNewswire
# (/news-release/YYYY/MM/DD/), PRWeb (/releases/), EIN Presswire (/newsroom/, /article/),
# and company newsrooms built on WordPress (/press/, /news/, /pressemitteilungen/).
RELEASE_WORDS = frozenset(
    {"release", "releases", "news-release", "news-releases", "press-release",
     "press-releases", "pressreleases", "pr", "article", "story", "pressemitteilung",
     "pressemitteilungen", "communique", "communiques"}
)
NEWSROOM_WORDS = frozenset({"newsroom", "news", "press", "presse", "media", "latest", "archive",
                            "industry", "industries", "category", "topic", "topics", "tag"})
SKIP_WORDS = frozenset(
    {"login", "signin", "register", "signup", "account", "subscribe", "unsubscribe", "search",
     "contact", "print", "share", "email", "pricing", "distribute", "submit", "cart", "checkout"}
)
_DATE_RES = (
    re.compile(r"(?<!\d)((?:19|20)\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?:/|$)"),
)
_WORDS = re.compile(r"[/._\-]+")


def url_date(url: str) -> date | None:
    """The date a URL's path states (``/2024/03/04/``, ``2024-03-04``, ``/2024/03/`` = the
    1st of the month), or None."""
    path = unquote(urlsplit(url).path)
    for pattern in _DATE_RES:
        match = pattern.search(path)
        if match:
            day = int(match.group(3)) if match.lastindex and match.lastindex >= 3 else 1
            try:
                return date(int(match.group(1)), int(match.group(2)), day)
            except ValueError:
                return None
    return None


def before(url_or_date: date | None, since: date | None, *, month_only: bool = False) -> bool:
    """True when the date is known and older than ``since`` (month precision if asked)."""
    if since is None or url_or_date is None:
        return False
    if month_only:
        return (url_or_date.year, url_or_date.month) < (since.year, since.month)
    return url_or_date < since


def classify_wire_url(url: str) -> str:
    """release, newsroom (listing or its page), skip or other, for a same-site link."""
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    words = {w for w in _WORDS.split(path) if w}
    if words & SKIP_WORDS:
        return SKIP
    leaf = path.rstrip("/").rsplit("/", 1)[-1]
    if words & RELEASE_WORDS:
        return NEWSROOM if leaf in RELEASE_WORDS or page_number(url) else RELEASE
    if url_date(url) and re.search(r"[a-z]{3,}", leaf):
        return RELEASE
    if words & NEWSROOM_WORDS or page_number(url) or path in ("", "/"):
        return NEWSROOM
    return OTHER
