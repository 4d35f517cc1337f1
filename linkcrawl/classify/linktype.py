"""How a link was earned (editorial, guest post, partner, ...), from where it sits.

A pure function of the extracted link (location and its evidence, rel, context, dom_path,
domains) and the page's type verdict. The link's *region* is its location, except that
location "other" splits three ways by its evidence: ``main`` (the locator's teaser or
social-profile call inside the main content), ``unknown`` (no markup, outside the main
text) and ``furniture`` (share bars, meta lines). Rules, first match wins:

1. forum page: inside the forum's own navigation markup (category badge, breadcrumb)
   -> other; inside post/topic-list markup (class words, post ids) or a link to the thread
   itself -> forum; else (outside site chrome and furniture) a sponsor lead-in ->
   acknowledgment, an unplaced link (no markup, outside the main text) without rel ugc ->
   other, anything else -> forum
2. location comment                                   -> comment
3. rel ugc inside comment markup the locator missed   -> comment
4. under a sponsor block title (``section:``), external target       -> acknowledgment
5. under a partner/blogroll block title, external target             -> partner
6. author bio (location, or under an "About the author" title): guest post -> guest_post,
   press release -> press_release, else -> other (a staff bio)
7. a site-chrome link to another site whose anchor names a partner ("Partner shop" in the
   menu) -> partner
8. site chrome (navigation, header, footer, sidebar, breadcrumb): blogroll/partner or
   sponsor widget class words with an external target -> partner/acknowledgment, else other
9. furniture                                          -> other
10. page type: press_release, guest_post, directory -> that link type; sponsors ->
   acknowledgment, partners -> partner (external targets; own links -> other). An unplaced
   own-site link -> other (unless directory listing markup holds it)
11. lead-in right before the anchor: "sponsored by" -> acknowledgment,
    "in partnership with" -> partner
12. unplaced -> other; anything else in the content -> editorial

Confidence: each rule has a base value (0.9 where page type and location agree, 0.6-0.7 on
one weak signal); +0.05 when rel agrees (ugc/nofollow for comment and forum, sponsored for
acknowledgment), -0.1 when rel disagrees (ugc/sponsored on an editorial link); a type taken
from the page type is capped at the page confidence + 0.1. Reciprocal links become partner
later, from the crawl graph (:mod:`linkcrawl.classify.reciprocal`).
"""

from __future__ import annotations

import re

from linkcrawl.classify import type_rules as rules
from linkcrawl.items import LinkItem
from linkcrawl.verdict import Verdict

__all__ = ["classify_link", "region_of"]

FORUM_PAGES = frozenset({"forum_thread", "forum_index"})
# Page types whose content links all share one link type.
PAGE_LINK_TYPES: dict[str, str] = {
    "press_release": "press_release",
    "guest_post": "guest_post",
    "directory": "directory",
    "sponsors": "acknowledgment",
    "partners": "partner",
}
EDITORIAL_CONFIDENCE: dict[str, float] = {"article": 0.8, "homepage": 0.7}
_RELS_SUPPORTING: dict[str, frozenset[str]] = {
    "comment": frozenset({"ugc", "nofollow"}),
    "forum": frozenset({"ugc", "nofollow"}),
    "acknowledgment": frozenset({"sponsored"}),
}


def region_of(link: LinkItem) -> str:
    """The link's location, with "other" split into "main", "unknown" and "furniture"."""
    if link.location != "other":
        return link.location or "unknown"
    evidence = [e for e in link.location_evidence if not e.startswith("section:")]
    if any(e.startswith(rules.MAIN_EVIDENCE_PREFIXES) for e in evidence):
        return "main"
    if all(e.startswith("density:") for e in evidence):
        return "unknown"
    return "furniture"


def _aside_as_body(link: LinkItem, page: str) -> bool:
    """A links, sponsors or directory page whose list sits in an ``<aside>`` without any
    widget or sidebar markup: old templates and hand-written sites use <aside> for content
    columns (the labelling guide: "a links list inside <aside> that *is* the page body is
    content"). Only the bare tag says so; a class or id (widget-area, sidebar) keeps the
    sidebar."""
    if page not in PAGE_LINK_TYPES or page in ("press_release", "guest_post"):
        return False
    evidence = [e for e in link.location_evidence
                if not e.startswith(("section:", "density:"))]
    return evidence == ["tag:aside"] and not any(
        w in link.dom_path.lower() for w in ("sidebar", "widget", "side-bar"))


def _section(link: LinkItem) -> tuple[str, str] | None:
    """("sponsor"|"partner"|"author", evidence) from a ``section:"..."`` evidence item."""
    for item in link.location_evidence:
        if item.startswith('section:"'):
            phrase = item[9:-1]
            for kind, phrases in (("sponsor", rules.SPONSOR_SECTION),
                                  ("partner", rules.PARTNER_SECTION),
                                  ("author", rules.AUTHOR_SECTION)):
                if phrases.heading(phrase):
                    return kind, item
    return None


