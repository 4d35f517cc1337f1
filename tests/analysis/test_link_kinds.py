"""Links other than ordinary anchors: canonical/alternate, iframe, form, meta refresh, feeds.

The ``<a>`` links the classifiers read are unchanged by them: the same list, the same fields.
"""

from __future__ import annotations

import re

import pytest

from linkcrawl.analysis.encoding import parse_document
from linkcrawl.analysis.extract import extract_links, read_page
from linkcrawl.analysis.kinds import feed_links, read_other_links, refresh_url
from linkcrawl.analysis.links import TargetMatcher, split_backlinks
from linkcrawl.analysis.page import AnalysisSetup, PageAnalyzer, analyze_page, classify_page_links
from linkcrawl.items import LinkItem

PAGE_URL = "http://copies.test/2024/story.html"

PAGE = b"""<!doctype html><html lang="en"><head>
<title>Syndicated story</title>
<link rel="canonical" href="http://acme.test/blog/story">
<link rel="alternate" hreflang="de" href="/de/2024/story.html" title="Deutsch">
<link rel="stylesheet" href="http://acme.test/style.css">
<link rel="Alternate" type="application/rss+xml" title="Acme feed" href="http://acme.test/feed">
<meta http-equiv="Refresh" content="30; URL='http://acme.test/blog/'">
<meta http-equiv="refresh" content="60">
</head><body>
<article><p>Republished from <a href="http://acme.test/blog/story">Acme's blog</a>.</p>
<iframe src="http://acme.test/embed/video?id=7" title="Acme video"></iframe>
<iframe src="about:blank"></iframe>
<form action="http://acme.test/subscribe" method="post"><input name="email"></form>
<form method="get"><input name="q"></form>
<form action="javascript:void(0)"></form>
</article></body></html>"""


@pytest.mark.parametrize(
    ("content", "url"),
    [
        ("0; url=http://acme.test/", "http://acme.test/"),
        ("0;URL='http://acme.test/a b'", "http://acme.test/a b"),
        ('5; url="/next.html"', "/next.html"),
        ("3,url=/x", "/x"),
        ("0; http://acme.test/", "http://acme.test/"),
        ("http://acme.test/now", "http://acme.test/now"),
        ("  10  ", ""),  # reloads the page itself
        ("2.5", ""),
        ("", ""),
        ("0; url=", ""),
    ],
)
def test_refresh_url(content: str, url: str) -> None:
    assert refresh_url(content) == url


def _other(body: bytes, url: str = PAGE_URL) -> list[LinkItem]:
    root = parse_document(body)
    return read_other_links(root, read_page(root, url, {}))


def test_each_kind_is_read_in_page_order() -> None:
    got = [(k.link_kind, k.url, k.anchor_text, k.tag, k.location, k.location_evidence)
           for k in _other(PAGE)]
    assert got == [
        ("canonical", "http://acme.test/blog/story", "", "link", "other",
         ["kind:canonical", "in:head"]),
        ("alternate", "http://copies.test/de/2024/story.html", "Deutsch", "link", "other",
         ["kind:alternate", "in:head"]),
        ("alternate", "http://acme.test/feed", "Acme feed", "link", "other",
         ["kind:alternate", "in:head"]),
        ("meta_refresh", "http://acme.test/blog/", "", "meta", "other",
         ["kind:meta_refresh", "in:head"]),
        ("iframe", "http://acme.test/embed/video?id=7", "Acme video", "iframe", "other",
         ["kind:iframe", "in:body"]),
        ("form", "http://acme.test/subscribe", "", "form", "other", ["kind:form", "in:body"]),
    ]


