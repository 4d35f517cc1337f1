"""Test webs that misbehave on purpose, all on 127.0.0.1 and used as the crawler's proxy.

- :class:`GatedWeb`: the demo web, but page requests past a limit wait at a gate until the
  test raises the limit, so a test can act "after N pages" without timing guesses.
- :class:`FaultWeb`: one site, ``faults.test``, whose pages are slow, hang, reset the
  connection, or are huge, next to normal pages that link to all of them.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from linkcrawl.ops.localweb import LocalWeb, Resolved


class GatedWeb(LocalWeb):
    """Answers ``limit`` page requests (robots.txt aside); the rest wait for a higher limit."""

    def __init__(self, root: Path, limit: int) -> None:
        super().__init__(root)
        self.limit = limit
        self.answered = 0
        self.waiting = 0
        self._gate = threading.Condition()

    def resolve(self, host: str, target: str) -> Resolved:
        if target != "/robots.txt":
            with self._gate:
                self.waiting += 1
                self._gate.notify_all()
                self._gate.wait_for(lambda: self.answered < self.limit, timeout=120)
                self.waiting -= 1
                self.answered += 1
        return super().resolve(host, target)

    def wait_held(self, timeout: float = 60) -> bool:
        """True once a request waits at the gate with the limit reached."""
        with self._gate:
            return self._gate.wait_for(
                lambda: self.waiting > 0 and self.answered >= self.limit, timeout=timeout
            )

    def set_limit(self, limit: float) -> None:
        with self._gate:
            self.limit = limit  # type: ignore[assignment]
            self._gate.notify_all()


def wait_until(predicate: Any, timeout: float = 60, what: str = "condition") -> None:
    """Poll observable state (a file, a row) until it holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


FAULT_HOST = "faults.test"
TARGET = "acme-widgets.test"
HUGE_BYTES = 20 * 1024 * 1024


def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title></head>"
            f"<body><main>{body}</main></body></html>").encode()


class _FaultHandler(BaseHTTPRequestHandler):
    web: FaultWeb
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path or "/"
        self.web.record(path)
        handler = self.web.routes.get(path)
        if handler is None:
            self._send(404, b"<!doctype html><title>404</title>")
        else:
            handler(self)

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)


class FaultWeb:
    """``http://faults.test/``: normal pages plus slow, hanging, resetting and huge ones."""

    def __init__(self, slow_seconds: float) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        faults = ["/slow.html", "/hang.html", "/reset.html", "/huge.html", "/huge-stream.html"]
        links = "".join(f'<p><a href="{p}">{p}</a></p>' for p in faults)
        ok = [f"/ok-{i}.html" for i in range(3)]
        links += "".join(f'<p><a href="{p}">page {p}</a></p>' for p in ok)
        self.routes: dict[str, Any] = {
            "/": lambda h: h._send(200, _page("faults", links)),
            "/robots.txt": lambda h: h._send(404, b""),
            "/slow.html": self._slow,
            "/hang.html": self._hang,
            "/reset.html": self._reset,
            "/huge.html": self._huge,
            "/huge-stream.html": self._huge_stream,
        }
        for i, path in enumerate(ok):
            body = (f'<p>We reviewed <a href="http://{TARGET}/product-{i}">widget {i}</a> '
                    f"and liked it.</p>{links}")
            self.routes[path] = lambda h, body=body, i=i: h._send(200, _page(f"ok {i}", body))
        handler = type("_Bound", (_FaultHandler,), {"web": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def __enter__(self) -> FaultWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # --- the faults -----------------------------------------------------------------------
    def _slow(self, h: _FaultHandler) -> None:
        # a server-side delay past the crawler's DOWNLOAD_TIMEOUT (not test synchronization)
        if self._stop.wait(self.slow_seconds):
            return
        h._send(200, _page("slow", "finally"))

    def _hang(self, h: _FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(b"<html><body>")
        h.wfile.flush()
        self._stop.wait(300)  # never finishes while the crawl runs

    def _reset(self, h: _FaultHandler) -> None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    def _huge(self, h: _FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(HUGE_BYTES))
        h.end_headers()
        self._stream(h)

    def _huge_stream(self, h: _FaultHandler) -> None:
        # no Content-Length: the size cap must trigger while the body arrives
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        self._stream(h)

    def _stream(self, h: _FaultHandler) -> None:
        chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
        try:
            for _ in range(HUGE_BYTES // len(chunk)):
                if self._stop.is_set():
                    return
                h.wfile.write(chunk)
        except OSError:  # the crawler hung up once over its size cap: expected
            h.close_connection = True
