"""Page-type detection: the labeled fixture pages exactly, plus rule tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcrawl.analysis.encoding import parse_document
from linkcrawl.analysis.extract import extract_links, read_page
from linkcrawl.analysis.page import analyze_page
from linkcrawl.classify import type_rules as rules
from linkcrawl.classify.pagetype import _about_company, detect_page_type
from linkcrawl.vocab import PAGE_TYPES

TYPES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "types"
FIXTURES = sorted(p.stem for p in TYPES_DIR.glob("*.html"))


def _label(name: str) -> dict:
    return json.loads((TYPES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _detect(html: str, url: str):
    root = parse_document(html.encode("utf-8"))
    facts = read_page(root, url)
    links = extract_links(root, facts)
    return detect_page_type(root, facts, links), links


def test_fixture_coverage() -> None:
    """At least three labeled pages for every page type (the evaluation's floor)."""
    counts = {kind: 0 for kind in PAGE_TYPES}
    for name in FIXTURES:
        counts[_label(name)["page_type"]] += 1
    assert {k: v for k, v in counts.items() if v < 3} == {}


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_page_type(name: str) -> None:
    label = _label(name)
    page = analyze_page((TYPES_DIR / f"{name}.html").read_bytes(), label["url"])
    assert (page.page_type, name) == (label["page_type"], name), page.page_type_evidence
    assert 0.5 <= page.page_type_confidence <= 0.95
    assert page.page_type_evidence


@pytest.mark.parametrize(("name", "evidence"), [
    ("forum_phpbb", "page:forum_engine=phpbb"),
    ("forum_vbulletin", "page:forum_engine=vbulletin"),
    ("forum_xenforo", "page:forum_engine=xenforo"),
    ("forum_discourse", "page:forum_engine=discourse"),
    ("forum_invision", "page:forum_engine=invision"),
    ("forum_generic", "schema:DiscussionForumPosting"),
    ("press_wire", "domain:prnewswire.com"),
    ("press_release_company", 'text:"for immediate release"'),
    ("press_release_blog", "text:dateline"),
    ("guest_post_de", 'text:"gastbeitrag"'),
    ("guest_post_fr", "author_bio:offsite=claire-coaching-running.example"),
    ("sponsors_es", 'heading:"patrocinadores"'),
    ("partners_de", 'heading:"linkpartner"'),
    ("directory_listing", 'anchor:"submit site"'),
])
def test_fixture_evidence(name: str, evidence: str) -> None:
    label = _label(name)
    page = analyze_page((TYPES_DIR / f"{name}.html").read_bytes(), label["url"])
    assert evidence in page.page_type_evidence


_POST = "<p>{}</p>".format("A long enough forum post body about the problem at hand. " * 2)


@pytest.mark.parametrize(("html", "url", "expected"), [
    # Simple Machines: its post wrapper and credit, no generator
    (f'<body><div class="post_wrapper">{_POST}</div><div class="post_wrapper">{_POST}</div>'
     '<div id="footer">Simple Machines</div></body>',
     "https://f.example/index.php?topic=51.0", "forum_thread"),
    # MyBB: generator-free, its post_body blocks and thread URL
    (f'<body><div class="post_body">{_POST}</div><div class="post_author">x</div>'
     '<p>Powered by MyBB</p></body>', "https://f.example/showthread.php?tid=9", "forum_thread"),
    # vBulletin by generator alone on a forumdisplay page with thread rows
    ('<head><meta name="generator" content="vBulletin 4.2.5"></head><body><ol id="threads">'
     '<li class="threadbit">a</li><li class="threadbit">b</li></ol></body>',
     "https://f.example/forumdisplay.php?3-Cars", "forum_index"),
    # a "Write for us" page is not a guest post even with guest wording everywhere
    ('<head><title>Write for us</title><meta property="og:type" content="article"></head>'
     '<body><h1>Write for us</h1><p>Send us your guest post. Guest author rules.</p></body>',
     "https://b.example/write-for-us/", "article"),
    ('<head><title>Our guest authors</title><meta property="og:type" content="article"></head>'
     '<body><h1>Gastbeitrag: Radwege</h1><p>Ein Gastbeitrag von Eva.</p></body>',
     "https://b.example/2024/03/radwege/", "guest_post"),
    # a wire domain alone makes a release
    ("<body><h1>Acme ships v2</h1><p>Acme today shipped version 2.</p></body>",
     "https://www.businesswire.com/news/home/2024/en/", "press_release"),
    # the site root is the homepage even with article markup on it
    ('<head><meta property="og:type" content="article"></head><body><article><h2>Post</h2>'
     '</article></body>', "https://b.example/", "homepage"),
    # og:type=article plus a dated URL: an article
    ('<head><meta property="og:type" content="article"></head><body><h1>Title</h1></body>',
     "https://b.example/2024/05/title/", "article"),
    # sponsors by title and URL; partners by Spanish heading and URL
    ("<head><title>Sponsors | Conf</title></head><body><h1>Sponsors</h1></body>",
     "https://conf.example/sponsors/", "sponsors"),
    ("<body><h1>Nuestros socios</h1><p>x</p></body>", "https://c.example/socios/", "partners"),
    # an article *about* phpBB: the credit in its text is not an engine fingerprint
    ('<head><meta property="og:type" content="article"></head><body><article><h1>Moving off'
     ' phpBB</h1><p>Our old board was powered by phpBB for ten years.</p></article></body>',
     "https://b.example/2024/01/moving/", "article"),
    # a guide under /resources/ is not a links page; a staff bio linking off-site is no guest
    ('<head><meta property="og:type" content="article"></head><body><h1>Ten SEO tips</h1>'
     '<h2>Partners</h2><div class="author-bio"><a href="https://me.example/">Me</a></div>'
     '</body>', "https://b.example/resources/guides/seo-tips", "article"),
    # a directory's About page: only site-wide directory signals
    ('<head><title>About | BizDirectory</title></head><body><h1>About us</h1>'
     '<p><a href="/add/">Add your business</a></p></body>', "https://d.example/about/", "other"),
    # issue 15 (real pages): resource lists and LibGuides are directories, not partners
    ("<head><title>Spanish Learning Resources - LibGuides at Some College</title></head>"
     '<body><div class="s-lib-box"><ul class="s-lg-link-list"><li><a href="https://a.example/">'
     "A</a></li></ul></div></body>", "https://guides.c.example/spanish/online", "directory"),
    ("<body><h1>Online resources</h1><ul><li><a href='https://a.example/'>A</a></li></ul>"
     "</body>", "https://club.example/info/resources", "directory"),
    # friend-links and mutual-link pages in Chinese and Japanese, without word spaces
    ('<head><meta property="og:type" content="blog"><title>友情链接-你我他</title></head><body>'
     "<article><table><tr><td><a href='https://a.example/'>A</a></td></tr></table></article>"
     "</body>", "https://blog.example/friends/index.html", "partners"),
    ("<head><title>相互リンク集</title></head><body><p><a href='https://a.example/'>A</a></p>"
     "</body>", "https://shop.example/sougolink.html", "partners"),
    # a Chinese navigation site (WebStack cards)
    ("<head><title>233的导航页</title></head><body>" + "<div class='url-card'><a "
     "href='https://a.example/'>A</a></div>" * 3 + "</body>", "https://nav.example/", "directory"),
    # podcast and conference directories
    ("<head><title>Technology Podcasts | Podcast Network</title></head><body><p>x</p></body>",
     "https://pod.example/category/technology", "directory"),
    ("<head><title>Tech conferences in Europe 2026</title></head><body><p>x</p></body>",
     "https://events.example/europe", "directory"),
    # a sponsors URL and a wall of logos, no heading
    ("<body>" + "".join(f"<a href='https://s{i}.example/'><img src='l.png' alt=''></a>"
                        for i in range(5)) + "</body>", "https://conf.example/2015/sponsors/",
     "sponsors"),
    # science wire, Forumotion, Stack Exchange
    ("<body><h1>Neue Batterie</h1><p>Text.</p></body>", "https://idw-online.de/de/news123",
     "press_release"),
    ('<body><div class="postprofile-head"></div><div class="postbody-head"></div>'
     '<div class="signature_div"></div></body>', "https://x.forumieren.com/t7-regeln",
     "forum_thread"),
    ('<body><div class="postcell"></div><div class="answercell"></div><div class="answercell">'
     "</div></body>", "https://stackoverflow.com/questions/123/why", "forum_thread"),
    # an article published with a forum add-on (XenForo AMS) is no thread
    ('<html data-template="xa_ams_article_view"><head><meta property="og:type" '
     'content="article"></head><body class="xf"><div class="bbWrapper">Text</div>'
     '<p>Community platform by XenForo</p></body></html>',
     "https://board.example/ams/rod-test.434/", "article"),
    # DMOZ-style category pages, old and new layout
    ('<body><ul class="directory dir-col"><li><a href="/Top/Arts/Music/">Music</a></li></ul>'
     '<ul class="directory dir-col"><li><a href="/Top/Arts/Movies/">Movies</a></li></ul>'
     '<ul class="directory-url"><li><a href="https://a.example/">A</a> - a site</li></ul>'
     "</body>", "https://dir.example/Top/Arts/", "directory"),
    ('<body><h2>Subcategories</h2><a href="/en/Arts/Music/Bands/">Bands</a><h2>Sites</h2>'
     + '<div class="site-item"><a href="https://a.example/">A</a></div>' * 3 + "</body>",
     "https://dir.example/en/Arts/Music/", "directory"),
    # a "best of" listing of business cards with "Website" buttons
    ("<body><h1>The best movers in town</h1>" + "".join(
        f"<div><h3>Mover {i}</h3><a href='https://m{i}.example/?utm_campaign=list'>Website</a>"
        "</div>" for i in range(4)) + "</body>", "https://news.example/best-movers", "directory"),
    # resource and event words make a directory only as the page's own title: not as the
    # site's or a section's name, not inside another name, not in a menu's h1
    ("<head><title>Pricing changes for Actions - Example Resources</title></head><body>"
     "<h1>Pricing changes for Actions</h1><p>We change prices.</p></body>",
     "https://resources.example.com/actions/pricing", "other"),
    ("<head><title>Event planning tips | The Events Calendar</title></head><body>"
     "<h1>Event planning tips</h1></body>", "https://theeventscalendar.example/blog/tips",
     "other"),
    ("<head><title>Yoga series | Human Resources</title></head><body><h1>Human Resources</h1>"
     "</body>", "https://hr.uni.example/yoga", "other"),
    ("<body><h1>Payments</h1><h1>Revenue</h1><h1>Billing</h1><h1>Resources</h1></body>",
     "https://pay.example/payments", "other"),
    ("<head><title>Resources | Example</title></head><body><h1>Resources</h1></body>",
     "https://lib.example/guide", "directory"),
    # the site's name comes first and is left out; the page's own part still counts
    ("<head><title>Hollow Days - Links</title></head><body><a href='https://a.example/'>A</a>"
     "</body>", "https://hollowdays.example/links.html", "partners"),
    # a directory word counts in the site's name too
    ("<head><title>Reisen | Linkfinder Webkatalog</title></head><body><h1>Reisen</h1></body>",
     "https://linkfinder-webkatalog.example/reisen/", "directory"),
    # nothing to go on
    ("<body><p>hello</p></body>", "https://x.example/a/b", "other"),
    ("", "https://x.example/a/b", "other"),
])
def test_page_type_rules(html: str, url: str, expected: str) -> None:
    verdict, _ = _detect(html, url)
    assert verdict.value == expected, verdict.evidence


def test_sections_marked_once() -> None:
    html = ('<body><main><p>' + "Body text of the page goes on. " * 5 + '</p></main>'
            '<aside><h3 class="widget-title">Our partners</h3><ul><li><a href="https://f.example/">'
            'F</a></li></ul><h3>Sponsored by</h3><p><a href="https://s.example/">S</a></p>'
            '</aside></body>')
    root = parse_document(html.encode())
    facts = read_page(root, "https://b.example/")
    links = extract_links(root, facts)
    detect_page_type(root, facts, links)
    detect_page_type(root, facts, links)
    sections = {link.href: [e for e in link.location_evidence if e.startswith("section:")]
                for link in links}
    assert sections == {"https://f.example/": ['section:"our partners"'],
                        "https://s.example/": ['section:"sponsored by"']}


@pytest.mark.parametrize(("paragraph", "dateline"), [
    ("AUSTIN, Texas, Sept. 10, 2024 /PRNewswire/ -- Lumora Health today", True),
    ("ROTTERDAM, Netherlands, March 4, 2024 — Northfield Robotics", True),
    ("Berlin, 12. März 2024 – Die Stadtwerke", True),
    ("Paris, le 3 mars 2024 - La société", True),
    ("Madrid, 3 de marzo de 2024.- La empresa", True),
    ("LONDON (Reuters) - Shares fell on Monday", False),
    ("In March 2024 we moved house.", False),
])
def test_dateline(paragraph: str, dateline: bool) -> None:
    assert bool(rules.DATELINE.match(rules.fold(paragraph))) is dateline


@pytest.mark.parametrize(("text", "company"), [
    ("about lumora health", "lumora health"),
    ("uber die stadtwerke lindenau", "die stadtwerke lindenau"),
    ("a propos de fieldnote", "fieldnote"),
    ("acerca de brightwater", "brightwater"),
    ("about the author", None),
    ("about us", None),
    ("sobre el autor", None),
    ("about a very long heading that is really a sentence", None),
])
def test_about_company(text: str, company: str | None) -> None:
    assert _about_company(text) == company


@pytest.mark.parametrize(("text", "expected"), [
    ("Förderer", "forderer"),
    ("  Nos   MÉCÈNES ", "nos mecenes"),
    ("Añadir sitio", "anadir sitio"),
])
def test_fold(text: str, expected: str) -> None:
    assert rules.fold(text) == expected
    assert rules.fold(rules.fold(text)) == rules.fold(text)


@pytest.mark.parametrize(("phrases", "heading", "found"), [
    (rules.SPONSOR_HEADING, "our sponsors 2024", "our sponsors"),
    (rules.SPONSOR_HEADING, "unsere sponsoren und forderer", "unsere sponsoren"),
    (rules.PARTNER_HEADING, "10 useful links every seo should bookmark today", None),
    (rules.PARTNER_HEADING, "liens utiles", "liens utiles"),
    (rules.DIRECTORY_HEADING, "webkatalog", "webkatalog"),
    # CJK phrases match without word spaces around them; Latin ones keep whole words
    (rules.PARTNER_HEADING, "友情链接-你我他", "友情链接"),
    (rules.DIRECTORY_HEADING, "233的导航页", "导航页"),
    (rules.PARTNER_HEADING, "sublinks", None),
    (rules.PARTNER_HEADING, "online resources", None),
])
def test_heading_shape(phrases: rules.Phrases, heading: str, found: str | None) -> None:
    assert phrases.heading(heading) == found


# Phrases.search looks for short needles with str.find before running its regex on long texts
# (a speed-up, issue #7); it must find exactly what the plain regex finds.
_PHRASE_LISTS = [value for value in vars(rules).values() if isinstance(value, rules.Phrases)]
_WORDS = ["the", "our", "press", "release", "guest", "post", "sponsor", "sponsors", "partner",
          "about", "author", "write", "for", "us", "x", "", "-", ".", "élan", "ß"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.one_of(
    st.sampled_from([p for ph in _PHRASE_LISTS for p in ph.phrases]),
    st.sampled_from(_WORDS),
    st.text(alphabet="abcdefghij -.ée", max_size=12),
), min_size=20, max_size=120), glue=st.sampled_from([" ", "", "-", " . "]))
def test_phrase_search_finds_what_the_plain_regex_finds(pieces: list[str], glue: str) -> None:
    text = glue.join(pieces)
    for phrases in _PHRASE_LISTS:
        match = phrases._rx.search(text)
        assert phrases.search(text) == (match.group(1) if match else None)
