"""What kind of page links sit on: forum thread, article, guest post, press release, ...

Each page type collects points from independent signals (structured data, URL shape,
headings, engine fingerprints, wording); the best-scoring type over its threshold wins, ties
go to the more specific type (``PRECEDENCE``). Guest posts and press releases are
refinements of an article, so they beat the article score whenever they pass. The rules
(keyword lists, fingerprints) live in :mod:`linkcrawl.classify.type_rules`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import unquote, urlsplit

from lxml import etree

from linkcrawl.classify import type_rules as rules
from linkcrawl.classify._pagescan import PageScan, scan_page
from linkcrawl.items import LinkItem, PageFacts
from linkcrawl.verdict import Verdict
from linkcrawl.web.domains import brand_name, host_of, site_of

__all__ = ["PRECEDENCE", "LinkDetails", "detect_page_type"]


class LinkDetails(Protocol):
    """Where links sit, read on demand (``linkcrawl.analysis.extract.LinkDetails``): page
    typing asks for the off-site links it reads, and only then."""

    def fill(self, links: Sequence[LinkItem]) -> None: ...

logger = logging.getLogger(__name__)

# Ties between types that pass their threshold go to the earlier one (the more specific).
PRECEDENCE: tuple[str, ...] = (
    "forum_thread", "forum_index", "press_release", "guest_post", "directory", "sponsors",
    "partners", "homepage", "article", "other",
)
THRESHOLD = 3  # points a specific type needs; an article needs 2
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:·»/]\s+|:\s+")


def _confidence(score: int) -> float:
    """2 points -> 0.6, 3 -> 0.7, 4 -> 0.8, 5 -> 0.85, 6+ -> 0.9."""
    return {2: 0.6, 3: 0.7, 4: 0.8, 5: 0.85}.get(score, 0.9 if score > 5 else 0.5)


class _Score:
    """Points and evidence for one page type."""

    def __init__(self) -> None:
        self.points = 0
        self.evidence: list[str] = []

    def add(self, points: int, evidence: str) -> None:
        if evidence not in self.evidence:
            self.points += points
            self.evidence.append(evidence)


def _forum(scan: PageScan, generator: str, path: str, scores: dict[str, _Score]) -> None:
    """Engine fingerprints first; generic forum markup when no engine is recognized."""
    if scan.tokens & rules.FORUM_ARTICLE_TEMPLATES:
        return  # an article (or media item) published with the forum's software
    best: tuple[int, rules.ForumEngine | None, list[str]] = (0, None, [])
    for engine in rules.FORUM_ENGINES:
        points, evidence = 0, []
        if generator and re.search(engine.generator, generator, re.I):
            points, evidence = 3, [f"generator:{engine.name}"]
        markers = sorted(engine.markers & scan.tokens)
        points += min(len(markers), 3)
        evidence += [f"class:{m}" for m in markers[:3]]
        if not points:
            continue  # a credit or URL alone is an article *about* the engine
        if engine.footer in scan.end_text:
            points += 2
            evidence.append(f'text:"{engine.footer}"')
        if re.search(engine.thread_url, path) or re.search(engine.index_url, path):
            points += 1
        if points > best[0]:
            best = (points, engine, evidence)
    points, engine, evidence = best
    thread, index = scores["forum_thread"], scores["forum_index"]
    if engine is not None and points >= 2:
        posts = sum(scan.classes[c] for c in engine.post_classes)
        rows = sum(scan.classes[c] for c in engine.index_classes)
        target = index
        if posts and (posts >= rows or re.search(engine.thread_url, path)):
            target = thread
            evidence.append(f"posts={posts}")
        elif rows:
            evidence.append(f"topics={rows}")
        elif re.search(engine.thread_url, path):
            target = thread
        target.add(points + 1, f"page:forum_engine={engine.name}")
        for item in evidence:
            target.evidence.append(item)
        return
    if scan.schema & rules.FORUM_SCHEMA:
        thread.add(3, "schema:DiscussionForumPosting")
    posts = sum(scan.classes[c] for c in rules.GENERIC_POST_CLASSES)
    if posts >= 2:
        thread.add(2, f"posts={posts}")
    if re.search(rules.FORUM_THREAD_URL, path):
        thread.add(1, "url:thread")
    # Below 2 points this one cannot lift forum_thread to THRESHOLD (no type counts below
    # it), and the check scans all the page's text, end_text included: skipped there.
    if thread.points >= THRESHOLD - 1 and _contains_two(rules.FORUM_WORDS, scan.all_text):
        thread.add(1, "text:forum_chrome")
    if any(scan.classes[c] for c in rules.GENERIC_INDEX_CLASSES):
        index.add(2, "class:topic_list")
    if re.search(rules.FORUM_INDEX_URL, path) and index.points:
        index.add(1, "url:forum")


def _press(scan: PageScan, url: str, site: str, path: str, titles: list[str],
           s: _Score) -> None:
    host = host_of(url).removeprefix("www.")
    wire = site if site in rules.WIRE_DOMAINS else host if host in rules.WIRE_DOMAINS else ""
    if wire:
        s.add(4, f"domain:{wire}")
    if scan.schema & rules.PRESS_SCHEMA:
        s.add(4, "schema:PressRelease")
    opener = rules.PRESS_OPENER.search(scan.text[:1500])
    if opener:
        s.add(3, f'text:"{opener}"')
    for text in titles + scan.labels:
        found = rules.PRESS_LABEL.heading(text)
        if found:
            s.add(2, f'heading:"{found}"')
            break
    first = scan.paragraphs[:6]
    if any(rules.WIRE_CREDIT.search(p) for p in first):
        s.add(3, "text:wire_credit")
    if any(rules.DATELINE.match(p) for p in first):
        s.add(2, "text:dateline")
    for text in scan.labels:
        company = _about_company(text)
        if company:
            s.add(1, f'text:"about {company}"')
            break
    contact = rules.PRESS_CONTACT.search(" ".join(scan.labels))
    if contact:
        s.add(1, f'text:"{contact}"')
    if scan.end_mark:
        s.add(1, "text:###")
    if rules.PRESS_URL.search(path):
        s.add(2, "url:press")


def _contains_two(words: Sequence[str], text: str) -> bool:
    """Whether at least two of ``words`` occur in ``text``; stops at the second (each check
    scans the whole text, up to 50,000 characters)."""
    found = 0
    for word in words:
        if word in text:
            found += 1
            if found == 2:
                return True
    return False


def _about_company(text: str) -> str | None:
    """The company named in an "About <Company>" boilerplate heading, else None."""
    if not text.startswith(rules.ABOUT_PREFIXES):
        return None  # most labels: one C call instead of a loop over the prefixes
    for prefix in rules.ABOUT_PREFIXES:
        if text.startswith(prefix + " ") or (prefix.endswith("'") and text.startswith(prefix)):
            rest = text[len(prefix):].strip(" :")
            words = rest.split()
            if not words or len(words) > 5 or any(
                rest == n or rest.startswith(n + " ") for n in rules.ABOUT_NOT
            ):
                return None
            return rest
    return None


def _headed(phrases: rules.Phrases, titles: list[str], scan: PageScan, url_rx: re.Pattern[str],
            path: str, s: _Score, url_name: str) -> None:
    """Score a page whose title/h1 (3), last URL segment (2) or content sections (1 each,
    max 2) say so. Only the last segment: /resources/guides/x is a guide, not a links page."""
    _titled(phrases, titles, s)
    if url_rx.search("/" + path.rstrip("/").rsplit("/", 1)[-1]):
        s.add(2, f"url:{url_name}")
    _sectioned([found for text in scan.subheadings if (found := phrases.heading(text))], s)


def _titled(phrases: rules.Phrases, titles: list[str], s: _Score) -> bool:
    """3 points for the first title/h1 part that is one of ``phrases``."""
    for text in titles:
        found = phrases.heading(text)
        if found:
            s.add(3, f'heading:"{found}"')
            return True
    return False


def _sectioned(headings: list[str], s: _Score) -> None:
    """1 point for each of the first two matching section headings."""
    for found in headings[:2]:
        s.add(1, f'section:"{found}"')


def _own_titles(parts: list[str], h1: list[str], site: str) -> list[str]:
    """What the page says it is, for the types a heading alone gives to a whole page: the
    title's parts without the site's name ("Hollow Days - Links" -> "links"; a later part
    that holds the brand names the site or its section: "Pricing changes - GitHub
    Resources", "Event planning | The Events Calendar"), and the first three h1s (pages with
    many h1s use them for menus and widgets: "Resources" in a mega menu)."""
    brand = _letters(brand_name(site)) if site else ""

    def site_name(index: int, part: str) -> bool:
        letters = _letters(part)
        return bool(brand and letters) and (letters in brand or (index > 0 and brand in letters))

    return [p for i, p in enumerate(parts) if not site_name(i, p)] + h1[:3]


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _directory(scan: PageScan, titles: list[str], site_titles: list[str],
               links: Sequence[LinkItem], path: str, site: str, s: _Score) -> None:
    """Page-level signals (headings, URL, listing markup) first; the site-wide ones (a
    directory-like site name in ``site_titles``, a "Submit your site" link on every page)
    only add to them, so a directory's About page stays "other". Directory words count in
    any title part ("Fahrradreisen | Linkfinder Webkatalog"); resource, event and form words
    only in the page's own ``titles``, and never inside another name ("Human Resources")."""
    own = [t for t in titles if not rules.DIRECTORY_HEADING_NOT.search(t)]
    if not _titled(rules.DIRECTORY_HEADING, site_titles, s):
        _titled(rules.DIRECTORY_TITLE_HEADING, own, s)
    if rules.DIRECTORY_URL.search(path):
        s.add(2, "url:directory")
    _sectioned([f for t in scan.subheadings if (f := rules.DIRECTORY_ANY_HEADING.heading(t))
                and not rules.DIRECTORY_SUBMIT_ANCHOR.heading(f)
                and not rules.DIRECTORY_HEADING_NOT.search(t)], s)
    if rules.DIRECTORY_LIST_URL.search("/" + path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]):
        s.add(2, "url:resource_list")
    libguides = sorted(scan.tokens & rules.LIBGUIDES_CLASSES)
    if libguides or any("libguides" in t for t in titles):
        s.add(4, f"platform:libguides{'=' + libguides[0] if libguides else ''}")
    buttons = {d for link in links if rules.fold(link.anchor_text)
               in rules.WEBSITE_BUTTON_ANCHORS and (d := site_of(link.url)) and d != site}
    if len(buttons) >= 3:
        s.add(3, f"anchor:website={len(buttons)}")
    entries = sum(scan.classes[c] for c in rules.DIRECTORY_CLASSES)
    if entries:
        s.add(2 if entries >= 3 else 1, f"class:listing={entries}")
    if scan.schema & rules.LISTING_SCHEMA and entries >= 3:
        s.add(1, "schema:ItemList")
    listed = sum(scan.itemtypes[t] for t in rules.LISTED_SCHEMA)
    if listed >= 3:
        s.add(2, f"schema:LocalBusiness={listed}")
    if not s.points:
        return
    for text in site_titles:
        if " " not in text and any(w in text for w in rules.DIRECTORY_NAME_WORDS):
            s.add(2, f'title:"{text}"')
            break
    for link in links:
        found = rules.DIRECTORY_SUBMIT_ANCHOR.heading(rules.fold(link.anchor_text))
        if found:
            s.add(2, f'anchor:"{found}"')
            break


