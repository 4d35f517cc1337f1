"""How a link was earned (editorial, guest post, partner, ...), from where it sits.

A pure function of the extracted link (location, rel, context, section evidence) and the
page's type verdict. Rules, first match wins:

1. forum page (thread or index), link outside site chrome   -> forum
2. location comment                                          -> comment
3. rel ugc inside comment markup the locator missed          -> comment
4. under a sponsor block title (``section:``), external      -> acknowledgment
5. under a partner/blogroll block title, external            -> partner
6. site chrome (navigation, header, footer, sidebar, breadcrumb): sponsor/partner widget
   class words (external targets only) -> acknowledgment/partner, else -> other
7. author bio: guest post -> guest_post, press release -> press_release, else -> other
8. page furniture (location other with class/tag evidence)  -> other
9. page type: press_release, guest_post, directory -> the same link type; sponsors ->
   acknowledgment and partners -> partner for external targets (own links -> other)
10. lead-in right before the anchor: "sponsored by" -> acknowledgment,
    "in partnership with" -> partner
11. anything else in the content                             -> editorial

Confidence: each rule has a base value (0.9 where page type and location agree, 0.6-0.7 on
one weak signal); +0.05 when rel agrees (ugc/nofollow for comment and forum, sponsored for
acknowledgment), -0.1 when rel disagrees (ugc/sponsored on an editorial link); a type taken
from the page type is capped at the page confidence + 0.1. Reciprocal links (the target
links back) become partner later, from the crawl graph: :mod:`linkcrawl.classify.reciprocal`.
"""

from __future__ import annotations

from linkcrawl.classify import rules
from linkcrawl.items import LinkItem
from linkcrawl.verdict import Verdict

__all__ = ["classify_link"]

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
LEADIN_WINDOW = 15  # characters allowed between a lead-in phrase and the anchor


def _cap(value: float, page: Verdict) -> float:
    return round(min(value, page.confidence + 0.1, 0.95), 2)


def _section(link: LinkItem) -> tuple[str, str] | None:
    """("sponsor"|"partner", phrase) from a ``section:"..."`` location evidence item."""
    for item in link.location_evidence:
        if item.startswith('section:"'):
            phrase = item[9:-1]
            if rules.SPONSOR_SECTION.heading(phrase):
                return "sponsor", item
            if rules.PARTNER_SECTION.heading(phrase):
                return "partner", item
    return None


def _markup_words(link: LinkItem) -> str:
    """Class/id words of the link's ancestors and location evidence, as one string."""
    return " ".join([link.dom_path.lower(), *link.location_evidence]).replace("_", "-")


def _leadin(link: LinkItem, phrases: rules.Phrases) -> str | None:
    """A phrase that ends right before the anchor in the link's context."""
    context = rules.fold(link.context)
    anchor = rules.fold(link.anchor_text)
    if not context or not anchor:
        return None
    position = context.find(anchor)
    if position < 0:
        return None
    return phrases.last_before(context, position, LEADIN_WINDOW)


def _is_external(link: LinkItem) -> bool:
    if link.target_domain and link.source_domain:
        return link.target_domain != link.source_domain
    return bool(link.target_host) and link.target_host != link.source_host


def _furniture(link: LinkItem) -> bool:
    """Location "other" decided by markup (share bar, tag cloud, ad), not by absence of it."""
    return link.location == "other" and any(
        not e.startswith(("density:", "section:")) for e in link.location_evidence
    )


def classify_link(link: LinkItem, page_type: Verdict) -> Verdict:
    """The link type of ``link`` on a page of type ``page_type`` (see the module rules)."""
    page, location, rel = page_type.value, link.location or "other", set(link.rel)
    evidence = [f"page:{page}"]
    evidence += [e for e in page_type.evidence if e.startswith("page:")][:1]
    evidence.append(f"location:{location}")

    def verdict(value: str, confidence: float, *extra: str, from_page: bool = False) -> Verdict:
        support = {"comment": {"ugc", "nofollow"}, "forum": {"ugc", "nofollow"},
                   "acknowledgment": {"sponsored"}}.get(value, set())
        agree = sorted(rel & support)
        if agree:
            confidence += 0.05
        elif value == "editorial" and rel & {"ugc", "sponsored"}:
            confidence -= 0.1
        noted = [f"rel:{r}" for r in sorted(rel & {"ugc", "sponsored", "nofollow"})]
        confidence = _cap(confidence, page_type) if from_page else round(min(confidence, 0.95), 2)
        return Verdict(value, confidence, tuple([*evidence, *extra, *noted]))

    chrome = location in rules.BOILERPLATE_LOCATIONS
    if page in FORUM_PAGES and not chrome:
        base = 0.9 if page == "forum_thread" and location in ("content", "comment") else 0.75
        return verdict("forum", base, from_page=True)
    if location == "comment":
        return verdict("comment", 0.85)
    words = _markup_words(link)
    if "ugc" in rel and location in ("content", "other") and any(
        w in words for w in rules.COMMENT_CLASS_WORDS
    ):
        return verdict("comment", 0.7, "class:comment")
    external = _is_external(link)
    section = _section(link)
    if section and external and location != "breadcrumb":
        kind, item = section
        if kind == "sponsor":
            return verdict("acknowledgment", 0.9 if page == "sponsors" else 0.8, item)
        return verdict("partner", 0.9 if page == "partners" else 0.8, item)
    if chrome:
        if external and location in ("sidebar", "footer"):
            for word in rules.PARTNER_CLASS_WORDS:
                if word in words:
                    return verdict("partner", 0.7, f"class:{word}")
            for word in rules.SPONSOR_CLASS_WORDS:
                if word in words:
                    return verdict("acknowledgment", 0.7, f"class:{word}")
        return verdict("other", 0.75 if location == "sidebar" else 0.85)
    if location == "author_bio":
        if page == "guest_post":
            return verdict("guest_post", 0.9, from_page=True)
        if page == "press_release":
            return verdict("press_release", 0.7, from_page=True)
        return verdict("other", 0.6)
    if _furniture(link):
        return verdict("other", 0.7)
    weak = location == "other"  # the locator found no markup and no main text around it
    page_link_type = PAGE_LINK_TYPES.get(page)
    if page_link_type in ("acknowledgment", "partner") and not external:
        return verdict("other", 0.6)
    if page_link_type == "acknowledgment":
        found = rules.SPONSOR_WORD.search(rules.fold(link.context))
        extra = (f'text:"{found}"',) if found else ()
        return verdict(page_link_type, (0.9 if found else 0.8) - 0.1 * weak, *extra,
                       from_page=True)
    if page_link_type == "partner":
        found = rules.PARTNER_HEADING.search(rules.fold(link.context))
        extra = (f'text:"{found}"',) if found else ()
        return verdict(page_link_type, (0.9 if found else 0.8) - 0.1 * weak, *extra,
                       from_page=True)
    if page_link_type:
        return verdict(page_link_type, 0.9 - 0.2 * weak, from_page=True)
    found = _leadin(link, rules.SPONSOR_LEADIN)
    if found:
        return verdict("acknowledgment", 0.75, f'text:"{found}"')
    found = _leadin(link, rules.PARTNER_LEADIN)
    if found:
        return verdict("partner", 0.65, f'text:"{found}"')
    if weak:
        return verdict("other", 0.5)
    return verdict("editorial", EDITORIAL_CONFIDENCE.get(page, 0.6))
