"""The loopback web server, and the bundled demo web checked against its own HTML.

The demo-web checks deliberately use their own tiny URL normalizer and link reader
(lxml only), so that the hand-written ground truth is verified against the pages and
never against linkcrawl's extraction or classifiers.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from linkcrawl.ops import localweb
from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.vocab import LINK_TYPES, LOCATIONS, PAGE_TYPES

GROUND_TRUTH = DEMO_WEB_DIR / "ground_truth.json"
SEEDS_FILE = DEMO_WEB_DIR.parent / "seeds" / "demo.txt"
PAGE_SUFFIXES = {".html", ".htm", ".php"}


# --------------------------------------------------------------------------- helpers
@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    web: LocalWeb, method: str, target: str, headers: dict[str, str] | None = None
) -> Reply:
    """One raw request to the server: ``target`` is an absolute URI or an origin-form path."""
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    try:
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def via_proxy(web: LocalWeb, url: str) -> tuple[int, str, bytes]:
    """Fetch ``url`` with urllib using the server as HTTP proxy (redirects followed)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    site = root / "blog.test"
    files = {
        "index.html": "<h1>blog home</h1>",
        "a/b.html": "<p>deep page</p>",
        "docs/index.html": "<p>docs index</p>",
        "new.html": "<p>new page</p>",
        "robots.txt": "User-agent: *\nDisallow:\n",
        "feed.xml": "<rss/>",
        "data.json": "{}",
        "app.js": "void 0;",
        "style.css": "body{}",
        "logo.png": "not really a png",
        "forum.php": "<p>forum</p>",
        "x.html": "<p>x</p>",
        "_secret.html": "<p>secret</p>",
        "_pages/topic-1.html": "<p>topic one</p>",
        "_site.json": json.dumps(
            {
                "redirects": {"/old.html": ["/new.html", 301], "/moved?id=7": ["/a/b.html", 302]},
                "status": {"/gone.html": 410},
                "headers": {
                    "/x.html": {"X-Robots-Tag": "noindex"},
                    "/feed.xml": {"Content-Type": "application/rss+xml"},
                },
                "routes": {"/viewtopic.php?t=1": "_pages/topic-1.html"},
            }
        ),
    }
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "shop.test").mkdir()
    (root / "shop.test" / "index.html").write_text("<h1>shop</h1>", encoding="utf-8")
    (root / "other.test").mkdir()
    (root / "other.test" / "secret.html").write_text("other", encoding="utf-8")
    (root / "notes.txt").write_text("not a site", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def tiny(tiny_root: Path):
    with LocalWeb(tiny_root) as web:
        yield web


# --------------------------------------------------------------------------- server
def test_properties(tiny: LocalWeb) -> None:
    assert tiny.port > 0
    assert tiny.proxy_url == f"http://127.0.0.1:{tiny.port}"
    assert tiny.hosts == ["blog.test", "other.test", "shop.test"]


def test_get_through_urllib_proxy(tiny: LocalWeb) -> None:
    status, ctype, body = via_proxy(tiny, "http://blog.test/a/b.html")
    assert (status, ctype, body) == (200, "text/html; charset=utf-8", b"<p>deep page</p>")


def test_virtual_hosting_by_absolute_uri(tiny: LocalWeb) -> None:
    assert via_proxy(tiny, "http://shop.test/")[2] == b"<h1>shop</h1>"
    assert via_proxy(tiny, "http://BLOG.test/")[2] == b"<h1>blog home</h1>"


def test_origin_form_uses_host_header_and_ignores_its_port(tiny: LocalWeb) -> None:
    reply = request(tiny, "GET", "/a/b.html", {"Host": "blog.test:8080"})
    assert (reply.status, reply.body) == (200, b"<p>deep page</p>")
    assert request(tiny, "GET", "/", {"Host": "shop.test"}).body == b"<h1>shop</h1>"


def test_directory_index_and_slash_redirect(tiny: LocalWeb) -> None:
    assert request(tiny, "GET", "http://blog.test/docs/").body == b"<p>docs index</p>"
    reply = request(tiny, "GET", "http://blog.test/docs?x=1")
    assert (reply.status, reply.headers["Location"]) == (301, "/docs/?x=1")


def test_query_string_is_ignored_for_plain_files(tiny: LocalWeb) -> None:
    reply = request(tiny, "GET", "http://blog.test/forum.php?mode=login&redirect=index.php")
    assert (reply.status, reply.body) == (200, b"<p>forum</p>")
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "target",
    [
        "http://unknown.test/",
        "http://example.org/",
        "http://blog.test/missing.html",
        "http://blog.test/a/",
        "http://blog.test/_secret.html",
        "http://blog.test/_site.json",
        "http://blog.test/_pages/topic-1.html",
        "http://blog.test/%5Fsecret.html",
        "http://blog.test/../other.test/secret.html",
        "http://blog.test/a/../../other.test/secret.html",
        "http://blog.test/viewtopic.php?t=2",
        "http://blog.test/%00.html",
        "http://blog.test/" + "x" * 5000,
        "http://_pages/",
        "http://notes.txt/",
    ],
)
def test_not_found(tiny: LocalWeb, target: str) -> None:
    reply = request(tiny, "GET", target)
    assert reply.status == 404
    assert b"other" not in reply.body and b"secret" not in reply.body


