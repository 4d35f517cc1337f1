"""Decoding and parsing a page's bytes the way browsers do: one lxml parse per page.

``parse_document`` never raises; :func:`sniff_encoding` follows the WHATWG order (BOM,
transport charset, ``<meta charset>``, then a guess).
"""

from __future__ import annotations

import codecs
import html
import logging
import re
from collections import Counter

import lxml.html
from lxml import etree

__all__ = ["PARSER", "is_text_codec", "links_past_depth_limit", "parse_document",
           "sniff_encoding"]

logger = logging.getLogger(__name__)

# lxml.html elements (text_content, cssselect, ...) without lxml.html's per-element Python
# class lookup, which costs more than the parse itself once every link's ancestors are read.
PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True)
PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement))

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)
_CT_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG Encoding: labels browsers treat as another encoding (latin-1 means windows-1252, a
# <meta> that claims UTF-16 in an ASCII-compatible document means UTF-8).
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "iso8859-1": "cp1252", "x-user-defined": "cp1252"}
# Python codecs that decode text but that no browser knows as a page encoding: a page
# labelled with one is read as if it had no label (as are bytes codecs such as zlib).
_NOT_PAGE_ENCODINGS = frozenset({
    "utf-7", "idna", "punycode", "raw_unicode_escape", "unicode_escape", "undefined",
    "raw-unicode-escape", "unicode-escape", "utf-8-sig", "mbcs", "oem", "charmap",
})


def is_text_codec(name: str) -> bool:
    """True for a Python codec name a page can be decoded with the way a browser would;
    False for bytes-to-bytes codecs (zlib, base64, hex, bz2, uu, quopri), rot13 and codecs
    such as utf-7 or idna that are no web encoding (WHATWG Encoding lists none of them)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return bool(getattr(info, "_is_text_encoding", True)) and info.name not in _NOT_PAGE_ENCODINGS


def _codec(label: str | bytes | None, from_meta: bool = False) -> str | None:
    """A Python codec name for an encoding label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if not is_text_codec(name):
        return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"
    return name


def sniff_encoding(body: bytes, encoding: str | None = None,
                   content_type: str | None = None) -> tuple[str, int]:
    """(codec, BOM length): BOM, ``encoding``, Content-Type charset, <meta charset>, else
    UTF-16 if the bytes look like it, else UTF-8 (windows-1252 if they are not valid UTF-8)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    ct_match = _CT_CHARSET_RE.search(content_type or "")
    meta = _CHARSET_RE.search(body[:4096])
    name = (_codec(encoding) or _codec(ct_match.group(1) if ct_match else None)
            or _codec(meta.group(1) if meta else None, from_meta=True))
    if name is not None:
        return name, 0
    sample = body[:200]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):  # UTF-16, no BOM
        return ("utf-16-le" if body[1:2] == b"\x00" else "utf-16-be"), 0
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", 0
    return "utf-8", 0


def _utf8_bytes(body: bytes | str, encoding: str | None, content_type: str | None) -> bytes:
    """The page as valid UTF-8 without NUL bytes, decoded as browsers would."""
    if isinstance(body, str):
        return body.replace("\x00", "\ufffd").encode("utf-8", "replace")
    if not isinstance(body, bytes):
        body = bytes(body)  # bytearray, memoryview; TypeError for anything else
    name, skip = sniff_encoding(body, encoding, content_type)
    data = body[skip:] if skip else body
    if name == "utf-8" and b"\x00" not in data:
        try:
            data.decode("utf-8")  # valid UTF-8 goes to the parser as it is
            return data
        except UnicodeDecodeError:
            pass
    return data.decode(name, "replace").replace("\x00", "\ufffd").encode("utf-8")


def parse_document(
    body: bytes | str, encoding: str | None = None, content_type: str | None = None
) -> lxml.html.HtmlElement:
    """Parse a page into an lxml.html root; never raises (an empty document for garbage).

    The encoding comes from the BOM, ``encoding``, the Content-Type charset, a
    ``<meta charset>``, then UTF-8 if the bytes are valid UTF-8, else windows-1252.
    """
    try:
        data = _utf8_bytes(body, encoding, content_type)
        if data.strip():
            root = etree.fromstring(data, parser=PARSER)
            if root is not None:
                if any(_DEPTH_ERROR in e.message for e in PARSER.error_log):
                    _recover_deep_links(root, data)
                return root
    except (etree.ParserError, ValueError, TypeError, LookupError) as exc:
        logger.debug("unparsable document: %s", exc)
    return etree.fromstring(b"<html><body></body></html>", parser=PARSER)


# --- links past libxml2's depth limit --------------------------------------------------
# libxml2 stops building the tree at a nesting depth of about 2,048 (3,000 unclosed <div>s
# are enough) and drops the rest of the document, footer and all. The anchors it dropped
# are read from the bytes instead and appended to <body> in one marked container.
_DEPTH_ERROR = "Excessive depth"
_RECOVERED = "data-linkcrawl-past-depth-limit"  # the container's attribute: links recovered
_RAW_ANCHOR_RE = re.compile(
    rb"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>.{0,4000}?</a\s*>""",
    re.IGNORECASE | re.DOTALL,
)


def _recover_deep_links(root: lxml.html.HtmlElement, data: bytes) -> None:
    """Append the ``<a href>`` elements the truncated tree lacks, read from the raw bytes.

    Per href, the occurrences beyond those in the tree are taken from the end of the
    document, where the cut is. Their place on the page is lost (they sit in a ``<div>``
    at the end of ``<body>``); their anchor text and attributes are kept.
    """
    in_tree = Counter((a.get("href") or "").strip() for a in root.iter("a")
                      if a.get("href") is not None)
    raw = list(_RAW_ANCHOR_RE.finditer(data))
    by_href: dict[str, list[re.Match[bytes]]] = {}
    for match in raw:
        value = next(g for g in match.groups() if g is not None)
        href = html.unescape(value.decode("utf-8", "replace")).strip()
        by_href.setdefault(href, []).append(match)
    missing: list[re.Match[bytes]] = []
    for href, matches in by_href.items():
        extra = len(matches) - in_tree.get(href, 0)
        if extra > 0:
            missing.extend(matches[-extra:])
    if not missing:
        return
    missing.sort(key=lambda m: m.start())
    snippets = b"".join(m.group(0) for m in missing)
    fragment = etree.fromstring(b"<html><body>" + snippets + b"</body></html>", parser=PARSER)
    anchors = list(fragment.iter("a")) if fragment is not None else []
    body = root.find("body")
    container = etree.SubElement(body if body is not None else root, "div")
    container.set(_RECOVERED, str(len(anchors)))
    container.extend(anchors)
    logger.debug("nesting past the parser's depth limit: %d links read from the bytes",
                 len(anchors))


def links_past_depth_limit(root: lxml.html.HtmlElement) -> int:
    """How many links :func:`parse_document` read from the bytes past the depth limit."""
    body = root.find("body")
    parent = body if body is not None else root
    last = parent[-1] if len(parent) else None
    if last is None or last.get(_RECOVERED) is None:
        return 0
    return int(last.get(_RECOVERED) or 0)
