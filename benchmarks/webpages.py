"""HTML for the benchmark web (see webgen.py): page assembly from webvocab's words and styles.

Regions a backlink crawler has to tell apart: header, nav, breadcrumbs, article body,
related links, sidebar widgets, author bio, comments, forum posts with signatures, directory
listings, partner logos, footer. Site-wide chrome is built once per site.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING

from webvocab import (
    ACCENTED,
    AUTHORS,
    FANOUT,
    KINDS,
    MAX_BYTES,
    MAX_LINKS,
    MIN_BYTES,
    MIN_LINKS,
    NAME_SUFFIXES,
    SCRIPT,
    STYLES,
    TARGET_HOSTS,
    WORDS,
)

if TYPE_CHECKING:
    from webgen import Site, Web

__all__ = ["KINDS", "STYLES", "TARGET_HOSTS", "WORDS", "build_chrome", "build_page",
           "make_sentences", "site_names", "slug"]

def slug(i: int) -> str:
    return f"{WORDS[i * 7 % len(WORDS)]}-{WORDS[(i * 13 + 5) % len(WORDS)]}"


def site_names(rng: random.Random, n: int) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < n:
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{rng.choice(NAME_SUFFIXES)}.test"
        if name not in TARGET_HOSTS:
            names[name] = None
    return list(names)


def make_sentences(rng: random.Random, n: int) -> list[str]:
    pool = WORDS * 3 + ACCENTED
    return [" ".join(rng.choice(pool) for _ in range(rng.randint(6, 24))).capitalize() + "."
            for _ in range(n)]


class _Builder:
    """Random choices and link counting for one page (or one site's chrome)."""

    def __init__(self, web: Web, site: Site, key: object) -> None:
        self.web, self.site, self.key, self.links = web, site, key, 0
        self.rng = random.Random(f"{web.seed}|{site.host}|{key}")
        self.st = STYLES[site.style]

    def a(self, href: str, text: str, rel: str = "", cls: str = "") -> str:
        self.links += 1
        rel = f' rel="{rel}"' if rel else ""
        cls = f' class="{cls}"' if cls else ""
        return f'<a href="{href}"{cls}{rel}>{text}</a>'

    def words(self, lo: int, hi: int) -> str:
        rng = self.rng
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))

    def internal(self, j: int | None = None) -> str:
        site, rng = self.site, self.rng
        j = rng.randrange(1, site.pages) if j is None else j
        path = self.web.page_path(site, j)
        return f"http://{site.host}{path}" if rng.random() < 0.3 else path

    def external(self, home: bool = False) -> str:
        host = self.web.other_host(self.rng, self.site.host)
        j = 0 if home or self.rng.random() < 0.4 else self.rng.randrange(self.web.sites[host].pages)
        return self.web.outbound(self.site, self.web.url(host, j), self.rng)

    def target(self) -> str:
        host = self.rng.choice(self.web.targets)
        url = self.web.url(host, self.rng.randrange(self.web.sites[host].pages))
        if self.rng.random() < 0.3:
            url += f"?utm_source={self.site.host}&utm_medium=referral"
        return self.web.outbound(self.site, url, self.rng)

    def para(self, links: list[str]) -> str:
        rng, pool = self.rng, self.web.sentences
        parts = [rng.choice(pool)]
        for link in links:
            parts += [link, rng.choice(pool)]
        return "<p>" + " ".join(parts) + "</p>"

    def region(self, name: str, body: str, label: str = "") -> str:
        open_, close = self.st[name]
        return (open_ % label if label else open_) + body + close

    def li_links(self, hrefs: list[str], cls: str = "") -> str:
        return "".join(f"<li>{self.a(h, self.words(1, 5).title(), cls=cls)}</li>" for h in hrefs)


def build_chrome(web: Web, site: Site) -> tuple[str, str, str, int]:
    b = _Builder(web, site, "chrome")
    rng = b.rng
    home = b.a("/", f'<img src="/logo.png" alt="{site.host}">', cls="logo")
    util = [b.a(b.internal(), w) for w in ("Search", "Subscribe", "Log in")[: rng.randint(1, 3)]]
    util += [b.a(f"mailto:hello@{site.host}", "Contact"), b.a("#top", "Skip to content")]
    header = b.region("header", home + " ".join(util))
    cats = [b.internal(j) for j in range(1, site.categories + 1)]
    extra = [b.internal() for _ in range(rng.randint(0, 25 if site.kind == "news" else 6))]
    nav = b.region("nav", b.li_links(cats + extra))
    foot = [b.a(b.internal(), w) for w in ("About", "Contact", "Privacy", "Terms", "Careers")]
    foot += [b.a(b.external(home=True), b.words(1, 3).title()) for _ in range(rng.randint(2, 8))]
    foot += [b.a(b.internal(), b.words(1, 4).title()) for _ in range(rng.randint(4, 25))]
    foot.append(b.a("javascript:void(0)", "Cookie settings"))
    if rng.random() < 0.5:  # a page that is gone: one 404 per such site
        foot.append(b.a(web.page_path(site, site.pages), "Archive"))
    if site.sitewide_target:
        credit = rng.choice(("Website by", "Proudly partnered with", "Powered by"))
        foot.append(f"{credit} " + b.a(f"http://{site.sitewide_target}/", "our partner"))
    footer = b.region("footer", "<p>" + " | ".join(foot) + f"</p><p>© 2026 {site.host}</p>")
    return header, nav, footer, b.links