def _logo_wall(links: Sequence[LinkItem], site: str, s: _Score) -> None:
    """1 point on a page already named a sponsors page (URL, heading) whose off-site links
    are mostly logos of distinct sites: a sponsor wall needs no heading of its own (event and
    club sites show tiers of bare logos)."""
    logos: set[str] = set()
    texts: set[str] = set()
    for link in links:
        domain = site_of(link.url)
        if not domain or domain == site or domain in rules.SOCIAL_DOMAINS:
            continue
        (logos if link.is_image or not link.anchor_text else texts).add(domain)
    if len(logos) >= 4 and len(logos) >= len(texts):
        s.add(1, f"logos={len(logos)}")


def _guest(scan: PageScan, titles: list[str], links: Sequence[LinkItem], site: str,
           path: str, s: _Score, details: LinkDetails | None) -> None:
    if any(rules.GUEST_GUIDELINE.search(t) for t in titles):
        return  # a "write for us" page talks about guest posts; it is not one
    found = rules.GUEST.search(scan.text)
    if found:
        s.add(3, f'text:"{found}"')
    if rules.GUEST_URL.search(path):
        s.add(2, "url:guest")
    if not s.points:
        return  # an off-site author box alone is a staff writer's own site: support only
    offsite = [link for link in links
               if (domain := site_of(link.url)) and domain != site
               and domain not in rules.SOCIAL_DOMAINS]
    if details is not None:
        details.fill(offsite)  # where these links sit is read only now, when it matters
    for link in offsite:
        if link.location == "author_bio" or any(
            rules.AUTHOR_SECTION.heading(e[9:-1]) for e in link.location_evidence
            if e.startswith('section:"')
        ):
            s.add(2, f"author_bio:offsite={site_of(link.url)}")
            break


