"""What each link's record says about its surroundings: a short DOM path, ~150
characters of the text block around it, and how much of the text around it is links
(internal to :mod:`linkcrawl.analysis.extract`).

Both follow from the parent element's, so each element is read once however many links
sit below it.
"""

from __future__ import annotations

from lxml import etree

from linkcrawl.text import clean_text

__all__ = ["AROUND_CHARS", "CONTEXT_CHARS", "Surroundings"]

CONTEXT_CHARS = 150  # ~150 characters of text around a link, anchor included
# Elements whose text is the context of the links inside them (paragraph-like units); a
# link with none of them within a few levels takes its parent's text.
_BLOCKS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption", "pre",
     "h1", "h2", "h3", "h4", "h5", "h6", "address", "label", "summary", "legend"}
)
_BLOCK_SEARCH_DEPTH = 4
# The part of the page a link's link density is read over: its nearest ancestor with at
# least this much text (a paragraph, a list, a sidebar box), else the whole page. A list
# item or a menu entry alone would always be "all link".
AROUND_CHARS = 200


def _label(el: etree._Element) -> str:
    """A short CSS-like label for one element: ``tag#id`` or ``tag.first-class``."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    ident = el.get("id")
    if ident and len(ident) <= 40 and ident.strip():
        return f"{tag}#{ident.split()[0]}"
    classes = el.get("class")
    first = classes.split(None, 1)[0] if classes and classes.strip() else ""
    return f"{tag}.{first}" if first and len(first) <= 40 else tag


class Surroundings:
    """Per element: the last labels of its DOM path and the text block around its links.

    Both follow from the parent's, so each element is read once however many links sit
    below it.
    """

    def __init__(self) -> None:
        # element -> (labels of its last three ancestors-or-self, nearest block, distance)
        self._info: dict[etree._Element, tuple[tuple[str, ...], etree._Element | None, int]] = {}
        self._text: dict[etree._Element, str] = {}
        self._paths: dict[etree._Element, str] = {}
        self._density: dict[etree._Element, tuple[float, int]] = {}
        self._all_text: dict[etree._Element, str] = {}

    def of(self, parent: etree._Element) -> tuple[str, etree._Element]:
        """(DOM path down to ``parent``, text block for the context of its links)."""
        info = self._info
        known = info.get(parent)
        if known is None:
            chain = []
            node: etree._Element | None = parent
            while node is not None and node not in info:
                chain.append(node)
                node = node.getparent()
            labels, block, distance = info[node] if node is not None else ((), None, 0)
            for el in reversed(chain):
                tag = el.tag
                labels = () if tag in ("body", "html") else (*labels[-2:], _label(el))
                if tag in _BLOCKS:
                    block, distance = el, 0
                elif block is not None and distance < _BLOCK_SEARCH_DEPTH - 1:
                    distance += 1
                else:
                    block, distance = None, 0
                known = info[el] = (labels, block, distance)
        _, block, _ = known  # type: ignore[misc]
        path = self._paths.get(parent)
        if path is None:
            path = self._paths[parent] = " > ".join(known[0])  # type: ignore[index]
        return path, block if block is not None else parent

    def context(self, link: etree._Element, block: etree._Element | None, anchor: str) -> str:
        """About CONTEXT_CHARS characters of the block's text, centred on the anchor."""
        if block is None or (  # a menu item: the link is all there is in its block
            len(block) == 1 and block is link.getparent() and not (block.text or "").strip()
            and not (link.tail or "").strip()
        ):
            return anchor[:CONTEXT_CHARS]
        text = self._text.get(block)
        if text is None:
            text = self._text[block] = clean_text(block.text_content())
        if len(text) <= CONTEXT_CHARS:
            return text
        pos = text.find(anchor) if anchor else -1
        if pos < 0:  # an image link: its alt text is not in the block's text
            return text[:CONTEXT_CHARS].strip()
        start = max(0, min(pos - (CONTEXT_CHARS - len(anchor)) // 2, len(text) - CONTEXT_CHARS))
        return text[start : start + CONTEXT_CHARS].strip()

    def link_density(self, link: etree._Element) -> tuple[float, int]:
        """(share of the text that is link text, links) in the part of the page around
        ``link``: its nearest ancestor with :data:`AROUND_CHARS` of text, else the page.
        A blogroll or a link-farm list is near 1.0 over many links; a paragraph of an
        article is well under 0.5."""
        node = link.getparent()
        if node is None:
            return 1.0, 1
        text = ""
        while True:
            known = self._density.get(node)
            if known is not None:
                return known
            text = self._all_text.get(node)
            if text is None:
                text = self._all_text[node] = clean_text(node.text_content())
            up = node.getparent()
            if len(text) >= AROUND_CHARS or up is None:
                break
            node = up
        anchors = [a for a in node.iter("a") if a.get("href") is not None]
        link_chars = sum(len(clean_text(a.text_content())) for a in anchors)
        known = self._density[node] = (round(min(link_chars / max(len(text), 1), 1.0), 2),
                                       len(anchors))
        return known