def _head(b: _Builder, i: int, title: str, role: str) -> str:
    site, web = b.site, b.web
    url = web.url(site.host, i)
    gen = {"blog": "WordPress 6.8", "forum": "phpBB"}.get(site.kind, "")
    robots = '<meta name="robots" content="noindex,follow">' if (
        role == "listing" and site.style == 1) else ""
    ld = ""
    if role == "detail" and site.kind in ("blog", "news"):
        data = {"@context": "https://schema.org", "@type": "BlogPosting" if site.kind == "blog"
                else "NewsArticle", "headline": title, "datePublished": "2026-03-04",
                "author": {"@type": "Person", "name": b.rng.choice(AUTHORS)}}
        ld = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return (f'<!DOCTYPE html><html lang="{site.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{title}</title>'
            f'<link rel="canonical" href="{url}"><meta property="og:title" content="{title}">'
            f'<meta property="og:url" content="{url}">{robots}'
            + (f'<meta name="generator" content="{gen}">' if gen else "")
            + f'<link rel="stylesheet" href="/style.css">{ld}{SCRIPT}</head>')


def build_page(web: Web, site: Site, i: int) -> str:
    """One page's HTML: chrome + kind-specific main region + sidebar, padded to its size."""
    b = _Builder(web, site, i)
    rng = b.rng
    header, nav, footer, chrome_links = web.chrome(site)
    n_links = int(MIN_LINKS + (MAX_LINKS - MIN_LINKS) * rng.random() ** 1.7)
    size = int(MIN_BYTES * (MAX_BYTES / MIN_BYTES) ** (rng.random() ** 1.3))
    budget = max(30, n_links - chrome_links)
    role = "home" if i == 0 else "listing" if i <= site.categories else "detail"
    title = b.words(3, 8).capitalize()
    crumbs = ""
    if i:
        crumbs = b.region("crumbs", " › ".join(
            [b.a("/", "Home"), b.a(b.internal(1 + i % site.categories), "Section")]))
    children = [j for j in range(FANOUT * i + 1, FANOUT * i + FANOUT + 1) if j < site.pages]
    related = b.region("related", b.li_links([b.internal(j) for j in children])) if children else ""
    side_n = budget // 4
    before = b.links
    main = _MAIN[site.kind](b, role, budget - side_n - (b.links - before))
    side = _sidebar(b, side_n)
    tail = f"</div>{side}{footer}</body></html>"
    fixed = [_head(b, i, title, role), f'<body class="{site.kind} {role}"><div class="wrap">',
             header, nav, crumbs, b.st["main"][0], f"<h1>{title}</h1>", b.st["article"][0],
             main[0]]
    after = [b.st["article"][1], main[1], related, b.st["main"][1], tail]
    filler: list[str] = []
    room = size - sum(map(len, fixed)) - sum(map(len, after))
    while room > 0:
        p = b.para([])
        filler.append(p)
        room -= len(p)
    return "".join(fixed + filler + after)


