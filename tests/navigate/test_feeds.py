"""RSS, Atom, sitemaps, news sitemaps and sitemap indexes; feed discovery; page dates."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from linkcrawl.navigate.feeds import (
    Entry,
    discover_feeds,
    looks_like_feed,
    page_date,
    parse_date,
    parse_feed,
    sitemaps_from_robots,
)
from tests.policyweb import POLICY_WEB

PRWIRE = POLICY_WEB / "prwire.test"
BASE = "http://prwire.test/"

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>x</title>
<item><title>a</title><link>http://w.test/a.html</link>
<pubDate>Mon, 04 Mar 2024 08:00:00 GMT</pubDate></item>
<item><title>b</title><guid isPermaLink="true">http://w.test/b.html</guid></item>
<item><title>c</title><guid isPermaLink="false">tag:w.test,1</guid></item>
<item><title>d</title><link>/d.html</link><pubDate>not a date</pubDate></item>
</channel></rss>"""
RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://w.test/"><title>x</title></channel>
<item rdf:about="http://w.test/r1"><title>r1</title><link>http://w.test/r1</link>
<dc:date>2023-05-06T10:00:00+02:00</dc:date></item>
</rdf:RDF>"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://w.test/</loc></url>
<url><loc> http://w.test/p.html </loc><lastmod>2024-02-01</lastmod></url>
</urlset>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://w.test/&x;</loc></url></urlset>"""


def test_rss_entries_with_dates_guid_links_and_relative_urls() -> None:
    feed = parse_feed(RSS, "http://w.test/feed.xml")
    assert feed is not None and feed.kind == "rss"
    assert feed.entries == (
        Entry("http://w.test/a.html", date(2024, 3, 4)),
        Entry("http://w.test/b.html", None),
        Entry("http://w.test/d.html", None),
    )


def test_rdf_feed() -> None:
    feed = parse_feed(RDF, "http://w.test/")
    assert feed is not None and feed.kind == "rss"
    assert feed.entries == (Entry("http://w.test/r1", date(2023, 5, 6)),)


def test_atom_feed_from_the_test_wire() -> None:
    feed = parse_feed((PRWIRE / "feeds" / "atom.xml").read_bytes(), f"{BASE}feeds/atom.xml")
    assert feed is not None and feed.kind == "atom"
    assert feed.entries == (
        Entry("http://prwire.test/news/2024/05/acme-expands.html", date(2024, 5, 10)),
        Entry("http://prwire.test/story/acme-webinar", date(2024, 4, 2)),
        Entry("http://prwire.test/story/old-atom-entry", date(2022, 1, 1)),
    )


def test_news_sitemap_uses_publication_dates() -> None:
    feed = parse_feed((PRWIRE / "news-sitemap.xml").read_bytes(), BASE)
    assert feed is not None and feed.kind == "news"
    assert feed.entries == (
        Entry("http://prwire.test/story/acme-award", date(2024, 3, 15)),
        Entry("http://prwire.test/story/rival-recall", date(2023, 12, 20)),
    )


def test_sitemap_index() -> None:
    feed = parse_feed((PRWIRE / "sitemap_index.xml").read_bytes(), BASE)
    assert feed is not None and feed.is_index
    assert [e.url for e in feed.entries] == [
        "http://prwire.test/news-sitemap.xml", "http://prwire.test/pages-sitemap.xml"]


def test_plain_sitemap_and_gzip() -> None:
    expected = (Entry("http://w.test/", None), Entry("http://w.test/p.html", date(2024, 2, 1)))
    plain = parse_feed(URLSET, "http://w.test/")
    zipped = parse_feed(gzip.compress(URLSET), "http://w.test/")
    assert plain is not None and zipped is not None
    assert plain.kind == zipped.kind == "urlset"
    assert plain.entries == zipped.entries == expected


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>hi</body></html>", b"\x1f\x8bnot gzip", b"<<<", b"plain text"]
)
def test_not_a_feed(body: bytes) -> None:
    assert parse_feed(body, "http://w.test/") is None


def test_entities_are_not_expanded() -> None:
    feed = parse_feed(XXE, "http://w.test/")
    assert feed is None or all("root:" not in e.url for e in feed.entries)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-04", date(2024, 3, 4)),
        ("2024-03-04T23:30:00-05:00", date(2024, 3, 4)),
        ("Mon, 04 Mar 2024 08:00:00 GMT", date(2024, 3, 4)),
        ("Mon, 04 Mar 2024 23:30:00 -0500", date(2024, 3, 5)),  # to UTC
        ("2024-02-30", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("body", "ctype", "expected"),
    [
        (b"<rss>", "", True),
        (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>", "", True),
        (b"x", "application/rss+xml", True),
        (b"<html>", "text/html", False),
        (gzip.compress(URLSET), "application/octet-stream", True),
    ],
)
def test_looks_like_feed(body: bytes, ctype: str, expected: bool) -> None:
    assert looks_like_feed(body, ctype) is expected


def test_discover_feeds_honours_base_href() -> None:
    html = (PRWIRE / "index.html").read_text(encoding="utf-8")
    assert discover_feeds(html, BASE) == ["http://prwire.test/feeds/atom.xml"]
    with_base = ('<head><base href="http://w.test/news/"><link rel="alternate" '
                 'type="application/rss+xml" href="feed.xml?a=1&amp;b=2">'
                 '<link rel="stylesheet" href="x.css"></head>')
    assert discover_feeds(with_base, "http://w.test/") == ["http://w.test/news/feed.xml?a=1&b=2"]


def test_sitemaps_from_robots() -> None:
    text = (PRWIRE / "robots.txt").read_text(encoding="utf-8")
    assert sitemaps_from_robots(text) == ["http://prwire.test/sitemap_index.xml"]
    assert sitemaps_from_robots("User-agent: *\nsitemap: /relative.xml\n") == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("news/2024/05/acme-expands.html", date(2024, 5, 10)),  # JSON-LD datePublished
        ("index.html", date(2024, 5, 10)),  # first <time datetime> of the newsroom
        ("robots.txt", None),
    ],
)
def test_page_date(path: str, expected: date | None) -> None:
    assert page_date((PRWIRE / path).read_text(encoding="utf-8")) == expected
