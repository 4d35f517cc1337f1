"""Which forum links lead to boards, threads and their pages, and which lead nowhere useful.

Pure functions over URLs. Forum engines are recognised by their URL conventions, which
are stable across themes (markup is not); a generic fallback reads the words in the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from linkcrawl.navigate.traps import OFFSET_PARAMS, PAGE_PARAMS

__all__ = [
    "BOARD", "SKIP", "THREAD", "ForumLink", "classify_forum_url", "detect_engine", "item_key",
]

BOARD, THREAD, SKIP, OTHER = "board", "thread", "skip", "other"


@dataclass(frozen=True, slots=True)
class _Engine:
    name: str
    board: re.Pattern[str]
    thread: re.Pattern[str]
    skip: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# URL conventions per engine, matched against "path?query" (lower-cased). Sources: the
# default URL schemes of phpBB 3.3, vBulletin 3/4 (plain and friendly URLs), XenForo 2,
# Discourse (crawler/noscript view) and Invision Community 4. "skip" lists each engine's
# login, profile, search, reply/quote, print, report, post-permalink and member pages.
ENGINES: tuple[_Engine, ...] = (
    _Engine(
        "phpbb",
        _rx(r"/viewforum\.php\?(.*&)?f=\d+"),
        _rx(r"/viewtopic\.php\?(.*&)?t=\d+"),
        _rx(r"/(ucp|memberlist|search|posting|mcp|faq|viewonline|report|feed)\.php"
            r"|/viewtopic\.php\?(.*&)?(p=\d+|view=(print|next|previous))|/app\.php/"),
    ),
    _Engine(
        "vbulletin",
        _rx(r"/forumdisplay\.php|/forums/\d+-"),
        _rx(r"/showthread\.php|/threads/\d+-"),
        _rx(r"/(member|search|newreply|newthread|private|login|register|printthread|showpost"
            r"|sendmessage|calendar|online|usercp|misc|report|profile|subscription|editpost)"
            r"\.php|/members/\d+"),
    ),
    _Engine(
        "xenforo",
        _rx(r"/forums/[^/]+\.\d+/"),
        _rx(r"/threads/[^/]+\.\d+/"),
        _rx(r"/(members|login|register|search|account|whats-new|goto|misc|help|online"
            r"|conversations|lost-password|find-threads|watched)/"
            r"|/posts/\d+|/threads/[^/]+\.\d+/(reply|latest|unread|post-\d+|watch|share)"),
    ),
    _Engine(
        "discourse",
        _rx(r"^/c/[^?]+"),
        _rx(r"^/t/[^/]+/\d+(/?$|/?\?page=\d+$)"),
        _rx(r"^/(u|users|login|signup|session|search|my|badges|groups|about|faq|guidelines"
            r"|tos|privacy|posts|raw|print|new|unread|top|latest|categories\.json)(/|$|\?)"
            r"|^/t/[^/]+/\d+/\d+|\.(rss|json)(\?|$)"),
    ),
    _Engine(
        "invision",
        _rx(r"/forum/\d+-[^/]+/"),
        _rx(r"/topic/\d+-[^/]+/"),
        _rx(r"/(profile|login|register|search|messenger|notifications|discover|online|staff"
            r"|leaderboard|lostpassword|followers|ignore|settings)/|[?&]do="),
    ),
)

# ENGINES with the named engine moved to the front (classify_forum_url runs per link).
_ENGINES_FIRST: dict[str, tuple[_Engine, ...]] = {
    first.name: (first, *(e for e in ENGINES if e is not first)) for first in ENGINES
}

# Generic fallback: path words of board and thread URLs, and of pages never worth a visit.
GENERIC_BOARD_WORDS = frozenset({"forum", "forums", "board", "boards", "subforum", "category",
                                 "categories", "section", "f"})
GENERIC_THREAD_WORDS = frozenset({"thread", "threads", "topic", "topics", "discussion",
                                  "discussions", "t", "d", "post", "posts"})
GENERIC_SKIP_WORDS = frozenset(
    {"login", "logout", "signin", "sign-in", "signup", "register", "profile", "profiles",
     "member", "members", "memberlist", "user", "users", "search", "reply", "newreply",
     "newtopic", "new-topic", "quote", "edit", "delete", "report", "print", "printthread",
     "subscribe", "unsubscribe", "watch", "bookmark", "share", "pm", "messages", "inbox",
     "faq", "help", "rss", "feed", "atom", "lostpassword", "password", "online", "calendar"}
)
_WORD_SPLIT = re.compile(r"[/._\-?&=]+")


@dataclass(frozen=True, slots=True)
class ForumLink:
    kind: str  # board, thread, skip or other
    engine: str  # the engine whose URL scheme matched, or "generic"


def _target(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path).lower() + (f"?{parts.query.lower()}" if parts.query else "")


def classify_forum_url(url: str, engine: str = "") -> ForumLink:
    """What ``url`` is on a forum: a board, a thread (or one of their pages), a page to
    skip, or something else. ``engine`` (if known) is tried first."""
    target = _target(url)
    for eng in _ENGINES_FIRST.get(engine, ENGINES):
        if eng.skip.search(target):
            return ForumLink(SKIP, eng.name)
        if eng.thread.search(target):
            return ForumLink(THREAD, eng.name)
        if eng.board.search(target):
            return ForumLink(BOARD, eng.name)
    words = [w for w in _WORD_SPLIT.split(target) if w]
    if any(w in GENERIC_SKIP_WORDS for w in words):
        return ForumLink(SKIP, "generic")
    if any(w in GENERIC_THREAD_WORDS for w in words):
        return ForumLink(THREAD, "generic")
    if any(w in GENERIC_BOARD_WORDS for w in words):
        return ForumLink(BOARD, "generic")
    return ForumLink(OTHER, "generic")


def detect_engine(urls: list[str]) -> str:
    """The engine whose URL scheme most of a page's links follow ("generic" if none)."""
    counts: dict[str, int] = {}
    for url in urls:
        link = classify_forum_url(url)
        if link.kind in (BOARD, THREAD) and link.engine != "generic":
            counts[link.engine] = counts.get(link.engine, 0) + 1
    return max(counts, key=lambda name: counts[name]) if counts else "generic"


_PAGE_SUFFIX_RE = re.compile(r"/(page[-/]?\d+|p\d+)/?$", re.I)
_PAGE_NAMES = PAGE_PARAMS | OFFSET_PARAMS


def item_key(url: str) -> str:
    """``url`` without its page number: two pages of one thread or board share a key."""
    parts = urlsplit(url)
    path = _PAGE_SUFFIX_RE.sub("", parts.path).rstrip("/")
    query = "&".join(
        p for p in parts.query.split("&")
        if p and unquote(p.split("=", 1)[0]).lower() not in _PAGE_NAMES
    )
    return f"{parts.netloc.lower()}{path}?{query}"
