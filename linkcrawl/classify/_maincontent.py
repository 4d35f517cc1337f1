"""Where a page's running text is: a Readability-style text-density vote (internal).

Paragraphs with enough non-link text vote for their container; markup (content classes,
``<main>``) weighs in, boilerplate and comment threads weigh down. Used by
:class:`linkcrawl.classify.location.PageLocator`; thresholds live in
``location_rules.DENSITY``.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from linkcrawl.classify import location_rules as rules
from linkcrawl.text import text_len as TEXT_LEN

__all__ = ["TOP", "Signal", "find_main_content"]

Signal = tuple[str, str, str]  # (location, evidence, kind of evidence)
_PARAGRAPHS = ("p", "pre", "li")
TOP = ("body", "html")  # <body>/<html> classes describe the page, not a region


def find_main_content(root: etree._Element,
                      signal: Callable[[etree._Element], Signal | None],
                      ) -> list[etree._Element]:
    """The element(s) holding the page's running text; [] when the page has none.

    Readability-style: paragraphs with enough non-link text (and runs of text split by
    <br>) vote for their container (full score) and its parent (half). The best container
    wins; a near-best rival a few levels up pulls it to their common container (an article
    split in chunks), and siblings that scored well join it. Content markup weighs in.
    """
    d = rules.DENSITY
    scores = _vote_scores(root)
    in_comment: dict[etree._Element, bool] = {}
    for el in scores:
        scores[el] *= _candidate_weight(el, signal, in_comment)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < d["min_main_score"]:
        return _markup_main(root, signal)
    top, best = ranked[0]
    lineage = set(top.iterancestors())  # a rival must stand beside top, not above or below
    rivals = [el for el, score in ranked[1:5] if score >= best * d["alternative_ratio"]
              and el not in lineage and top not in set(el.iterancestors())]
    reach = {anc for rival in rivals for anc in (rival, *rival.iterancestors())}
    node = top.getparent()
    for _ in range(int(d["max_climb"])):
        if node is None or node.tag in TOP:
            break
        if node in reach:
            top = node
            break
        node = node.getparent()
    main = [top]
    parent = top.getparent()
    if parent is not None:
        threshold = max(d["min_sibling_score"], best * d["sibling_ratio"])
        main.extend(s for s in parent if s is not top and scores.get(s, 0.0) >= threshold)
    return main


def _vote_scores(root: etree._Element) -> dict[etree._Element, float]:
    d = rules.DENSITY
    scores: dict[etree._Element, float] = {}

    def vote(el: etree._Element | None, score: float) -> None:
        if el is not None and isinstance(el.tag, str):
            scores[el] = scores.get(el, 0.0) + score
            parent = el.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0.0) + score / 2

    for block in root.iter(*_PARAGRAPHS):
        if _only_a_link(block):
            continue  # a menu item: all link text, it would never vote
        length = TEXT_LEN(block)
        if length < d["min_paragraph_chars"]:
            continue
        link_len = sum(TEXT_LEN(a) for a in block.iter("a"))
        if link_len <= d["max_paragraph_link_density"] * length:
            vote(block.getparent(),
                 1.0 + min((length - link_len) / 100.0, d["max_paragraph_score"] - 1.0))
    seen: set[etree._Element] = set()
    for br in root.iter("br"):  # text split by <br> instead of paragraphs
        holder = br.getparent()
        if holder is None or holder in seen or holder.tag in _PARAGRAPHS:
            continue
        seen.add(holder)
        length = len((holder.text or "").strip()) + sum(
            len((child.tail or "").strip()) for child in holder)
        if length >= d["min_paragraph_chars"]:
            vote(holder, 1.0 + length / 100.0)
    return scores


def _only_a_link(block: etree._Element) -> bool:
    if len(block) != 1 or block[0].tag != "a":
        return False
    return not (block.text or "").strip() and not (block[0].tail or "").strip()


def _candidate_weight(el: etree._Element, signal: Callable[[etree._Element], Signal | None],
                      in_comment: dict[etree._Element, bool]) -> float:
    """Prior of a candidate: content markup up, boilerplate markup or a comment thread down."""
    if el.tag in TOP:
        return rules.DENSITY["body_weight"]
    own = signal(el)
    if own is not None:
        return rules.DENSITY["content_boost" if own[0] == "content" else "boilerplate_penalty"]
    chain = []
    node = el.getparent()
    while node is not None and node.tag not in TOP and node not in in_comment:
        chain.append(node)
        node = node.getparent()
    inside = in_comment.get(node, False) if node is not None else False
    for item in reversed(chain):
        sig = signal(item)
        inside = inside or (sig is not None and sig[0] == "comment")
        in_comment[item] = inside
    return rules.DENSITY["boilerplate_penalty"] if inside else 1.0


def _markup_main(root: etree._Element, signal: Callable[[etree._Element], Signal | None],
                 ) -> list[etree._Element]:
    """Main content named by markup, for pages with little running text (lists, tables)."""
    marked = []
    for el in root.iter("main", "article", "div", "section"):
        found = signal(el)
        if found is not None and found[0] == "content" and found[2] != "tag" and not any(
            m in marked for m in el.iterancestors()
        ):
            marked.append(el)
    if marked:
        return marked
    mains = list(root.iter("main"))
    return mains if len(mains) == 1 else []