def _article(scan: PageScan, og_type: str, path: str, s: _Score) -> None:
    types = scan.schema & rules.ARTICLE_SCHEMA
    if types:
        s.add(3, f"schema:{sorted(types)[0]}")
    if og_type in rules.OG_ARTICLE:
        s.add(2, f"og:type={og_type}")
    if scan.tags["article"] == 1:
        s.add(1, "tag:article")
    if scan.published:
        s.add(1, "meta:published")
    if rules.ARTICLE_URL.search(path):
        s.add(1, "url:article")
    if scan.tokens & rules.ARTICLE_BODY_CLASSES:
        s.add(1, "class:single-post")


def detect_page_type(
    root: etree._Element, facts: PageFacts, links: Sequence[LinkItem],
    details: LinkDetails | None = None,
) -> Verdict:
    """The page type of a parsed page, from its tree, :class:`PageFacts` and links.

    Links need their location (and section titles) only for the guest-post author-box
    signal; with ``details`` it fills them in for the off-site links it reads, when the
    page already looks like a guest post. Without it, links are taken as extracted.
    """
    url, title, generator = facts.url, rules.fold(facts.title), facts.generator
    scan = scan_page(root, facts.json_ld)
    split = urlsplit(url)
    path = rules.fold(unquote(split.path or "/"))
    path_query = path + ("?" + split.query if split.query else "")
    site = site_of(url)
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    titles = parts + scan.h1
    own = _own_titles(parts, scan.h1, site)

    scores = {name: _Score() for name in PRECEDENCE}
    _forum(scan, generator, path_query, scores)
    _press(scan, url, site, path, titles, scores["press_release"])
    _directory(scan, own, titles, links, path_query, site, scores["directory"])
    _headed(rules.SPONSOR_HEADING, own, scan, rules.SPONSOR_URL, path,
            scores["sponsors"], "sponsors")
    if rules.SPONSOR_WALL_URL.search("/" + path.rstrip("/").rsplit("/", 1)[-1]):
        _logo_wall(links, site, scores["sponsors"])
    _headed(rules.PARTNER_HEADING, own, scan, rules.PARTNER_URL, path,
            scores["partners"], "partners")
    _guest(scan, titles, links, site, path, scores["guest_post"], details)
    _article(scan, rules.fold(facts.og.get("og:type", "")), path, scores["article"])
    home = bool(rules.HOME_PATHS.match(split.path or "/")) and not split.query
    if home:
        scores["homepage"].add(3, "url:root")

    passed = [
        name for name in PRECEDENCE[:7]
        if scores[name].points >= THRESHOLD
        and (name != "guest_post" or scores["article"].points >= 2 or scores[name].points >= 5)
    ]
    if home:  # a site's root page is its homepage unless a type is unmistakable
        passed = [n for n in passed if scores[n].points >= 5 or n.startswith("forum")]
    if passed:
        best = max(passed, key=lambda n: (scores[n].points, -PRECEDENCE.index(n)))
        runner_up = max((scores[n].points for n in passed if n != best), default=0)
        confidence = _confidence(scores[best].points) - (0.1 if runner_up >= THRESHOLD else 0)
        verdict = Verdict(best, round(confidence, 2), tuple(scores[best].evidence))
    elif home:
        verdict = Verdict("homepage", 0.7, tuple(scores["homepage"].evidence))
    elif scores["article"].points >= 2:
        article = scores["article"]
        verdict = Verdict("article", _confidence(article.points), tuple(article.evidence))
    else:
        verdict = Verdict("other", 0.5, ("fallback:no_type_signal",))
    logger.debug("page type of %s: %s %s", url, verdict.value, verdict.evidence)
    return verdict
