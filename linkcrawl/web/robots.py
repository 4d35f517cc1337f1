"""Which robots.txt rule keeps search engines off a URL: the evidence for a linking page
that Google cannot crawl (a link search engines never see passes them nothing).

The verdict itself comes from Protego in the crawl (the parser Scrapy built from the same
file); this module names the rule behind it, the way Google reads a robots.txt (RFC 9309):
the group of the most specific user agent (``googlebot``, else ``*``; several groups for
one agent are merged), then the longest matching ``Allow``/``Disallow`` pattern, ``Allow``
winning a tie; ``*`` matches any run of characters and a final ``$`` the end of the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["SEARCH_AGENT", "SearchRules", "blocking_rule", "search_engine_rules"]

# The search engine whose reading is reported: the one most sites write rules for.
SEARCH_AGENT = "googlebot"


@dataclass(frozen=True, slots=True)
class SearchRules:
    """The rules of robots.txt that apply to :data:`SEARCH_AGENT`: ``agent`` is the group
    that applies (``googlebot`` or ``*``, "" for none) and ``rules`` its (field, pattern)
    pairs in file order, ``field`` being ``allow`` or ``disallow``."""

    agent: str = ""
    rules: tuple[tuple[str, str], ...] = ()


def search_engine_rules(text: str) -> SearchRules:
    """The group of ``text`` (a robots.txt) that :data:`SEARCH_AGENT` obeys."""
    groups: dict[str, list[tuple[str, str]]] = {}
    agents: list[str] = []
    in_rules = False  # a user-agent line after rules starts a new group
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name, value = name.strip().lower(), value.strip()
        if name in ("user-agent", "useragent"):
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower().split("/", 1)[0].strip())
        elif name in ("allow", "disallow"):
            in_rules = True
            if value:  # an empty Disallow allows everything: no rule
                for agent in agents:
                    groups.setdefault(agent, []).append((name, value))
            else:
                for agent in agents:
                    groups.setdefault(agent, [])
        elif name == "crawl-delay":  # a group member too (Sitemap lines belong to none)
            in_rules = True
    for agent in (SEARCH_AGENT, "*"):
        if agent in groups:
            return SearchRules(agent, tuple(groups[agent]))
    return SearchRules()


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def blocking_rule(rules: SearchRules, url: str) -> str:
    """``"<agent> Disallow: <pattern>"`` when ``rules`` keep :data:`SEARCH_AGENT` off
    ``url``, "" when it may crawl it (no rule matches, or an Allow rule wins)."""
    parts = urlsplit(url)
    if parts.path == "/robots.txt":
        return ""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    best: tuple[int, bool, str] | None = None  # (length, is allow, pattern)
    for field, pattern in rules.rules:
        if _pattern(pattern).match(target) is None:
            continue
        candidate = (len(pattern), field == "allow", pattern)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None or best[1]:
        return ""
    return f"{rules.agent} Disallow: {best[2]}"
