"""Per-link features for the learned main-content decision (internal).

:class:`PageStats` reads a parsed page once, bottom-up: per element its visible text length,
link text length, links, paragraphs and images. :func:`link_features` then describes one link
by its own shape (anchor, target, rel), the text block and the containers around it at
several sizes (text length, link density, share of the page), how far up the nearest
element named by a class/id word or tag is, and what the hand rules said. Features are plain
floats in the order of :data:`FEATURES`; the same code feeds training and the crawl.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from lxml import etree

from linkcrawl.classify import location_rules as rules

__all__ = ["FEATURES", "LINK_FEATURES", "PAGE_KINDS", "STAGE2", "BlockContext", "PageStats",
           "link_features", "page_blocks", "stage2_features"]

# Class/id word stems: a feature is how many levels up the nearest element whose class or id
# contains the stem sits (FAR when none does).
CLASS_STEMS: tuple[str, ...] = (
    "nav", "menu", "footer", "foot", "header", "head", "sidebar", "side", "widget", "comment",
    "reply", "respond", "discuss", "related", "share", "social", "tag", "categor", "author",
    "bio", "byline", "meta", "breadcrumb", "content", "article", "post", "entry", "body",
    "main", "text", "story", "prose", "rich", "card", "teaser", "list", "grid", "item",
    "promo", "banner", "sponsor", "newsletter", "subscri", "cookie", "consent", "popup",
    "modal", "toolbar", "pagination", "pager", "login", "user", "profile", "signature",
    "message", "thread", "forum", "topic", "product", "price", "review", "faq", "toc",
    "recommend", "more", "trending", "popular", "copyright", "legal", "btn", "button", "icon",
    "logo", "elementor", "wp-block", "markdown", "doc", "page", "title", "desc", "summary",
    "excerpt", "feed", "archive", "top", "bottom", "col", "wrap", "container", "inner",
    "section", "block", "module", "box", "panel", "drawer", "dropdown", "mega", "offcanvas",
    "mobile", "skip", "hidden", "sr-only", "visually", "caption", "figure", "gallery", "media",
    "video", "embed", "quote", "note", "callout", "info", "vcard", "hentry", "ad",
)
_AD_TOKENS = frozenset({"ad", "ads", "advert", "advertisement", "adsbygoogle", "ad-slot"})
TAGS: tuple[str, ...] = (
    "nav", "header", "footer", "aside", "article", "main", "form", "section", "li", "ul",
    "ol", "table", "td", "heading", "p", "blockquote", "figure", "figcaption", "dl", "button",
    "noscript", "strong", "span", "small", "cite", "sup", "address", "details", "select",
)
ROLES: tuple[str, ...] = ("navigation", "banner", "contentinfo", "complementary", "main",
                          "article", "menu", "menubar", "search", "dialog")
LOCATIONS: tuple[str, ...] = ("", "content", "navigation", "header", "footer", "sidebar",
                              "comment", "author_bio", "breadcrumb", "other")
KINDS: tuple[str, ...] = ("none", "tag", "role", "itemprop", "itemtype", "class", "id",
                          "engine", "style", "density")
FAR = 40.0
# What the page says it is (og:type, schema.org JSON-LD @type): on an article a list of links
# under the text is a teaser list, on a listing page the same list is the content. The
# markup names are the published vocabularies' (Open Graph, schema.org), not any site's.
PAGE_KINDS: tuple[str, ...] = ("says_article", "says_product", "says_listing", "says_forum")
_SAYS: dict[str, tuple[str, ...]] = {
    "says_article": ("article", "newsarticle", "blogposting", "techarticle", "report",
                     "scholarlyarticle", "liveblogposting", "opinionnewsarticle"),
    "says_product": ("product", "offer", "aggregateoffer", "productgroup"),
    "says_listing": ("itemlist", "collectionpage", "searchresultspage", "offercatalog"),
    "says_forum": ("discussionforumposting", "qapage", "question", "socialmediaposting"),
}
_JSONLD_TYPE = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_SCALES = (80, 300, 1200, 5000)
_HEADING_TAGS = frozenset(rules.HEADINGS)
_SKIP_TEXT = frozenset({"script", "style", "template", "head", "title"})

_N_STEMS, _N_TAGS, _N_ROLES = len(CLASS_STEMS), len(TAGS), len(ROLES)
_TAG_INDEX = {t: i for i, t in enumerate(TAGS)}
for _h in rules.HEADINGS:
    _TAG_INDEX[_h] = TAGS.index("heading")
_ROLE_INDEX = {r: i for i, r in enumerate(ROLES)}
_TAG_BASE = _N_STEMS
_ROLE_BASE = _N_STEMS + _N_TAGS
_N_MARKS = _N_STEMS + _N_TAGS + _N_ROLES


def _names() -> tuple[str, ...]:
    own = ["anchor_words", "anchor_chars", "is_image", "same_site", "rel_tag", "rel_nofollow",
           "rel_ugc_sponsored", "link_order", "link_depth", "pos_vs_main",
           "rule_in_main", "rule_hidden", "rule_teaser", "rule_social", "rule_main_share",
           "page_links", "page_chars", "page_link_density", "block_chars", "block_link_density",
           "block_other_chars", "anchor_share_of_block", "block_is_heading", "block_is_li",
           "block_is_p", "block_is_td", "block_is_div", "in_heading", "list_items",
           "list_link_items", "sibling_same_tag", "text_before_share", *PAGE_KINDS,
           "page_articles", "page_h1s"]
    for scale in _SCALES:
        own += [f"c{scale}_chars_share", f"c{scale}_link_density", f"c{scale}_links",
                f"c{scale}_paras", f"c{scale}_up", f"c{scale}_imgs"]
    own += ["parent_link_density", "parent_links", "gparent_link_density", "gparent_links"]
    own += [f"loc:{loc or 'none'}" for loc in LOCATIONS]
    own += [f"kind:{k}" for k in KINDS]
    own += [f"class:{s}" for s in CLASS_STEMS]
    own += [f"tag:{t}" for t in TAGS]
    own += [f"role:{r}" for r in ROLES]
    return tuple(own)


FEATURES: tuple[str, ...] = _names()


@lru_cache(maxsize=32768)
def _marks_of(tag: str, classes: str, role: str) -> tuple[int, ...]:
    """Indexes (into the distance vector) of what one element's own markup names."""
    found: list[int] = []
    low = classes.lower()
    if low:
        for i, stem in enumerate(CLASS_STEMS[:-1]):
            if stem in low:
                found.append(i)
        if _AD_TOKENS.intersection(re.split(r"[\s_]+", low)):
            found.append(_N_STEMS - 1)
    t = _TAG_INDEX.get(tag)
    if t is not None:
        found.append(_TAG_BASE + t)
    for r in role.lower().split():
        ri = _ROLE_INDEX.get(r)
        if ri is not None:
            found.append(_ROLE_BASE + ri)
    return tuple(found)


