"""Parsing, page facts and link extraction (one parse per page, never raises)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcrawl.analysis.encoding import parse_document, sniff_encoding
from linkcrawl.analysis.extract import extract_links, parse_rel, read_page
from linkcrawl.analysis.links import passes_equity
from linkcrawl.items import PageFacts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
PAGE = "https://www.boulangerie.test/blog/pain"


def _links(name: str, url: str = "https://zoo.test/dir/page.html") -> dict[str, object]:
    root = parse_document((FIXTURES / name).read_bytes())
    return {link.anchor_text: link for link in extract_links(root, read_page(root, url, {}))}


# --- parsing and encodings -------------------------------------------------------------------

CAFE = "caf\u00e9 cr\u00e8me \u20ac"


@pytest.mark.parametrize(
    ("body", "encoding", "content_type"),
    [
        (f"<p>{CAFE}</p>".encode(), None, None),  # valid UTF-8, no declaration
        (f"<p>{CAFE}</p>".encode("cp1252"), None, None),  # not UTF-8: windows-1252
        (f"<p>{CAFE}</p>".encode("cp1252"), None, "text/html; charset=ISO-8859-1"),
        (f"<p>{CAFE}</p>".encode("cp1252"), "latin-1", None),
        (f'<meta charset="windows-1252"><p>{CAFE}</p>'.encode("cp1252"), None, None),
        (f'<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><p>{CAFE}</p>'
         .encode(), None, None),
        (f"<p>{CAFE}</p>".encode("utf-16"), None, None),  # BOM
        (f"<p>{CAFE}</p>".encode("utf-16-le"), None, "text/html; charset=utf-16le"),
        (f"<p>{CAFE}</p>".encode("utf-16-le"), None, None),  # no BOM, no label
        ("\ufeff<p>" .encode() + CAFE.encode() + b"</p>", None, "text/html; charset=latin-1"),
        (f'<meta charset="utf-16"><p>{CAFE}</p>'.encode(), None, None),  # lying meta
        (f"<p>{CAFE}</p>", None, None),  # already text
        (f"<p>{CAFE}</p>".encode(), None, "text/html; charset=bogus-encoding"),
    ],
)
def test_parse_document_decodes(body: bytes | str, encoding: str | None,
                                content_type: str | None) -> None:
    root = parse_document(body, encoding=encoding, content_type=content_type)
    assert root.tag == "html"
    assert CAFE in root.text_content()


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"\x00\x00\x00", b"\xff\xfe", b"<", b"</html>", b"<p>a\x00b</p>",
     b"\x89PNG\r\n\x1a\n\x00\x00", "\ud800 lone surrogate", b"<a href=x>" * 5000,
     b"<div>" * 3000 + b"deep" + b"</div>" * 3000, bytearray(b"<p>bytes</p>"), 42],
)
def test_parse_document_never_raises(body: object) -> None:
    root = parse_document(body)  # type: ignore[arg-type]
    assert root.tag == "html"
    assert root.find("body") is not None


def test_nul_bytes_do_not_lose_the_page() -> None:
    root = parse_document(b"<p>before\x00after <a href='/x'>link</a></p>")
    assert "after" in root.text_content()
    assert len(extract_links(root, read_page(root, "https://n.test/", {}))) == 1


@pytest.mark.parametrize(
    ("body", "encoding", "content_type", "expected"),
    [
        (b"\xef\xbb\xbfx", "latin-1", "text/html; charset=latin-1", ("utf-8", 3)),
        (b"\xff\xfex\x00", None, None, ("utf-16-le", 2)),
        (b"x", "UTF-8", None, ("utf-8", 0)),
        (b"x", None, "text/html; charset=\"Shift_JIS\"", ("shift_jis", 0)),
        (b"<meta charset='euc-jp'>", None, None, ("euc_jp", 0)),
        (b"caf\xe9", None, None, ("cp1252", 0)),
        (b"caf\xc3\xa9", None, None, ("utf-8", 0)),
        (b"x", "no-such-encoding", None, ("utf-8", 0)),
    ],
)
def test_sniff_encoding(body: bytes, encoding: str | None, content_type: str | None,
                        expected: tuple[str, int]) -> None:
    assert sniff_encoding(body, encoding, content_type) == expected


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_random_bytes_never_raise(body: bytes) -> None:
    root = parse_document(body)
    facts = read_page(root, "https://r.test/", {})
    for link in extract_links(root, facts):
        assert link.url.lower().startswith(("http://", "https://"))


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abhrefipmgsc:#&;\n")), max_size=400))
@settings(max_examples=300, deadline=None)
def test_random_markup_never_raises(text: str) -> None:
    root = parse_document(text)
    facts = read_page(root, "https://r.test/", {"X-Robots-Tag": text[:50]})
    links = extract_links(root, facts)
    assert len(links) <= facts.link_count


# --- page facts ------------------------------------------------------------------------------

def test_read_page_facts() -> None:
    root = parse_document((FIXTURES / "page_facts.html").read_bytes())
    facts = read_page(root, PAGE, {"X-Robots-Tag": "noarchive, otherbot: noindex"})
    assert facts.url == PAGE
    assert facts.base_url == "https://static.boulangerie.test/articles/"
    assert facts.title == "Le pain au levain | Boulangerie Test"
    assert facts.language == "fr-FR"
    assert facts.canonical == "https://static.boulangerie.test/pain-au-levain/"
    assert facts.meta_robots == ["noindex", "follow", "nofollow"]
    assert facts.x_robots == ["noarchive"]  # other bots' directives are not ours
    assert facts.generator == "Ghost 5.80"
    assert facts.og == {"og:title": "Le pain au levain", "og:type": "article"}
    assert [d["@type"] for d in facts.json_ld] == ["WebSite", "Article", "BreadcrumbList"]
    assert facts.headings == ["Le pain au levain", "Les ingrédients", "La cuisson"]
    assert facts.body_classes == ["no-js", "post-template", "tag-pain", "top"]
    assert facts.script_count == 4
    assert facts.link_count == 2  # <a name> without href does not count
    assert 60 < facts.text_length < 200
    assert facts.nofollow


def test_links_resolve_against_base_href() -> None:
    root = parse_document((FIXTURES / "page_facts.html").read_bytes())
    links = extract_links(root, read_page(root, PAGE, {}))
    assert [link.url for link in links] == [
        "https://static.boulangerie.test/articles/ingredients.html",
        "https://static.boulangerie.test/outils/",
    ]
    assert all(link.source_url == PAGE for link in links)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Robots-Tag": "noindex, nofollow"}, ["noindex", "nofollow"]),
        ({"x-robots-tag": "NONE"}, ["none"]),
        ({b"X-Robots-Tag": [b"noindex", b"googlebot: nofollow"]}, ["noindex", "nofollow"]),
        ([("X-Robots-Tag", "unavailable_after: 2030-01-01")], ["unavailable_after: 2030-01-01"]),
        ({"X-Robots-Tag": "bingbot: noindex"}, []),
        ({}, []),
        (None, []),
    ],
)
def test_x_robots_tag(headers: object, expected: list[str]) -> None:
    root = parse_document(b"<p>x</p>")
    assert read_page(root, PAGE, headers).x_robots == expected


class _ScrapyLikeHeaders:
    def getlist(self, name: str) -> list[bytes]:
        return [b"nofollow"] if name.lower() == "x-robots-tag" else []


def test_x_robots_tag_from_scrapy_headers() -> None:
    root = parse_document(b"<p>x</p>")
    assert read_page(root, PAGE, _ScrapyLikeHeaders()).x_robots == ["nofollow"]


@pytest.mark.parametrize(
    ("rel", "meta", "x_robots", "passes"),
    [
        ([], [], [], True),
        (["noopener", "noreferrer", "external"], [], [], True),
        (["nofollow"], [], [], False),
        (["ugc"], [], [], False),
        (["sponsored"], [], [], False),
        ([], ["nofollow"], [], False),
        ([], [], ["nofollow"], False),
        ([], ["none"], [], False),
        ([], ["noindex"], [], True),
    ],
)
def test_passes_equity(rel: list[str], meta: list[str], x_robots: list[str],
                       passes: bool) -> None:
    facts = PageFacts(url=PAGE, meta_robots=meta, x_robots=x_robots)
    assert passes_equity(rel, facts) is passes


# --- links -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("anchor", "rel"),
    [
        ("rel nofollow", ["nofollow"]),
        ("rel ugc", ["ugc"]),
        ("rel sponsored", ["sponsored"]),
        ("rel noopener", ["noopener"]),
        ("rel noreferrer", ["noreferrer"]),
        ("rel external", ["external"]),
        ("rel mixed case", ["nofollow", "ugc"]),
        ("rel duplicates", ["nofollow", "noopener"]),
        ("rel commas", ["sponsored", "nofollow", "noopener"]),
        ("rel spaces", ["nofollow", "noreferrer"]),
        ("rel empty", []),
        ("rel none", []),
    ],
)
def test_rel_values(anchor: str, rel: list[str]) -> None:
    assert _links("links.html")[anchor].rel == rel  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "tokens"),
    [(None, []), ("", []), ("NOFOLLOW", ["nofollow"]), ("a,b ,, c a", ["a", "b", "c"])],
)
def test_parse_rel(value: str | None, tokens: list[str]) -> None:
    assert parse_rel(value) == tokens


@pytest.mark.parametrize(
    ("anchor", "href", "url"),
    [
        ("spaces", " /spaced path ", "https://zoo.test/spaced path"),
        ("entities", "/a?x=1&y=2", "https://zoo.test/a?x=1&y=2"),
        ("entity name", "/caf\u00e9", "https://zoo.test/caf\u00e9"),
        ("unicode path", "/stra\u00dfe/\u00fc", "https://zoo.test/stra\u00dfe/\u00fc"),
        ("IDN host", "http://b\u00fccher.test/", "http://b\u00fccher.test/"),
        ("stray quotes", '"https://quoted.test/"', "https://quoted.test/"),
        ("with fragment", "https://a.test/page#frag", "https://a.test/page#frag"),
    ],
)
def test_malformed_hrefs_survive(anchor: str, href: str, url: str) -> None:
    link = _links("links.html")[anchor]
    assert (link.href, link.url) == (href, url)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "anchor",
    ["javascript", "mailto", "tel", "data", "fragment only", "empty href", "broken ipv6",
     "no href"],
)
def test_unusable_hrefs_are_skipped(anchor: str) -> None:
    assert anchor not in _links("links.html")


def test_image_area_and_noscript_links() -> None:
    links = _links("links.html")
    image = links["Image alt text"]
    assert image.is_image and image.url == "https://img.test/"  # type: ignore[attr-defined]
    assert links[""].is_image  # type: ignore[attr-defined]  # an image without alt
    mixed = links["Text wins"]
    assert not mixed.is_image  # type: ignore[attr-defined]
    area = links["Area alt"]
    assert (area.tag, area.url) == ("area", "https://zoo.test/area-target")  # type: ignore[attr-defined]
    noscript = links["Noscript link"]
    assert noscript.in_noscript  # type: ignore[attr-defined]
    assert not any(link.in_noscript for name, link in links.items()  # type: ignore[attr-defined]
                   if name != "Noscript link")


def test_noscript_kept_as_raw_text_is_parsed() -> None:
    root = parse_document(b"<html><body><p>x</p><noscript></noscript></body></html>")
    root.find(".//noscript").text = '<a href="/raw">Raw noscript link</a>'
    links = extract_links(root, read_page(root, "https://n.test/", {}))
    assert [(link.anchor_text, link.url, link.in_noscript) for link in links] == [
        ("Raw noscript link", "https://n.test/raw", True)]


def test_context_dom_path_and_anchor_whitespace() -> None:
    html = (b"<html><body><div id='comments'><ol class='commentlist'><li>"
            b"Before the link " + b"x" * 200 + b" then <a href='/t'>  the\n  anchor\ttext </a>"
            b" and after " + b"y" * 200 + b"</li></ol></div></body></html>")
    root = parse_document(html)
    # the rules' region (a comment list); the model's location is measured on real pages
    (link,) = extract_links(root, read_page(root, "https://c.test/", {}), location_model=False)
    assert link.anchor_text == "the anchor text"
    assert link.dom_path == "div#comments > ol.commentlist > li > a"
    assert "the anchor text" in link.context
    assert 140 <= len(link.context) <= 150
    assert link.location == "comment"


def test_short_block_is_the_whole_context() -> None:
    root = parse_document(
        b"<p>See <a href='/a'>this</a> now.</p><ul><li><a href='/m'>Menu</a></li></ul>")
    links = extract_links(root, read_page(root, "https://c.test/", {}))
    assert [link.context for link in links] == ["See this now.", "Menu"]


def test_huge_href_does_not_lose_the_page() -> None:
    href = "/" + "a" * 100_000
    root = parse_document(f"<p><a href='{href}'>long</a> <a href='/b'>short</a></p>".encode())
    links = extract_links(root, read_page(root, "https://h.test/", {}))
    assert [link.url for link in links] == ["https://h.test" + href, "https://h.test/b"]


def test_extraction_leaves_normalization_to_links_module() -> None:
    root = parse_document(b"<p><a href='HTTP://Example.COM/a?utm_source=x'>x</a></p>")
    (link,) = extract_links(root, read_page(root, "https://n.test/", {}))
    assert link.url == "HTTP://Example.COM/a?utm_source=x"
    assert (link.normalized_url, link.target_domain, link.wrapper) == ("", "", "")
