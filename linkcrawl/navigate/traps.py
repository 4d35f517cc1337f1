"""Crawler-trap policy for URLs: what to strip, what to refuse, and why.

Pure functions over URL strings. :func:`check_url` cleans a URL (session ids, sort and
filter parameters) and refuses URLs that only crawler traps produce: very long URLs,
too many query parameters, repeating path segments, page numbers far down an endless
pagination, and calendar pages outside a plausible date window. Per-host budgets for
calendar pages live in the spider (they need state); the verdict here says which budget
a URL counts against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "TrapPolicy",
    "UrlVerdict",
    "check_url",
    "is_calendar",
    "page_number",
    "strip_params",
]

# --- rules as data ------------------------------------------------------------------------
# Session-id parameters always removed. Sources: Java servlets (jsessionid), PHP's default
# session name (PHPSESSID), ASP (aspsessionid*), ColdFusion (CFID/CFTOKEN), osCommerce
# (osCsid), Zen Cart (zenid), phpBB (sid), generic "sessionid"/"session_id"/"sessid".
SESSION_PARAMS: frozenset[str] = frozenset(
    {"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid", "cfid",
     "cftoken", "oscsid", "zenid", "session"}
)
SESSION_PREFIXES: tuple[str, ...] = ("aspsessionid",)
# Parameters that are session ids only when the value looks like one (32+ hex/alnum chars):
# vBulletin puts the session in "s=", which WordPress uses for search terms.
SESSION_IF_TOKEN: frozenset[str] = frozenset({"s"})
_TOKEN_RE = re.compile(r"^[0-9a-zA-Z]{24,}$")
# Sort/order/filter/view parameters that re-show the same items in another order or subset.
# Sources: phpBB (sk, sd, st), vBulletin (sort, order, daysprune, pp), XenForo (order,
# direction), Discourse (order, ascending), Invision (sortby, sortdirection), WordPress and
# WooCommerce (orderby, order, filter_*),
# common listing scripts (sort_by, sortby, dir, view, display, layout, per_page, limit).
SORT_FILTER_PARAMS: frozenset[str] = frozenset(
    {"sort", "sortby", "sort_by", "sortorder", "sort_order", "order", "orderby", "order_by",
     "dir", "direction", "sortdirection", "ascending", "sk", "sd", "st", "daysprune", "pp",
     "per_page", "perpage", "limit", "view", "display", "layout", "filter", "filters",
     "printertopic", "hilit", "highlight"}
)
SORT_FILTER_PREFIXES: tuple[str, ...] = ("filter_", "sort_", "facet")
# Query parameters and path shapes of pagination (page numbers and item offsets).
PAGE_PARAMS: frozenset[str] = frozenset({"page", "p", "pg", "paged", "pagenum", "pageno"})
OFFSET_PARAMS: frozenset[str] = frozenset({"start", "offset", "from", "skip"})
_PAGE_PATH_RE = re.compile(r"/(?:page|p|seite|pagina)[/-]?(\d+)(?:/|\.html?)?$", re.I)
_XENFORO_PAGE_RE = re.compile(r"/page-(\d+)/?$", re.I)
# Calendar traps: words in the path or parameter names of calendar/event widgets
# (WordPress "The Events Calendar", MediaWiki/phpBB calendars, generic ?month=&year=).
CALENDAR_WORDS: frozenset[str] = frozenset({"calendar", "kalender", "calendrier", "agenda"})
CALENDAR_PARAMS: frozenset[str] = frozenset(
    {"month", "year", "day", "date", "week", "cal", "calendar", "tribe-bar-date", "ical"}
)
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_REPEATS_MAX = 3  # the same path segment more than this often: a relative-link loop


@dataclass(frozen=True, slots=True)
class TrapPolicy:
    """Limits read from the LINKCRAWL_* trap settings."""

    max_url_length: int = 2048
    max_query_params: int = 12
    max_page_number: int = 100
    max_offset: int = 5000
    calendar_years_back: int = 5
    calendar_years_ahead: int = 1
    today: date | None = None  # fixed in tests


@dataclass(frozen=True, slots=True)
class UrlVerdict:
    """``url`` to request (cleaned) or ``""`` when refused; ``reason`` says why."""

    url: str
    reason: str = ""
    calendar: bool = False  # counts against the per-host calendar budget

    @property
    def refused(self) -> bool:
        return not self.url


def _param_name(piece: str) -> str:
    return unquote(piece.split("=", 1)[0]).strip().lower()


def _strip_piece(piece: str) -> bool:
    name = _param_name(piece)
    if name in SESSION_PARAMS or name.startswith(SESSION_PREFIXES):
        return True
    if name in SESSION_IF_TOKEN:
        return bool(_TOKEN_RE.match(piece.partition("=")[2]))
    return name in SORT_FILTER_PARAMS or name.startswith(SORT_FILTER_PREFIXES)


def strip_params(url: str) -> str:
    """``url`` without session ids (query and ``;jsessionid=`` path parameters) and sort/filter
    parameters; everything else stays as written, in order."""
    parts = urlsplit(url)
    path = parts.path
    if ";" in path:
        head, *params = path.split(";")
        kept = [p for p in params if _param_name(p) not in SESSION_PARAMS]
        path = ";".join([head, *kept])
    query = parts.query
    if query:
        query = "&".join(p for p in query.split("&") if p and not _strip_piece(p))
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def _params(query: str) -> list[tuple[str, str]]:
    out = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            out.append((unquote(name).lower(), unquote(value)))
    return out


def page_number(url: str) -> tuple[str, int] | None:
    """("page", N) or ("offset", N) when ``url`` is a numbered page of a listing."""
    parts = urlsplit(url)
    for name, value in _params(parts.query):
        if value.isdigit():
            if name in PAGE_PARAMS:
                return "page", int(value)
            if name in OFFSET_PARAMS:
                return "offset", int(value)
    match = _PAGE_PATH_RE.search(parts.path) or _XENFORO_PAGE_RE.search(parts.path)
    if match:
        return "page", int(match.group(1))
    return None


def is_calendar(url: str) -> bool:
    """A calendar/event-date page: a calendar word in the path or a date parameter."""
    parts = urlsplit(url)
    words = {w for w in re.split(r"[/._-]+", unquote(parts.path).lower()) if w}
    if words & CALENDAR_WORDS or "events-calendar" in parts.path.lower():
        return True
    return any(name in CALENDAR_PARAMS for name, _ in _params(parts.query))


def _years(url: str) -> list[int]:
    parts = urlsplit(url)
    return [int(y) for y in _YEAR_RE.findall(unquote(parts.path + "?" + parts.query))]


def _repeating_segments(path: str) -> bool:
    segments = [s for s in path.split("/") if s]
    if len(segments) <= _REPEATS_MAX:
        return False
    counts: dict[str, int] = {}
    for seg in segments:
        counts[seg] = counts.get(seg, 0) + 1
        if counts[seg] > _REPEATS_MAX:
            return True
    return False


def check_url(url: str, policy: TrapPolicy) -> UrlVerdict:
    """Clean ``url`` and decide whether it is worth requesting (see the module doc)."""
    if len(url) > policy.max_url_length:
        return UrlVerdict("", "url_too_long")
    cleaned = strip_params(url)
    parts = urlsplit(cleaned)
    names = [name for name, _ in _params(parts.query)]
    if len(names) > policy.max_query_params:
        return UrlVerdict("", "too_many_params")
    if len(names) != len(set(names)) and len(names) > 3:
        return UrlVerdict("", "repeated_params")
    if _repeating_segments(parts.path):
        return UrlVerdict("", "repeating_path")
    numbered = page_number(cleaned)
    if numbered:
        kind, number = numbered
        limit = policy.max_page_number if kind == "page" else policy.max_offset
        if number > limit:
            return UrlVerdict("", "deep_pagination")
    calendar = is_calendar(cleaned)
    if calendar:
        this_year = (policy.today or date.today()).year
        low, high = this_year - policy.calendar_years_back, this_year + policy.calendar_years_ahead
        if any(not low <= y <= high for y in _years(cleaned)):
            return UrlVerdict("", "calendar_out_of_range")
    return UrlVerdict(cleaned, "", calendar)