class PageStats:
    """Text and link counts of every element of one page, from one bottom-up pass."""

    __slots__ = ("_context", "_dist", "_lists", "_siblings", "chars", "imgs", "link_chars",
                 "link_order", "links", "order", "page_kind", "paras", "starts", "total_chars",
                 "total_links")

    def __init__(self, root: etree._Element) -> None:
        chars: dict[etree._Element, int] = {}
        link_chars: dict[etree._Element, int] = {}
        links: dict[etree._Element, int] = {}
        paras: dict[etree._Element, int] = {}
        imgs: dict[etree._Element, int] = {}
        order: dict[etree._Element, int] = {}
        starts: dict[etree._Element, int] = {}
        link_order: list[etree._Element] = []
        elements = []
        running = 0
        says: set[str] = set()
        articles = h1s = 0
        for el in root.iter():
            tag = el.tag
            if not isinstance(tag, str):
                continue
            order[el] = len(elements)
            starts[el] = running
            elements.append(el)
            if tag in _SKIP_TEXT:
                chars[el] = 0
            else:
                chars[el] = _text_len(el.text)
                running += chars[el]
            running += _text_len(el.tail)
            link_chars[el] = 0
            links[el] = 0
            paras[el] = 1 if tag == "p" else 0
            imgs[el] = 1 if tag == "img" else 0
            if tag == "a" and el.get("href") is not None:
                link_order.append(el)
            elif tag == "meta" or tag == "script":
                says.update(_page_says(el))
            elif tag == "article":
                articles += 1
            elif tag == "h1":
                h1s += 1
        for el in reversed(elements):
            parent = el.getparent()
            if el.tag == "a":
                links[el] += 1
                link_chars[el] = chars[el]
            if parent is None or parent not in chars:
                continue
            if parent.tag not in _SKIP_TEXT and el.tag not in _SKIP_TEXT:
                chars[parent] += chars[el] + _text_len(el.tail)
            link_chars[parent] += link_chars[el]
            links[parent] += links[el]
            paras[parent] += paras[el]
            imgs[parent] += imgs[el]
        self.chars, self.link_chars, self.links = chars, link_chars, links
        self.paras, self.imgs, self.order, self.starts = paras, imgs, order, starts
        self.link_order = {a: i for i, a in enumerate(link_order)}
        self.total_links = max(len(link_order), 1)
        self.total_chars = max(running, 1)
        self.page_kind = [*(float(k in says) for k in PAGE_KINDS), math.log1p(articles),
                          math.log1p(h1s)]
        self._dist: dict[etree._Element, tuple[int, dict[int, int]]] = {}
        self._siblings: dict[etree._Element, float] = {}
        self._lists: dict[etree._Element, tuple[float, float]] = {}
        self._context: dict[etree._Element | None, tuple[list[float], int, float]] = {}

    def similar_siblings(self, el: etree._Element) -> float:
        """How many children of ``el``'s parent share its tag and class (a repeated item)."""
        known = self._siblings.get(el)
        if known is None:
            up = el.getparent()
            if up is None:
                return 0.0
            groups: dict[tuple[object, str | None], list[etree._Element]] = {}
            for child in up:
                groups.setdefault((child.tag, child.get("class")), []).append(child)
            for members in groups.values():
                for child in members:
                    self._siblings[child] = float(len(members))
            known = self._siblings[el]
        return known

    def list_shape(self, lst: etree._Element) -> tuple[float, float]:
        """(items of a list, share of them holding a link)."""
        known = self._lists.get(lst)
        if known is None:
            items = [c for c in lst if c.tag == "li"]
            linked = sum(1.0 for c in items if self.links.get(c, 0))
            known = self._lists[lst] = (float(len(items)), linked / max(len(items), 1))
        return known

    def distances(self, el: etree._Element) -> list[float]:
        """Levels up (0 = ``el``) to the nearest element whose markup names each mark."""
        depth, seen = self._marks(el)
        out = [FAR] * _N_MARKS
        for i, at in seen.items():
            out[i] = min(float(depth - at), FAR)
        return out

    def _marks(self, el: etree._Element) -> tuple[int, dict[int, int]]:
        """(depth of ``el``, mark -> depth of the nearest ancestor-or-self naming it).

        Elements that name nothing share their parent's dict, so most cost nothing.
        """
        known = self._dist.get(el)
        if known is not None:
            return known
        chain = []
        node: etree._Element | None = el
        while node is not None and node not in self._dist:
            chain.append(node)
            node = node.getparent()
        depth, seen = self._dist[node] if node is not None else (-1, {})
        for item in reversed(chain):
            depth += 1
            tag = item.tag if isinstance(item.tag, str) else ""
            if tag not in ("html", "body"):
                classes = f"{item.get('class') or ''} {item.get('id') or ''}".strip()
                marks = _marks_of(tag, classes, item.get("role") or "")
                if marks:
                    seen = dict(seen)
                    for i in marks:
                        seen[i] = depth
            self._dist[item] = (depth, seen)
        return depth, seen