def test_missing_host_header_is_404(tiny: LocalWeb) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", tiny.port, timeout=10)
    try:
        conn.putrequest("GET", "/", skip_host=True)
        conn.endheaders()
        assert conn.getresponse().status == 404
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("target", "status", "location"),
    [
        ("http://blog.test/old.html", 301, "/new.html"),
        ("http://blog.test/moved?id=7", 302, "/a/b.html"),
        ("http://blog.test/gone.html", 410, None),
    ],
)
def test_site_json_redirects_and_status(
    tiny: LocalWeb, target: str, status: int, location: str | None
) -> None:
    reply = request(tiny, "GET", target)
    assert reply.status == status
    assert reply.headers.get("Location") == location


def test_redirect_key_with_query_only_matches_that_query(tiny: LocalWeb) -> None:
    assert request(tiny, "GET", "http://blog.test/moved?id=8").status == 404


def test_followed_redirect_through_proxy(tiny: LocalWeb) -> None:
    status, _, body = via_proxy(tiny, "http://blog.test/old.html")
    assert (status, body) == (200, b"<p>new page</p>")


def test_site_json_headers_and_routes(tiny: LocalWeb) -> None:
    reply = request(tiny, "GET", "http://blog.test/x.html")
    assert (reply.status, reply.headers["X-Robots-Tag"]) == (200, "noindex")
    assert request(tiny, "GET", "http://blog.test/feed.xml").headers["Content-Type"] == (
        "application/rss+xml"
    )
    routed = request(tiny, "GET", "http://blog.test/viewtopic.php?t=1")
    assert (routed.status, routed.body) == (200, b"<p>topic one</p>")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/logo.png", "image/png"),
        ("/forum.php", "text/html; charset=utf-8"),
    ],
)
def test_content_types(tiny: LocalWeb, path: str, content_type: str) -> None:
    reply = request(tiny, "GET", "http://blog.test" + path)
    assert (reply.status, reply.headers["Content-Type"]) == (200, content_type)


