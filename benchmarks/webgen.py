"""A deterministic synthetic web of `.test` sites for the performance benchmark.

Every page is a pure function of (pages, seed, host, path): nothing is written to disk, so a
20,000-page web costs no setup time, and the server, the crawls and the analysis benchmark all
see byte-identical pages. Site-wide chrome (header, nav, footer) is rendered once per site;
a page is then a few hundred string joins, cheap enough for the server to outrun a crawler.

Shape (defaults): ~200 sites of five kinds (blog, news, forum, directory, corporate) in three
markup styles (HTML5 landmarks, div soup with ids, utility classes with ARIA roles); pages of
5-120 KB with 50-300 links, ~77% internal, ~21% to other `.test` sites, ~0.15% to the
target sites in content, comments, author bios, signatures, directories and footers. Every
page is reachable from its site's home page (page i links to pages 8i+1 .. 8i+8).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from webpages import (
    KINDS,
    STYLES,
    TARGET_HOSTS,
    build_chrome,
    build_page,
    make_sentences,
    site_names,
    slug,
)

TARGET_SITE_PAGES = 30

Response = tuple[int, list[tuple[str, str]], bytes]
_INDEX_RE = re.compile(r"(\d+)(?:\.html|/)?$")


@dataclass(frozen=True, slots=True)
class Site:
    host: str
    kind: str
    pages: int
    style: int  # index into STYLES
    lang: str
    sitewide_target: str  # target host linked from every page's footer, or ""
    wraps_outbound: bool  # external links go through /out?url=... (a redirect wrapper)
    categories: int  # pages 1..categories are listing pages linked from the nav


class Web:
    """The web's layout and its page renderer. Same (pages, seed) -> same bytes."""

    def __init__(self, pages: int = 20_000, seed: int = 1, sites: int | None = None,
                 competitors: int = 0, broken: int = 0) -> None:
        """``competitors`` adds target sites ``competitor-1.test`` ...; ``broken`` makes the
        last pages of every target site answer 404, 410 or a redirect to its home page (for
        ``linkcrawl gap`` and ``linkcrawl broken``). With both 0 the web is the default one,
        byte for byte."""
        self.total_pages, self.seed, self.broken = pages, seed, broken
        self.targets: tuple[str, ...] = TARGET_HOSTS + tuple(
            f"competitor-{k}.test" for k in range(1, competitors + 1))
        rng = random.Random(f"{seed}|layout")
        n_sites = sites or min(200, max(5, pages // 100))
        names = site_names(rng, n_sites)
        weights = [min(rng.paretovariate(1.3), 40.0) for _ in names]
        counts = _apportion(pages, weights, minimum=min(10, pages // n_sites))
        self.sites: dict[str, Site] = {}
        for name, count in zip(names, counts, strict=True):
            kind = rng.choice(KINDS)
            self.sites[name] = Site(
                host=name,
                kind=kind,
                pages=count,
                style=rng.randrange(len(STYLES)),
                lang=rng.choice(("en", "en", "en", "de", "fr", "es")),
                sitewide_target=rng.choice(self.targets) if rng.random() < 0.08 else "",
                wraps_outbound=kind == "news" and rng.random() < 0.2,
                categories=min(count - 1, rng.randint(5, 16)),
            )
        for host in self.targets:
            self.sites[host] = Site(host, "corporate", TARGET_SITE_PAGES, 0, "en", "", False, 6)
        self.hosts: list[str] = list(self.sites)
        self._others = [h for h in self.hosts if h not in self.targets]
        self.sentences = make_sentences(random.Random(f"{seed}|text"), 1200)
        self._chrome: dict[str, tuple[str, str, str, int]] = {}

    # --- layout -------------------------------------------------------------------------
    def page_path(self, site: Site, i: int) -> str:
        s = slug(i)
        if i == 0:
            return "/"
        if site.kind == "corporate" and i in (1, 2):
            return ("/partners/", "/sponsors/")[i - 1]
        if i <= site.categories:
            return {"blog": f"/category/{s}-{i}/", "news": f"/section/{s}-{i}/",
                    "forum": f"/forum/{s}-{i}/", "directory": f"/dir/{s}-{i}.html"
                    }.get(site.kind, f"/company/{s}-{i}/")
        return {"blog": f"/{2012 + i % 13}/{i % 12 + 1:02d}/{s}-{i}/",
                "news": f"/news/{s}-{i}.html", "forum": f"/t/{s}/{i}",
                "directory": f"/site/{s}-{i}.html"}.get(site.kind, f"/products/{s}-{i}.html")

    def page_index(self, site: Site, path: str) -> int | None:
        """Inverse of :meth:`page_path`; None for paths that are not pages of the site."""
        if path == "/":
            return 0
        if site.kind == "corporate" and path in ("/partners/", "/sponsors/"):
            return 1 if path == "/partners/" else 2
        m = _INDEX_RE.search(path)
        if not m:
            return None
        i = int(m.group(1))
        return i if 0 < i < site.pages and self.page_path(site, i) == path else None

    def url(self, host: str, i: int) -> str:
        return f"http://{host}{self.page_path(self.sites[host], i)}"

    def homes(self) -> list[str]:
        return [f"http://{h}/" for h in self.hosts]

    def urls(self) -> list[str]:
        return [self.url(h, i) for h in self.hosts for i in range(self.sites[h].pages)]

    # --- serving ------------------------------------------------------------------------
    def respond(self, host: str, target: str) -> Response:
        """(status, headers, body) for a GET of ``target`` (path + query) on ``host``."""
        site = self.sites.get(host.lower().split(":")[0])
        path, _, query = target.partition("?")
        if site is None:
            return _plain(404, f"unknown host {host}")
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /cgi-bin/\n"
        if path == "/out" and query.startswith("url="):
            return 302, [("Location", unquote(query[4:]))], b""
        i = self.page_index(site, path)
        if i is None:
            return _plain(404, "not found")
        gone = site.pages - 1 - i  # 0 for the last page of the site
        if gone < self.broken and site.host in self.targets:
            return ((301, [("Location", f"http://{host}/")], b"") if gone % 3 == 2
                    else _plain(404 if gone % 3 == 0 else 410, "gone"))
        return 200, [("Content-Type", "text/html; charset=utf-8")], self.render(site, i)

    def render(self, site: Site, i: int) -> bytes:
        return build_page(self, site, i).encode("utf-8")

    def chrome(self, site: Site) -> tuple[str, str, str, int]:
        """Site-wide (header, nav, footer, link count), rendered once per site."""
        if site.host not in self._chrome:
            self._chrome[site.host] = build_chrome(self, site)
        return self._chrome[site.host]

    def other_host(self, rng: random.Random, not_host: str) -> str:
        host = rng.choice(self._others)
        return host if host != not_host else rng.choice(self._others)

    def outbound(self, site: Site, url: str, rng: random.Random) -> str:
        """One in ten of a wrapping site's external links go through its /out redirect."""
        if site.wraps_outbound and rng.random() < 0.1:
            return f"/out?url={quote(url, safe='')}"
        return url


def _plain(status: int, text: str) -> Response:
    body = f"<html><body><h1>{status}</h1><p>{text}</p></body></html>".encode()
    return status, [("Content-Type", "text/html; charset=utf-8")], body


def _apportion(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, each >= ``minimum``."""
    spare = total - minimum * len(weights)
    scale = spare / sum(weights)
    counts = [minimum + int(w * scale) for w in weights]
    order = sorted(range(len(weights)), key=lambda k: -weights[k])
    k = 0
    while sum(counts) < total:
        counts[order[k % len(order)]] += 1
        k += 1
    return counts


__all__ = ["TARGET_HOSTS", "Response", "Site", "Web"]