def _page_says(el: etree._Element) -> set[str]:
    """The page kinds an ``og:type`` meta tag or a JSON-LD script names."""
    if el.tag == "meta":
        if (el.get("property") or el.get("name") or "").lower() != "og:type":
            return set()
        names = [(el.get("content") or "").lower().split(".")[0]]
    elif (el.get("type") or "").lower() == "application/ld+json" and el.text:
        names = [n.strip(' "').lower() for found in _JSONLD_TYPE.findall(el.text[:20000])
                 for n in found.strip("[]").split(",")]
        names = [n.rsplit("/", 1)[-1] for n in names]
    else:
        return set()
    return {kind for kind, types in _SAYS.items() if any(n in types for n in names)}


def _text_len(text: str | None) -> int:
    """Length of ``text`` with whitespace runs collapsed to one space.

    A space at either end counts (it separates this piece from its neighbour: "Para with "
    + "a link" + " in it." is 23 characters, as the reader sees it); a piece that is only
    whitespace (indentation between tags) counts nothing.
    """
    if not text:
        return 0
    words = text.split()
    if not words:
        return 0
    return (sum(map(len, words)) + len(words) - 1 + (text[0].isspace())
            + (text[-1].isspace()))


def _density(stats: PageStats, el: etree._Element) -> float:
    c = stats.chars.get(el, 0)
    return stats.link_chars.get(el, 0) / c if c else 1.0