def test_head_has_headers_but_no_body(tiny: LocalWeb) -> None:
    get = request(tiny, "GET", "http://blog.test/x.html")
    head = request(tiny, "HEAD", "http://blog.test/x.html")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == str(len(get.body))
    assert head.headers["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("method", ["CONNECT", "POST", "PUT", "DELETE"])
def test_other_methods_refused(tiny: LocalWeb, method: str) -> None:
    target = "blog.test:443" if method == "CONNECT" else "http://blog.test/"
    reply = request(tiny, method, target)
    assert reply.status == 405
    assert reply.headers["Allow"] == "GET, HEAD"


def test_site_json_edits_apply_while_running(tiny_root: Path, tmp_path: Path) -> None:
    site = tmp_path / "edit.test"
    site.mkdir()
    (site / "page.html").write_text("<p>page</p>", encoding="utf-8")
    with LocalWeb(tmp_path) as web:
        assert request(web, "GET", "http://edit.test/page.html").status == 200
        (site / "_site.json").write_text('{"status": {"/page.html": 410}}', encoding="utf-8")
        assert request(web, "GET", "http://edit.test/page.html").status == 410
        (site / "_site.json").write_text("{not json", encoding="utf-8")
        assert request(web, "GET", "http://edit.test/page.html").status == 200


def test_request_log(tiny_root: Path) -> None:
    with LocalWeb(tiny_root) as web:
        request(web, "GET", "http://blog.test/a/b.html")
        request(web, "GET", "/a/b.html", {"Host": "BLOG.test"})
        request(web, "GET", "http://blog.test/missing.html")
        assert web.hits("blog.test", "/a/b.html") == 2
        assert web.hits("blog.test", "/nothing.html") == 0
        assert ("blog.test", "/missing.html", 404) in web.requests
        assert len(web.requests) == 3


def test_stop_closes_the_port(tiny_root: Path) -> None:
    web = LocalWeb(tiny_root).start()
    port = web.port
    assert request(web, "GET", "http://blog.test/").status == 200
    web.stop()
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
    with pytest.raises(RuntimeError):
        _ = web.port


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        LocalWeb(tmp_path / "nope").start()


def test_demo_web_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINKCRAWL_DEMO_WEB", str(tmp_path))
    assert localweb._default_root() == tmp_path.resolve()
    monkeypatch.delenv("LINKCRAWL_DEMO_WEB")
    assert localweb._default_root() == DEMO_WEB_DIR
    assert (DEMO_WEB_DIR / "widgetweekly.test" / "index.html").is_file()


def test_module_entry_point_serves_in_foreground(tiny_root: Path) -> None:
    cmd = [sys.executable, "-m", "linkcrawl.ops.localweb", "--port", "0", "--root", str(tiny_root)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        match = re.search(r"Proxy URL: http://127\.0\.0\.1:(\d+)", "".join(lines))
        assert match, lines
        conn = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=10)
        conn.request("GET", "http://shop.test/")
        assert conn.getresponse().read() == b"<h1>shop</h1>"
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- demo web
_TRACKING = re.compile(r"^(utm_.*|gclid|fbclid|msclkid|mc_cid|mc_eid|_ga|yclid|igshid|ref_src)$")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent(text: str) -> str:
    def fix(m: re.Match[str]) -> str:
        char = chr(int(m[0][1:], 16))
        return char if char in _UNRESERVED else m[0].upper()

    return re.sub(r"%[0-9A-Fa-f]{2}", fix, text)


def norm(url: str) -> str:
    """The normalization rules of docs/classifiers.md, written apart from linkcrawl.web.urls."""
    parts = urlsplit(url)
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    pairs = [p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0])]
    return urlunsplit((scheme, netloc, _percent(parts.path) or "/", _percent("&".join(pairs)), ""))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://ACME-widgets.test", "http://acme-widgets.test/"),
        ("http://a.test:80/x#frag", "http://a.test/x"),
        ("https://a.test:443/?utm_source=x&b=2&gclid=1&a=1", "https://a.test/?b=2&a=1"),
        ("http://a.test:8080/%7euser/%c3%bc", "http://a.test:8080/~user/%C3%BC"),
    ],
)
def test_own_normalizer(raw: str, expected: str) -> None:
    assert norm(raw) == expected


@dataclass
class Link:
    url: str  # normalized
    anchor: str
    rel: set[str]


@dataclass
class Page:
    url: str
    status: int
    file: Path | None
    nofollow: bool = False
    links: list[Link] | None = None


def _anchor(el: lxml.html.HtmlElement) -> str:
    if el.tag == "area":
        return " ".join((el.get("alt") or "").split())
    text = " ".join(el.text_content().split())
    return text or " ".join(" ".join(img.get("alt") or "" for img in el.iter("img")).split())


def read_links(body: bytes, url: str) -> tuple[list[Link], bool]:
    root = lxml.html.document_fromstring(body, parser=lxml.html.HTMLParser(encoding="utf-8"))
    bases = root.xpath("//base/@href")
    base = urljoin(url, bases[0]) if bases else url
    robots = " ".join(root.xpath("//meta[@name='robots']/@content")).lower()
    links = []
    for el in root.xpath("//a[@href] | //area[@href]"):
        href = el.get("href").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        rel = set((el.get("rel") or "").lower().split())
        links.append(Link(norm(absolute), _anchor(el), rel))
    return links, "nofollow" in robots or "none" in robots


def crawl_site(web: LocalWeb, home: str) -> dict[str, Page]:
    """Breadth-first over every same-host <a>/<area> link from the home page."""
    host = urlsplit(home).hostname or ""
    pages: dict[str, Page] = {}
    queue = deque([norm(home)])
    while queue:
        url = queue.popleft()
        if url in pages:
            continue
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        resolved = web.resolve(host, target)
        reply = request(web, "GET", url)
        assert reply.status == resolved.status, url
        page = Page(url, reply.status, resolved.file)
        pages[url] = page
        if reply.status in (301, 302):
            location = norm(urljoin(url, reply.headers["Location"]))
            if urlsplit(location).hostname == host:
                queue.append(location)
            continue
        if reply.status != 200 or not reply.headers["Content-Type"].startswith("text/html"):
            continue
        page.links, page.nofollow = read_links(reply.body, url)
        x_robots = (reply.headers.get("X-Robots-Tag") or "").lower()
        page.nofollow = page.nofollow or "nofollow" in x_robots or "none" in x_robots
        queue.extend(link.url for link in page.links if urlsplit(link.url).hostname == host)
    return pages