def _markup(link: LinkItem) -> str:
    """Class/id labels of the link's ancestors and its location evidence, as one string."""
    return " ".join([link.dom_path.lower(), *link.location_evidence]).replace("_", "-")


def _first_word(text: str, words: tuple[str, ...]) -> str | None:
    return next((w for w in words if w.replace("_", "-") in text), None)


def _leadin(link: LinkItem, phrases: rules.Phrases) -> str | None:
    """A phrase that ends right before the anchor in the link's context."""
    context = rules.fold(link.context)
    anchor = rules.fold(link.anchor_text)
    position = context.find(anchor) if context and anchor else -1
    return phrases.lead_in(context, position) if position > 0 else None


_BARE_URL = re.compile(r"^(https?://)?(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?$")


def _press_closer(link: LinkItem) -> str | None:
    """The closer of a reproduced release around a bare-URL anchor ("For more information,
    visit <www.example.org>", "Visit <example.org> for more information", "Weitere
    Informationen: <url>"). Releases end with the issuer's address spelled out; an editor's
    own link has words for an anchor."""
    anchor = rules.fold(link.anchor_text)
    if not _BARE_URL.match(anchor):
        return None
    context = rules.fold(link.context)
    position = context.find(anchor)
    if position < 0:
        return None
    before = rules.PRESS_MORE.search(context[max(0, position - 60):position])
    if before:
        return before
    after = context[position + len(anchor):position + len(anchor) + 40].lstrip(" .,:")
    found = rules.PRESS_MORE_AFTER.search(after)
    return found if found and after.startswith(found) else None


def _same_page(link: LinkItem) -> bool:
    """The link points at the page it is on (a thread's title or permalink)."""
    return link.url.split("#", 1)[0] == link.source_url.split("#", 1)[0]


def _is_external(link: LinkItem) -> bool:
    if link.target_domain and link.source_domain:
        return link.target_domain != link.source_domain
    return bool(link.target_host) and link.target_host != link.source_host


class _Answer:
    """Builds verdicts for one link: shared evidence, rel support and the confidence cap."""

    def __init__(self, link: LinkItem, page_type: Verdict) -> None:
        self.page_type = page_type
        self.rel = set(link.rel)
        self.evidence = [f"page:{page_type.value}"]
        self.evidence += [e for e in page_type.evidence if e.startswith("page:")][:1]
        self.evidence.append(f"location:{link.location or 'other'}")

    def __call__(self, value: str, confidence: float, *extra: str,
                 from_page: bool = False) -> Verdict:
        if self.rel & _RELS_SUPPORTING.get(value, frozenset()):
            confidence += 0.05
        elif value == "editorial" and self.rel & {"ugc", "sponsored"}:
            confidence -= 0.1
        if from_page:
            confidence = min(confidence, self.page_type.confidence + 0.1)
        noted = [f"rel:{r}" for r in sorted(self.rel & {"ugc", "sponsored", "nofollow"})]
        return Verdict(value, round(min(confidence, 0.95), 2), (*self.evidence, *extra, *noted))