def test_anchor_links_are_the_same_with_or_without_the_other_kinds() -> None:
    """The classifiers' input: the <a> links of a page with the other kinds removed are the
    <a> links of the page as it is, field for field."""
    bare = re.sub(rb"<iframe.*?</iframe>|<form.*?</form>|<meta http-equiv[^>]*>", b"", PAGE,
                  flags=re.S)
    assert bare.count(b"<iframe") == bare.count(b"<form") == 0

    def anchors(body: bytes) -> list[tuple]:
        root = parse_document(body)
        return [(link.url, link.anchor_text, link.rel, link.tag, link.link_kind, link.location,
                 link.location_evidence, link.context, link.dom_path)
                for link in extract_links(root, read_page(root, PAGE_URL, {}))]
    got = anchors(PAGE)
    assert got == anchors(bare)
    assert [g[:5] for g in got] == [("http://acme.test/blog/story", "Acme's blog", [], "a", "a")]
    page = analyze_page(PAGE, PAGE_URL)
    assert [link.link_kind for link in page.links] == ["a"]
    assert page.outlink_count == 1  # the other kinds are not outlinks
    assert len(page.other_links) == 6


def test_other_kinds_to_a_target_become_backlinks_typed_other() -> None:
    page = PageAnalyzer(AnalysisSetup(targets=("acme.test",))).analyze(PAGE, PAGE_URL)
    backlinks, edges = split_backlinks(page, TargetMatcher(["acme.test"]))
    assert dict(edges) == {"acme.test": 1}  # anchors only: the domain graph is unchanged
    page.links = backlinks
    classify_page_links(page)
    got = [(b.link_kind, b.normalized_url, b.link_type, b.evidence) for b in backlinks]
    assert got == [
        ("a", "http://acme.test/blog/story", got[0][2], got[0][3]),
        ("canonical", "http://acme.test/blog/story", "other",
         ["kind:canonical", "syndication:canonical_to_target"]),
        ("alternate", "http://acme.test/feed", "other", ["kind:alternate"]),
        ("meta_refresh", "http://acme.test/blog/", "other", ["kind:meta_refresh"]),
        ("iframe", "http://acme.test/embed/video?id=7", "other", ["kind:iframe"]),
        ("form", "http://acme.test/subscribe", "other", ["kind:form"]),
    ]
    assert got[0][2] != "" and got[0][3]  # the anchor went through the link type rules


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Reader picks</title>
<item><title>Acme's new <![CDATA[widget]]></title><link>http://acme.test/widget</link></item>
<item><title>Our own post</title><link>/posts/1</link></item>
<item><title>No link</title><guid isPermaLink="false">x1</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Picks</title>
<entry><title>Acme</title><link rel="enclosure" href="http://cdn.test/a.mp3"/>
<link href="http://acme.test/a"/></entry>
<entry><title type="html">Two</title><link rel="alternate" href="b.html"/></entry>
</feed>"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RSS, [("http://acme.test/widget", "Acme's new widget", "item"),
               ("http://reader.test/posts/1", "Our own post", "item")]),
        (ATOM, [("http://acme.test/a", "Acme", "entry"),
                ("http://reader.test/feeds/b.html", "Two", "entry")]),
        (b"<html><body><a href='http://acme.test/'>x</a></body></html>", []),
        (b"<urlset><url><loc>http://acme.test/</loc></url></urlset>", []),  # a sitemap
        (b"", []),
        (b"\x00\xff not xml", []),
    ],
)
def test_feed_links(body: bytes, expected: list[tuple[str, str, str]]) -> None:
    links = feed_links(body, "http://reader.test/feeds/picks.xml")
    assert [(k.url, k.anchor_text, k.tag) for k in links] == expected
    assert {k.link_kind for k in links} <= {"feed"}


def test_a_feed_is_a_page_only_when_an_item_links_to_a_target() -> None:
    analyzer = PageAnalyzer(AnalysisSetup(targets=("acme.test",)))
    page = analyzer.analyze_feed(RSS, "http://reader.test/feed.xml")
    assert page is not None
    assert [(k.normalized_url, k.target_domain) for k in page.other_links] == [
        ("http://acme.test/widget", "acme.test"), ("http://reader.test/posts/1", "reader.test")]
    assert (page.url, page.domain, page.links) == ("http://reader.test/feed.xml", "reader.test",
                                                   [])
    assert PageAnalyzer(AnalysisSetup(targets=("other.test",))).analyze_feed(
        RSS, "http://reader.test/feed.xml") is None