def robots_for(web: LocalWeb, host: str) -> RobotFileParser:
    parser = RobotFileParser()
    reply = request(web, "GET", f"http://{host}/robots.txt")
    parser.parse(reply.body.decode().splitlines() if reply.status == 200 else [])
    return parser


def _domain_of(host: str, targets: list[str]) -> str | None:
    return next((t for t in targets if host == t or host.endswith("." + t)), None)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo():
    with LocalWeb() as web:
        yield web


@pytest.fixture(scope="module")
def demo_crawl(demo: LocalWeb) -> dict[str, dict[str, Page]]:
    return {host: crawl_site(demo, f"http://{host}/") for host in demo.hosts}


def test_ground_truth_shape(truth: dict) -> None:
    assert truth["targets"] == ["acme-widgets.test", "rival-gadgets.test"]
    keys = set()
    for entry in truth["backlinks"]:
        assert entry["link_type"] in LINK_TYPES, entry
        assert entry["location"] in LOCATIONS, entry
        assert isinstance(entry["follow"], bool) and entry["note"], entry
        assert entry["source_url"] == norm(entry["source_url"]), entry
        assert entry["target_url"] == norm(entry["target_url"]), entry
        assert entry["anchor_text"] == " ".join(entry["anchor_text"].split()), entry
        keys.add((entry["source_url"], entry["target_url"], entry["anchor_text"]))
    assert len(keys) == len(truth["backlinks"]), "duplicate (source, target, anchor)"
    assert set(truth["page_types"].values()) <= set(PAGE_TYPES)


def test_seed_file_matches_ground_truth(truth: dict, demo: LocalWeb) -> None:
    lines = SEEDS_FILE.read_text(encoding="utf-8").splitlines()
    seeds = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    assert seeds == truth["seeds"]
    seed_hosts = {urlsplit(s).hostname for s in seeds}
    assert seed_hosts == set(demo.hosts) - {"rival-gadgets.test"}


def test_every_page_is_reachable_from_its_home_page(
    demo: LocalWeb, demo_crawl: dict[str, dict[str, Page]]
) -> None:
    for host in demo.hosts:
        site = DEMO_WEB_DIR / host
        pages = {p for p in site.rglob("*") if p.suffix in PAGE_SUFFIXES}
        reached = {page.file for page in demo_crawl[host].values() if page.file is not None}
        assert pages - reached == set(), host


def test_demo_has_no_broken_internal_links(demo_crawl: dict[str, dict[str, Page]]) -> None:
    broken = [
        (host, url)
        for host, pages in demo_crawl.items()
        for url, page in pages.items()
        if page.status not in (200, 301, 302, 410)
    ]
    assert broken == []
    statuses = {page.status for pages in demo_crawl.values() for page in pages.values()}
    assert {200, 301, 410} <= statuses


def test_ground_truth_matches_the_html(
    truth: dict, demo: LocalWeb, demo_crawl: dict[str, dict[str, Page]]
) -> None:
    """Every labelled backlink exists with that anchor and follow flag, and none is missing."""
    targets = truth["targets"]
    found: dict[tuple[str, str, str], bool] = {}
    for seed in truth["seeds"]:
        host = urlsplit(seed).hostname or ""
        robots = robots_for(demo, host)
        for url, page in demo_crawl[host].items():
            if page.links is None or not robots.can_fetch("*", url):
                continue
            if _domain_of(host, targets):
                continue  # a target's links to itself are not backlinks
            for link in page.links:
                if _domain_of(urlsplit(link.url).hostname or "", targets) is None:
                    continue
                follow = not (link.rel & {"nofollow", "ugc", "sponsored"}) and not page.nofollow
                key = (url, link.url, link.anchor)
                found[key] = found.get(key, True) and follow
    labelled = {
        (e["source_url"], e["target_url"], e["anchor_text"]): e["follow"]
        for e in truth["backlinks"]
    }
    assert sorted(set(labelled) - set(found)) == [], "labelled but not in the HTML"
    assert sorted(set(found) - set(labelled)) == [], "in the HTML but not labelled"
    assert {k: v for k, v in found.items() if labelled[k] != v} == {}, "follow flag differs"


def test_page_types_cover_crawlable_pages(
    truth: dict, demo: LocalWeb, demo_crawl: dict[str, dict[str, Page]]
) -> None:
    crawlable = set()
    for seed in truth["seeds"]:
        host = urlsplit(seed).hostname or ""
        robots = robots_for(demo, host)
        crawlable |= {
            url
            for url, page in demo_crawl[host].items()
            if page.links is not None and robots.can_fetch("*", url)
        }
    assert set(truth["page_types"]) == crawlable
