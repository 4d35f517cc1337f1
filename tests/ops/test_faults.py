"""Slow, hanging, resetting and huge responses are bounded by timeouts and the size cap:
the crawl finishes, the normal pages' backlinks are stored and each fault is counted."""

from __future__ import annotations

from pathlib import Path

from linkcrawl.store import open_store
from tests.conftest import scrapy_crawl
from tests.faultweb import FAULT_HOST, HUGE_BYTES, TARGET, FaultWeb

TIMEOUT = 2  # DOWNLOAD_TIMEOUT for the test crawl, seconds
MAXSIZE = 1024 * 1024  # DOWNLOAD_MAXSIZE: the huge pages send 20 MB


def test_faulty_pages_are_bounded_counted_and_do_not_stop_the_crawl(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'faults.db'}"
    with FaultWeb(slow_seconds=TIMEOUT * 3) as web:
        scrapy_crawl(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": f"http://{FAULT_HOST}/", "targets": TARGET},
            settings={"DOWNLOAD_TIMEOUT": TIMEOUT, "DOWNLOAD_MAXSIZE": MAXSIZE,
                      "DOWNLOAD_WARNSIZE": 0, "RETRY_TIMES": 1},
            timeout=120,
        ).check()
        requested = list(web.requests)
    for path in ("/slow.html", "/hang.html", "/reset.html", "/huge.html", "/huge-stream.html"):
        assert path in requested, path
    with open_store(uri) as store:
        backlinks = {(d["source_url"], d["target_url"]) for d in store.find("backlinks")}
        stats = store.find("runs")[0]["stats"]
        errors = {p["url"].rsplit("/", 1)[1]: p["error"] for p in store.find("pages") if p["error"]}
    assert backlinks == {
        (f"http://{FAULT_HOST}/ok-{i}.html", f"http://{TARGET}/product-{i}") for i in range(3)
    }
    exceptions = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                  if k.startswith("downloader/exception_type_count/")}
    print(f"\nfaults counted: {exceptions}; page errors: {errors}")
    # slow and hang: each tried twice (RETRY_TIMES=1), each attempt cut at DOWNLOAD_TIMEOUT
    assert exceptions["scrapy.exceptions.DownloadTimeoutError"] == 4
    # the reset connection: tried twice too
    assert exceptions["scrapy.exceptions.DownloadFailedError"] == 2
    # both huge pages: cancelled at the size cap (by Content-Length, or while streaming)
    assert exceptions["scrapy.exceptions.DownloadCancelledError"] == 2
    assert stats["linkcrawl/fetch_errors/DownloadTimeoutError"] == 2
    assert stats["linkcrawl/fetch_errors/DownloadFailedError"] == 1
    assert stats["linkcrawl/fetch_errors/DownloadCancelledError"] == 2
    assert errors["slow.html"].startswith("DownloadTimeoutError")
    assert errors["hang.html"].startswith("DownloadTimeoutError")
    assert "ConnectionLost" in errors["reset.html"]
    assert "larger than download max size" in errors["huge.html"]
    assert errors["huge-stream.html"].startswith("DownloadCancelledError")
    assert HUGE_BYTES > MAXSIZE
