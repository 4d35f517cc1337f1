"""Responses that attack the crawler: a header flood, huge bodies, deep nesting.

One real crawl of a site whose index links to each of them and to a normal page. The
crawl must finish, the header flood must fail with the header limit (not exhaust memory),
the backlink in the footer after 3,000 unclosed <div>s must be found, and the crawl
process's peak RSS (its VmHWM at exit) must stay under :data:`RSS_LIMIT`.
"""

from __future__ import annotations

from pathlib import Path

from linkcrawl.crawl.hostile import MAX_HEADER_BYTES
from linkcrawl.store import open_store
from tests.hostileweb import TARGET, HostileWeb, backlink, crawl_peak_rss, header_flood, page

HOST = "hostile.test"
RSS_LIMIT = 400 * 1024 * 1024  # a demo-web crawl peaks near 150 MB; the flood reached 2.68 GB
HUGE = 20 * 1024 * 1024  # over the default DOWNLOAD_MAXSIZE (10 MB)


def _huge(h, with_length: bool) -> None:  # type: ignore[no-untyped-def]
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    if with_length:
        h.send_header("Content-Length", str(HUGE))
    else:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    chunk = b'<p><a href="/x">x</a>' + b"y" * 65000 + b"</p>\n"
    try:
        for _ in range(HUGE // len(chunk)):
            if h.web.stop.is_set():
                return
            h.wfile.write(chunk)
    except OSError:  # the crawler hung up at its size cap
        h.close_connection = True


def hostile_site(web: HostileWeb, flood_bytes: int = 3 * 1024**3) -> None:
    pages = ["/flood.html", "/deep.html", "/huge.html", "/huge-stream.html", "/ok.html"]
    web.html(HOST, "/", page("index", " ".join(f'<a href="{p}">{p}</a>' for p in pages)))
    web.html(HOST, "/robots.txt", b"", "text/plain")
    web.html(HOST, "/ok.html", page("ok", backlink("ok")))
    deep = "".join(f'<div><a href="/d{i}.html">d{i}</a>' for i in range(3000))
    web.html(HOST, "/deep.html", page("deep", deep + f"<footer>{backlink('deep-footer')}</footer>"))
    web.route(HOST, "/flood.html", lambda h: header_flood(h, flood_bytes))
    web.route(HOST, "/huge.html", lambda h: _huge(h, with_length=True))
    web.route(HOST, "/huge-stream.html", lambda h: _huge(h, with_length=False))


def test_header_flood_huge_bodies_and_deep_nesting_stay_bounded(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'hostile.db'}"
    with HostileWeb() as web:
        hostile_site(web)
        result, peak = crawl_peak_rss(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": f"http://{HOST}/", "targets": TARGET, "max_depth": "1"},
            settings={"DOWNLOAD_WARNSIZE": 0, "RETRY_TIMES": 0}, timeout=180)
    result.check()
    with open_store(uri) as store:
        found = {d["target_url"].rsplit("/", 1)[1] for d in store.find("backlinks")}
        errors = {p["url"].rsplit("/", 1)[1]: p["error"] for p in store.find("pages")
                  if p["error"]}
        stats = store.find("runs")[0]["stats"]
    print(f"\npeak RSS {peak / 2**20:.0f} MiB; errors {errors}")
    assert found == {"ok", "deep-footer"}
    assert "HeadersTooLarge" in errors["flood.html"]
    assert str(MAX_HEADER_BYTES) in errors["flood.html"]
    assert errors["huge.html"].startswith("DownloadCancelledError")
    assert errors["huge-stream.html"].startswith("DownloadCancelledError")
    assert stats["linkcrawl/pages_past_depth_limit"] == 1
    assert stats["linkcrawl/links_past_depth_limit"] > 0
    assert peak < RSS_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB"