def _context(stats: PageStats, parent: etree._Element | None) -> tuple[list[float], int, float]:
    """What every element under ``parent`` shares: (features from the block and containers
    around it, the block's text length, its link density); memoized per parent."""
    known = stats._context.get(parent)
    if known is not None:
        return known
    ancestors = []
    node = parent
    while node is not None:
        ancestors.append(node)
        node = node.getparent()
    total = stats.total_chars
    block = next((a for a in ancestors if a.tag in rules.TEXT_BLOCKS), None)
    if block is not None:
        b_chars = stats.chars.get(block, 0)
        b_density = _density(stats, block)
        b_other = b_chars - stats.link_chars.get(block, 0)
        b_tag = block.tag
    else:
        b_chars, b_density, b_other, b_tag = 0, 1.0, 0, ""
    in_heading = any(a.tag in _HEADING_TAGS for a in ancestors[:4])
    li = next((a for a in ancestors[:6] if a.tag == "li"), None)
    list_items = list_link_items = 0.0
    if li is not None and li.getparent() is not None:
        list_items, list_link_items = stats.list_shape(li.getparent())
    siblings = stats.similar_siblings(parent) if parent is not None else 0.0
    head = [
        float(len(ancestors)),
        stats.link_chars.get(ancestors[-1], 0) / total if ancestors else 0.0,
        math.log1p(b_chars), b_density, math.log1p(max(b_other, 0)),
    ]
    tail = [
        float(b_tag in _HEADING_TAGS), float(b_tag == "li"), float(b_tag == "p"),
        float(b_tag in ("td", "th")), float(b_tag == "div"), float(in_heading),
        list_items, list_link_items, siblings,
    ]
    found: dict[int, tuple[int, etree._Element]] = {}
    for up, anc in enumerate(ancestors):
        c = stats.chars.get(anc, 0)
        for scale in _SCALES:
            if scale not in found and c >= scale:
                found[scale] = (up, anc)
        if len(found) == len(_SCALES):
            break
    scales: list[float] = []
    for scale in _SCALES:
        # a page shorter than the scale: the whole page is the largest container there is
        # (a "no container" default of link density 1.0 made every link of a short page
        # look like one in a link list)
        if scale in found:
            up, anc = found[scale]
        elif ancestors:
            up, anc = len(ancestors) - 1, ancestors[-1]
        else:
            anc = None
        if anc is not None:
            scales += [stats.chars.get(anc, 0) / total, _density(stats, anc),
                       math.log1p(stats.links.get(anc, 0)), math.log1p(stats.paras.get(anc, 0)),
                       float(up), math.log1p(stats.imgs.get(anc, 0))]
        else:
            scales += [1.0, 1.0, 0.0, 0.0, FAR, 0.0]
    for anc in [*ancestors[:2], None, None][:2]:
        if anc is None:
            scales += [1.0, 0.0]
        else:
            scales += [_density(stats, anc), math.log1p(stats.links.get(anc, 0))]
    known = stats._context[parent] = ([*head, *tail, *scales], b_chars, 0.0)
    return known


def link_features(stats: PageStats, link: etree._Element, *, anchor: str, is_image: bool,
                  same_site: bool, rel: str, region_location: str, region_kind: str,
                  in_main: bool, hidden: bool, teaser: bool, social: bool,
                  main_chars: int, main_span: tuple[int, int]) -> list[float]:
    """The feature vector of one link, in the order of :data:`FEATURES`."""
    rel_tokens = rel.lower().split() if rel else ()
    shared, b_chars, _ = _context(stats, link.getparent())
    el_order = stats.order.get(link, 0)
    if main_span[1] > main_span[0]:
        pos_vs_main = 0.0 if el_order < main_span[0] else (1.0 if el_order <= main_span[1]
                                                           else 2.0)
    else:
        pos_vs_main = -1.0
    total = stats.total_chars
    anchor_len = stats.chars.get(link, len(anchor))
    out = [
        float(len(anchor.split())), float(len(anchor)), float(is_image), float(same_site),
        float("tag" in rel_tokens), float("nofollow" in rel_tokens),
        float("ugc" in rel_tokens or "sponsored" in rel_tokens),
        stats.link_order.get(link, 0) / stats.total_links, shared[0], pos_vs_main,
        float(in_main), float(hidden), float(teaser), float(social), main_chars / total,
        math.log1p(stats.total_links), math.log1p(total), *shared[1:5],
        anchor_len / b_chars if b_chars else 1.0, *shared[5:14],
        stats.starts.get(link, 0) / total, *stats.page_kind, *shared[14:],
    ]
    out += [float(region_location == loc) for loc in LOCATIONS]
    out += [float(region_kind == k) for k in KINDS]
    out += stats.distances(link)
    return out