def classify_link(link: LinkItem, page_type: Verdict) -> Verdict:
    """The link type of ``link`` on a page of type ``page_type`` (see the module rules)."""
    page, region = page_type.value, region_of(link)
    verdict = _Answer(link, page_type)
    if region == "sidebar" and _aside_as_body(link, page):
        region = "content"
        verdict.evidence.append("tag:aside-as-body")
    chrome = region in rules.BOILERPLATE_LOCATIONS
    external = _is_external(link)
    markup = _markup(link)
    if page in FORUM_PAGES:
        word = _first_word(markup, rules.FORUM_CHROME_WORDS)
        if word:
            return verdict("other", 0.7, f"class:{word}")
        word = _first_word(markup, rules.FORUM_MARKUP_WORDS)
        if word:
            return verdict("forum", 0.9, f"class:{word}", from_page=True)
        post_id = rules.FORUM_POST_ID.search(link.dom_path)
        if post_id:
            return verdict("forum", 0.85, f"id:{post_id.group(0)[1:]}", from_page=True)
        if _same_page(link):
            return verdict("forum", 0.75, "target:same-page", from_page=True)
        if not chrome and region != "furniture":
            found = _leadin(link, rules.SPONSOR_LEADIN)
            if found:
                return verdict("acknowledgment", 0.7, f'text:"{found}"')
            # Outside the posts with no markup: donation banners, badges, the board's own
            # links; rel="ugc" (engines mark members' links so) keeps it a forum link.
            if region == "unknown" and "ugc" not in link.rel:
                return verdict("other", 0.6)
            return verdict("forum", 0.75, from_page=True)
    if "signature" in markup and region in ("comment", "author_bio", "content", "unknown"):
        # forum signatures exist only on forums (one the page typer did not recognise)
        return verdict("forum", 0.6, "class:signature")
    if region == "comment":
        word = _first_word(markup, rules.COMMENT_ADMIN_WORDS)
        if word or rules.fold(link.anchor_text) in rules.COMMENT_ADMIN_ANCHORS:
            return verdict("other", 0.7, f"class:{word}" if word else "anchor:admin")
        return verdict("comment", 0.85)
    if region != "content":
        word = _first_word(markup, rules.RECENT_COMMENTS_WORDS)
        if word:
            return verdict("comment", 0.75, f"class:{word}")
    if "ugc" in link.rel and region in ("content", "main", "unknown"):
        word = _first_word(markup, rules.COMMENT_CLASS_WORDS)
        if word:
            return verdict("comment", 0.7, f"class:{word}")
    section = _section(link)
    if section and section[0] == "sponsor" and external and region != "breadcrumb":
        return verdict("acknowledgment", 0.9 if page == "sponsors" else 0.8, section[1])
    if section and section[0] == "partner" and external and region != "breadcrumb":
        return verdict("partner", 0.9 if page == "partners" else 0.8, section[1])
    if region == "author_bio" or (section and section[0] == "author"):
        extra = (section[1],) if section else ()
        if page == "guest_post":
            return verdict("guest_post", 0.9, *extra, from_page=True)
        if page == "press_release":
            return verdict("press_release", 0.7, *extra, from_page=True)
        return verdict("other", 0.6, *extra)
    if external and chrome and region != "breadcrumb":
        found = rules.PARTNER_ANCHOR.search(rules.fold(link.anchor_text))
        if found:
            return verdict("partner", 0.7, f'anchor:"{found}"')
    if chrome and page == "press_release" and external and region == "sidebar":
        word = _first_word(markup, rules.PRESS_CONTACT_CLASS_WORDS)
        if word:
            return verdict("press_release", 0.65, f"class:{word}")
    if chrome:
        if external and region in ("sidebar", "footer"):
            word = _first_word(markup, rules.PARTNER_CLASS_WORDS)
            if word:
                return verdict("partner", 0.7, f"class:{word}")
            word = _first_word(markup, rules.SPONSOR_CLASS_WORDS)
            if word:
                return verdict("acknowledgment", 0.7, f"class:{word}")
        return verdict("other", 0.75 if region == "sidebar" else 0.85)
    if region == "furniture":
        return verdict("other", 0.7)
    return _by_page(link, page, region == "unknown", region == "main", external, markup, verdict)


def _by_page(link: LinkItem, page: str, unknown: bool, teaser: bool, external: bool,
             markup: str, verdict: _Answer) -> Verdict:
    """Rules 10-12: links in the content (or not placed at all) by page type and wording."""
    link_type = PAGE_LINK_TYPES.get(page)
    if link_type == "directory" and unknown and not external:
        word = _first_word(markup, rules.DIRECTORY_MARKUP_WORDS)
        if word:
            return verdict("directory", 0.7, f"class:{word}", from_page=True)
        return verdict("other", 0.6)
    if link_type and unknown and not external:
        return verdict("other", 0.6)
    if link_type in ("acknowledgment", "partner"):
        if not external:
            return verdict("other", 0.6)
        phrases = rules.SPONSOR_WORD if link_type == "acknowledgment" else rules.PARTNER_HEADING
        found = phrases.search(rules.fold(link.context))
        extra = (f'text:"{found}"',) if found else ()
        base = (0.9 if found else 0.8) - (0.1 if unknown else 0.0)
        return verdict(link_type, base, *extra, from_page=True)
    if link_type:
        return verdict(link_type, 0.8 if unknown else 0.9, from_page=True)
    found = _leadin(link, rules.SPONSOR_LEADIN)
    if found:
        return verdict("acknowledgment", 0.75, f'text:"{found}"')
    found = _leadin(link, rules.PARTNER_LEADIN)
    if found:
        return verdict("partner", 0.65, f'text:"{found}"')
    found = _press_closer(link) if external else None
    if found:
        return verdict("press_release", 0.6, f'text:"{found}"')
    word = _first_word(markup, rules.SPONSOR_CLASS_WORDS) if external else None
    if word:
        return verdict("acknowledgment", 0.65, f"class:{word}")
    if unknown:
        return verdict("other", 0.5)
    return verdict("editorial", EDITORIAL_CONFIDENCE.get(page, 0.6) - (0.1 if teaser else 0.0))