def _sidebar(b: _Builder, n: int) -> str:
    site, rng = b.site, b.rng
    recent = [b.internal(max(1, site.pages - k)) for k in range(1, min(n // 3, 10) + 1)]
    roll = [b.external(home=True) for _ in range(n // 4)]
    popular = [b.internal() for _ in range(max(0, n - len(recent) - len(roll)))]
    widgets = [("Recent posts", recent), ("Blogroll", roll), ("Popular", popular)]
    rng.shuffle(widgets)
    return b.region("side", "".join(
        b.region("widget", b.li_links(hrefs), label) for label, hrefs in widgets if hrefs))


def _inline(b: _Builder, n: int, ext_share: float = 0.2) -> list[str]:
    rng = b.rng
    hrefs = [b.external() if rng.random() < ext_share else b.internal() for _ in range(n)]
    return [b.a(h, b.words(1, 4)) for h in hrefs]


def _paras(b: _Builder, links: list[str]) -> str:
    out, k = [], 0
    while k < len(links):
        step = b.rng.randint(1, 4)
        out.append(b.para(links[k:k + step]))
        k += step
    return "".join(out)


def _article(b: _Builder, role: str, n: int) -> tuple[str, str]:
    """Blog and news: teasers on home/listing pages; article + bio + comments on details."""
    rng = b.rng
    if role != "detail":
        return "".join(f"<h2>{b.a(b.internal(), b.words(3, 7).capitalize())}</h2>{b.para([])}"
                       for _ in range(n)), ""
    n_comments = n // 3 if rng.random() < 0.8 else 0
    body = _inline(b, n - n_comments - 1)
    if rng.random() < 0.05:
        rel = rng.choice(("", "", "", "", "sponsored", "nofollow"))
        body.insert(rng.randrange(len(body) + 1), b.a(b.target(), b.words(2, 4), rel=rel))
    bio_link = b.target() if rng.random() < 0.02 else b.external(home=True)
    bio = b.region("bio", f"{rng.choice(AUTHORS)} writes about {b.words(2, 4)}. "
                   + b.a(bio_link, "Website"))
    target_comment = rng.randrange(n_comments) if n_comments and rng.random() < 0.04 else -1
    rel = ("external nofollow ugc", "nofollow", "")[b.site.style]
    comments = []
    for k in range(n_comments // 2):
        author = b.a(b.target() if k == target_comment else b.external(home=True),
                     rng.choice(AUTHORS), rel=rel)
        comments.append(b.region("comment", b.para([b.a(b.internal(), b.words(1, 3))]), author))
    return _paras(b, body), bio + (b.region("comments", "".join(comments)) if comments else "")


def _forum(b: _Builder, role: str, n: int) -> tuple[str, str]:
    rng = b.rng
    if role != "detail":
        rows = "".join(f'<tr><td class="topic">{b.a(b.internal(), b.words(3, 8).capitalize())}'
                       f"</td><td>{rng.randint(0, 400)}</td></tr>" for _ in range(n))
        return f'<table class="forumline topiclist">{rows}</table>', ""
    posts, left = [], n
    target_post = rng.randrange(12) if rng.random() < 0.03 else -1
    k = 0
    while left > 0:
        inline = _inline(b, min(left, rng.randint(0, 3)), ext_share=0.4)
        sig_href = b.target() if k == target_post else b.external(home=True)
        sig = b.a(sig_href, b.words(1, 3)) if rng.random() < 0.5 or k == target_post else ""
        posts.append(f'<div class="post bg{k % 2 + 1}" id="p{k}"><div class="postbody">'
                     f'<p class="author">{rng.choice(AUTHORS)}</p><div class="content">'
                     f'{b.para(inline)}</div><div class="signature">{sig}</div></div></div>')
        left -= len(inline) + (1 if sig else 0) + (1 if not inline and not sig else 0)
        k += 1
    return "".join(posts), ""


def _directory(b: _Builder, role: str, n: int) -> tuple[str, str]:
    rng = b.rng
    items = []
    for _ in range(n // 3 if role == "detail" else n // 2):
        href = b.target() if rng.random() < 0.01 else b.external()
        items.append(f'<li class="listing">{b.a(href, b.words(2, 5).title())} – {b.words(5, 15)}'
                     f" {b.a(b.internal(), 'details')}</li>")
    return f'<ul class="listings">{"".join(items)}</ul>', ""


def _corporate(b: _Builder, role: str, n: int) -> tuple[str, str]:
    rng = b.rng
    if b.key in (1, 2):  # /partners/ and /sponsors/
        logos = [b.a(b.external(home=True), f'<img src="/logos/{k}.png" alt="{b.words(1, 2)}">')
                 for k in range(min(n, 24))]
        if random.Random(f"{b.web.seed}|{b.site.host}|partners").random() < 0.5:
            logos.append(b.a(b.target(), '<img src="/logos/acme.png" alt="Partner logo">'))
        return '<div class="partner-logos">' + "".join(logos) + "</div>" + _paras(
            b, _inline(b, max(0, n - len(logos)))), ""
    body = _inline(b, n, ext_share=0.1)
    if role == "detail" and rng.random() < 0.1:
        body.append(b.a(b.target(), "our distribution partner"))
    return "<p>FOR IMMEDIATE RELEASE</p>" + _paras(b, body), ""


_MAIN = {"blog": _article, "news": _article, "forum": _forum, "directory": _directory,
         "corporate": _corporate}