# Second stage: what the block model says about the text around a link.
STAGE2: tuple[str, ...] = (
    "blk_p", "blk_prev_p", "blk_next_p", "blk_own_chars",
    *(f"c{scale}_blk_p" for scale in _SCALES),
    "parent_blk_p", "gparent_blk_p", "page_blk_p", "page_blk_max", "page_blk_chars_share",
)
LINK_FEATURES: tuple[str, ...] = FEATURES + STAGE2
_NOT_BLOCK = frozenset({"body", "html"})


def page_blocks(root: etree._Element) -> tuple[list[etree._Element], dict[etree._Element, str],
                                                dict[etree._Element, etree._Element | None]]:
    """(text blocks in document order, each block's own text, element -> owning block).

    A block is the nearest text-block element (:data:`rules.TEXT_BLOCKS`) holding a piece
    of text; its own text leaves out nested blocks, so each piece of text is counted once.
    """
    owner: dict[etree._Element, etree._Element | None] = {}
    pieces: dict[etree._Element, list[str]] = {}
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        parent = el.getparent()
        up = owner.get(parent) if parent is not None else None
        mine = el if tag in rules.TEXT_BLOCKS and tag not in _NOT_BLOCK else up
        owner[el] = mine
        if el.text and mine is not None and tag not in _SKIP_TEXT and el.text.strip():
            pieces.setdefault(mine, []).append(el.text)
        if el.tail and up is not None and el.tail.strip():
            pieces.setdefault(up, []).append(el.tail)
    texts = {b: " ".join(" ".join(p).split()) for b, p in pieces.items()}
    return list(pieces), texts, owner


class BlockContext:
    """Block-model probabilities of one page, summed over every container (char-weighted)."""

    __slots__ = ("_order", "content_share", "index", "max_p", "owner", "page_p", "probs", "sums",
                 "texts")

    def __init__(self, blocks: list[etree._Element], texts: dict[etree._Element, str],
                 owner: dict[etree._Element, etree._Element | None], probs: list[float]) -> None:
        self.owner, self.texts = owner, texts
        self.probs = dict(zip(blocks, probs, strict=True))
        self.index = {b: i for i, b in enumerate(blocks)}
        sums: dict[etree._Element, list[float]] = {}
        total_w = total_pw = likely_w = 0.0
        for block, p in self.probs.items():
            w = float(len(texts[block]))
            total_w += w
            total_pw += p * w
            likely_w += w if p >= 0.5 else 0.0
            node: etree._Element | None = block
            while node is not None:
                acc = sums.get(node)
                if acc is None:
                    sums[node] = [p * w, w]
                else:
                    acc[0] += p * w
                    acc[1] += w
                node = node.getparent()
        self.sums = sums
        self.page_p = total_pw / total_w if total_w else 0.0
        self.max_p = max(probs, default=0.0)
        self.content_share = likely_w / total_w if total_w else 0.0
        self._order = blocks

    def mean_p(self, el: etree._Element | None) -> float:
        acc = self.sums.get(el) if el is not None else None
        return acc[0] / acc[1] if acc and acc[1] else -1.0

    def neighbour_p(self, block: etree._Element | None, step: int) -> float:
        i = self.index.get(block) if block is not None else None
        if i is None or not 0 <= i + step < len(self._order):
            return -1.0
        return self.probs[self._order[i + step]]


def stage2_features(stats: PageStats, ctx: BlockContext, link: etree._Element) -> list[float]:
    """The block model's view of ``link``'s surroundings, in the order of :data:`STAGE2`."""
    block = ctx.owner.get(link)
    if block is not None and block not in ctx.probs:
        block = None
    out = [ctx.probs[block] if block is not None else -1.0, ctx.neighbour_p(block, -1),
           ctx.neighbour_p(block, 1), math.log1p(len(ctx.texts.get(block, ""))) if block is not
           None else 0.0]
    pending = list(_SCALES)
    node = link.getparent()
    found: dict[int, float] = {}
    while node is not None and pending:
        c = stats.chars.get(node, 0)
        while pending and c >= pending[0]:
            found[pending.pop(0)] = ctx.mean_p(node)
        node = node.getparent()
    out += [found.get(scale, ctx.page_p) for scale in _SCALES]  # short page: the whole page
    parent = link.getparent()
    gparent = parent.getparent() if parent is not None else None
    out += [ctx.mean_p(parent), ctx.mean_p(gparent), ctx.page_p, ctx.max_p, ctx.content_share]
    return out
