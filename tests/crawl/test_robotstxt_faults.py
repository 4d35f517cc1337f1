"""robots.txt that is unreachable for a while, huge or UTF-16 still holds (RFC 9309).

A real crawl of hosts whose robots.txt first answers 503 or times out and then disallows
/private; one that is 24 MB with the rule on its first line; one in UTF-16 with a BOM;
one that never answers. A page robots.txt disallows must never be fetched, and the allowed
pages must still be (the waiting requests are not lost).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from linkcrawl.crawl.robotstxt import ROBOTS_MAX_BYTES, robots_body
from linkcrawl.store import open_store
from tests.conftest import scrapy_crawl
from tests.hostileweb import TARGET, HostileWeb, backlink, page

TIMEOUT = 2  # DOWNLOAD_TIMEOUT of the test crawl
RULES = "User-agent: *\nDisallow: /private\n"
GOOD_HOSTS = ("r503.test", "rslow.test", "rbig.test", "rutf16.test")
ALL_HOSTS = (*GOOD_HOSTS, "rdown.test")


def _site(web: HostileWeb, host: str) -> None:
    links = '<a href="/private.html">private</a> <a href="/public.html">public</a>'
    web.html(host, "/", page(host, links))
    web.html(host, "/public.html", page("public", backlink(f"{host}-public")))
    web.html(host, "/private.html", page("private", backlink(f"{host}-private")))


def _robots_web(web: HostileWeb) -> None:
    # The sites spider also fetches each seed host's robots.txt for its Sitemap: lines, at
    # the same time as the middleware; with RETRY_TIMES=1 each first attempt is two requests,
    # so the first four requests are both first attempts, whatever their order.
    def unavailable_first(h) -> None:  # type: ignore[no-untyped-def]
        if h.hits <= 4:
            h.send(503, b"<h1>Service Unavailable</h1>")
        else:
            h.send(200, RULES.encode(), "text/plain")

    def slow_first(h) -> None:  # type: ignore[no-untyped-def]
        if h.hits <= 4 and h.web.stop.wait(TIMEOUT * 3):  # past the crawler's timeout
            return
        h.send(200, RULES.encode(), "text/plain")

    pad = b"# " + b"x" * 97 + b"\n"
    huge = RULES.encode() + pad * (24 * 1024 * 1024 // len(pad))
    for host in ALL_HOSTS:
        _site(web, host)
    web.route("r503.test", "/robots.txt", unavailable_first)
    web.route("rslow.test", "/robots.txt", slow_first)
    web.route("rbig.test", "/robots.txt", lambda h: h.send(200, huge, "text/plain"))
    web.html("rutf16.test", "/robots.txt", codecs.BOM_UTF16_LE + RULES.encode("utf-16-le"),
             "text/plain")
    web.route("rdown.test", "/robots.txt", lambda h: h.send(503, b"down"))


def test_unreachable_huge_and_utf16_robots_txt_are_obeyed(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'robots.db'}"
    with HostileWeb() as web:
        _robots_web(web)
        seeds = ",".join(f"http://{h}/" for h in ALL_HOSTS)
        scrapy_crawl(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": seeds, "targets": TARGET},
            settings={"DOWNLOAD_TIMEOUT": TIMEOUT, "RETRY_TIMES": 1,
                      "LINKCRAWL_ROBOTSTXT_RETRY_DELAY": 0.5},
            timeout=180,
        ).check()
        fetched = {(h, p): n for (h, p), n in web.requests.items() if p != "/robots.txt"}
        robots_tries = {h: web.hits(h, "/robots.txt") for h in ALL_HOSTS}
    print(f"\npages fetched: {fetched}\nrobots.txt requests: {robots_tries}")
    for host in GOOD_HOSTS:
        assert (host, "/private.html") not in fetched, f"{host}: a disallowed page was fetched"
        assert fetched.get((host, "/public.html")) == 1, f"{host}: an allowed page was lost"
    assert not any(h == "rdown.test" for h, _ in fetched), "robots.txt never came: no pages"
    # 3 tries by the middleware, 1 by sitemap discovery, each with Scrapy's one retry
    assert robots_tries["rdown.test"] == (3 + 1) * 2
    with open_store(uri) as store:
        backlinks = {d["target_url"].rsplit("/", 1)[1] for d in store.find("backlinks")}
        errors = {p["url"]: p["error"] for p in store.find("pages") if p["error"]}
        stats = store.find("runs")[0]["stats"]
    assert backlinks == {f"{h}-public" for h in GOOD_HOSTS}
    blocked = {f"http://{h}/private.html" for h in GOOD_HOSTS} | {"http://rdown.test/"}
    assert errors == dict.fromkeys(blocked, "blocked by robots.txt")
    assert stats["linkcrawl/robotstxt/truncated"] == 1


def test_robots_body_reads_500_kib_at_line_ends_and_utf16() -> None:
    long = b"Disallow: /a\n" + b"#" * ROBOTS_MAX_BYTES + b"\nDisallow: /b\n"
    assert robots_body(long) == b"Disallow: /a\n"
    assert robots_body(b"Disallow: /x") == b"Disallow: /x"
    assert robots_body(codecs.BOM_UTF16_BE + "Disallow: /\u00e9\n".encode("utf-16-be")) == (
        "Disallow: /\u00e9\n".encode())
    odd = codecs.BOM_UTF16_LE + "Disallow: /a\n".encode("utf-16-le") + b"\x00"
    assert robots_body(odd) == b"Disallow: /a\n"  # a stray last byte is dropped
