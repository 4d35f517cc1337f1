"""A web of hostile servers on 127.0.0.1, used as the crawler's proxy (issue 16).

Each host misbehaves in one way: robots.txt that answers 503 or times out before it works,
or is 24 MB, or UTF-16; a page whose headers never end; pages with a non-text charset
label; a page whose footer backlink sits after 3,000 unclosed ``<div>``. Every host's pages
link to the target, so a test can count the backlinks that survived.

:func:`crawl_peak_rss` runs ``scrapy crawl`` like ``tests.conftest.scrapy_crawl`` and also
returns the crawl process's own peak RSS, for the memory limits. It is read from
``VmHWM`` in ``/proc/self/status`` as the crawl exits: ``ru_maxrss`` (``wait4``,
``getrusage``) would include the forked copy of the pytest process from before ``exec``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import REPO, CrawlResult

TARGET = "acme-widgets.test"
Handler = Callable[["_Handler"], None]


def page(title: str, body: str, charset: str = "utf-8") -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title></head>"
            f"<body><main>{body}</main></body></html>").encode(charset)


def backlink(n: str) -> str:
    return f'<p>We reviewed <a href="http://{TARGET}/{n}">the {n} widget</a> and liked it.</p>'


class _Handler(BaseHTTPRequestHandler):
    web: HostileWeb
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = parts.hostname or (self.headers.get("Host") or "").split(":")[0]
        path = parts.path or "/"
        with self.web.lock:
            self.web.requests[(host, path)] += 1
            hits = self.web.requests[(host, path)]
        route = self.web.routes.get((host, path))
        if route is None:
            self.send(404, b"<!doctype html><title>404</title>")
            return
        self.hits = hits
        route(self)

    def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
             extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the crawler hung up (it read enough): expected for big bodies
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a crawler that hung up
            super().handle_error(request, client_address)


class HostileWeb:
    """Hosts added with :meth:`route`; ``requests[(host, path)]`` counts what was asked."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        handler = type("_Bound", (_Handler,), {"web": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def route(self, host: str, path: str, handler: Handler) -> None:
        self.routes[(host, path)] = handler

    def html(self, host: str, path: str, body: bytes, content_type: str = "text/html") -> None:
        self.route(host, path, lambda h: h.send(200, body, content_type))

    def hits(self, host: str, path: str) -> int:
        with self.lock:
            return self.requests[(host, path)]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HostileWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()


def header_flood(h: _Handler, limit_bytes: int = 3 * 1024**3) -> None:
    """A 200 whose header lines never end (until the client hangs up, or ``limit_bytes``)."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    line = b"X-Flood: " + b"f" * 1000 + b"\r\n"
    chunk = line * 64
    sent = 0
    try:
        while sent < limit_bytes and not h.web.stop.is_set():
            h.wfile.write(chunk)
            sent += len(chunk)
    except OSError:  # the crawler gave up on the response: what a limit should do
        pass
    h.close_connection = True


def crawl_peak_rss(spider: str, *, store_uri: str, proxy: str, args: dict[str, str],
                   settings: dict[str, Any], timeout: float = 240) -> tuple[CrawlResult, int]:
    """(result, peak RSS of the crawl process in bytes): ``scrapy crawl`` run as a user would."""
    cmd = [sys.executable, "-c", _REPORT_PEAK, "crawl", spider]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    merged: dict[str, Any] = {
        "LINKCRAWL_STORE_URI": store_uri, "LINKCRAWL_PROGRESS_INTERVAL": 0,
        "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "INFO", "LINKCRAWL_HTTP_PROXY": proxy,
        "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True, **settings,
    }
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    with open(os.devnull, "rb") as stdin:
        proc = subprocess.Popen(cmd, cwd=REPO, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    streams: dict[str, str] = {}

    def read(name: str, stream: Any) -> None:
        streams[name] = stream.read()

    readers = [threading.Thread(target=read, args=(name, stream))
               for name, stream in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        _, status = os.waitpid(proc.pid, 0)
    finally:
        timer.cancel()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = streams.get("err", "")
    marks = [line for line in stderr.splitlines() if line.startswith(_PEAK_MARK)]
    assert marks, f"the crawl did not report its peak RSS:\n{stderr[-3000:]}"
    stderr = "\n".join(line for line in stderr.splitlines() if not line.startswith(_PEAK_MARK))
    result = CrawlResult(proc.returncode, streams.get("out", ""), stderr, store_uri)
    return result, int(marks[-1][len(_PEAK_MARK):]) * 1024


_PEAK_MARK = "linkcrawl-test-peak-rss-kib="
# ``python -m scrapy`` plus one exit hook that prints this process's VmHWM to stderr.
_REPORT_PEAK = f"""
import atexit, re, sys
def _peak():
    with open("/proc/self/status") as status:
        kib = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
    print("{_PEAK_MARK}" + kib, file=sys.stderr, flush=True)
atexit.register(_peak)
sys.argv[0] = "scrapy"
from scrapy.cmdline import execute
execute()
"""
