"""A loopback web of made-up ``.test`` sites, served by one HTTP server that acts as a proxy.

The crawler sends every request to this server as its HTTP proxy
(``GET http://blog.test/a.html HTTP/1.1``); the server answers from
``root/<hostname>/...`` and never forwards anything anywhere. Tests, the demo crawl
and benchmarks use it so that no crawl ever leaves 127.0.0.1.

Per site, an optional ``_site.json`` adds what static files cannot express::

    {"redirects": {"/old.html": ["/new.html", 301]},
     "status":    {"/gone.html": 410},
     "headers":   {"/x.html": {"X-Robots-Tag": "noindex"}},
     "routes":    {"/viewtopic.php?t=1": "_pages/topic-1.html"}}

Keys are exact request paths; a key with ``?query`` matches that query only and wins over
the bare path. ``routes`` serves a file (relative to the site folder) for a URL with a
query string, which is how dynamic-looking forum URLs map to static files. Any path
segment starting with ``_`` is never served directly.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["DEMO_WEB_DIR", "LocalWeb", "Resolved", "main"]

logger = logging.getLogger(__name__)


def _default_root() -> Path:
    override = os.environ.get("LINKCRAWL_DEMO_WEB")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "data" / "demo-web"


DEMO_WEB_DIR: Path = _default_root()

# Content types by file extension; .php/.htm files are stand-ins for dynamic HTML pages.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".php": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Resolved:
    """What one request resolves to: a status, extra headers and a file to send (or none)."""

    status: int
    file: Path | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _lookup(table: dict[str, Any], path: str, query: str) -> Any:
    """Exact ``path?query`` entry first, then the bare path."""
    if query and f"{path}?{query}" in table:
        return table[f"{path}?{query}"]
    return table.get(path)


def _inside(base: Path, candidate: Path) -> bool:
    try:
        candidate.resolve().relative_to(base.resolve())
    except ValueError:
        return False
    return True


class LocalWeb:
    """Serve ``root/<hostname>/`` for every site folder, as an HTTP proxy on loopback."""

    def __init__(self, root: Path = DEMO_WEB_DIR, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self._bind = (host, port)
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, int]] = []

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> LocalWeb:
        if self._server is not None:
            return self
        if not self.root.is_dir():
            raise FileNotFoundError(f"local web root not found: {self.root}")
        handler = type("_BoundHandler", (_Handler,), {"web": self})
        self._server = _QuietServer(self._bind, handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="linkcrawl-localweb", daemon=True
        )
        self._thread.start()
        logger.debug("local web serving %s on %s", self.root, self.proxy_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalWeb:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- properties ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalWeb is not started")
        return int(self._server.server_address[1])

    @property
    def proxy_url(self) -> str:
        return f"http://{self._bind[0]}:{self.port}"

    @property
    def hosts(self) -> list[str]:
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
        )

    # --- request log -----------------------------------------------------------------------
    def record(self, host: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((host, path, status))

    def hits(self, host: str, path: str) -> int:
        """How many requests for exactly ``host`` + ``path`` (with query) were answered."""
        key = (host.lower(), path)
        with self._lock:
            return sum(1 for h, p, _ in self.requests if (h, p) == key)

    # --- resolution (pure apart from reading the site folder) -------------------------------
    def site_config(self, host: str) -> dict[str, Any]:
        """The site's ``_site.json``; ``{}`` when absent or unreadable.

        Read on every request (a few hundred bytes), so tests may edit a running site.
        """
        path = self.root / host / "_site.json"
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable %s: %s", path, exc)
            return {}
        return config if isinstance(config, dict) else {}

    def resolve(self, host: str, target: str) -> Resolved:
        """Map ``host`` and a request target (path plus optional query) to a response."""
        try:
            return self._resolve(host.lower().rstrip("."), target)
        except (OSError, ValueError):  # e.g. an embedded NUL byte or an over-long name
            return Resolved(HTTPStatus.NOT_FOUND)

    def _resolve(self, host: str, target: str) -> Resolved:
        site = self.root / host
        if not host or host.startswith(("_", ".")) or "/" in host or not site.is_dir():
            return Resolved(HTTPStatus.NOT_FOUND)
        parts = urlsplit(target)
        path = parts.path or "/"
        query = parts.query
        config = self.site_config(host)
        headers = dict(_lookup(config.get("headers", {}), path, query) or {})

        redirect = _lookup(config.get("redirects", {}), path, query)
        if redirect:
            if isinstance(redirect, str):
                redirect = [redirect]
            location, code = redirect[0], int(redirect[1]) if len(redirect) > 1 else 301
            return Resolved(code, None, {**headers, "Location": location})
        status = _lookup(config.get("status", {}), path, query)
        if status:
            return Resolved(int(status), None, headers)

        route = config.get("routes", {}).get(f"{path}?{query}") if query else None
        if route:
            file = site / route.lstrip("/")
            if file.is_file() and _inside(site, file):
                return Resolved(HTTPStatus.OK, file, headers)
            return Resolved(HTTPStatus.NOT_FOUND)

        relative = unquote(path).lstrip("/")
        segments = [s for s in relative.split("/") if s]
        if any(s.startswith("_") or s in (".", "..") for s in segments):
            return Resolved(HTTPStatus.NOT_FOUND)
        file = site.joinpath(*segments) if segments else site
        if not _inside(site, file):
            return Resolved(HTTPStatus.NOT_FOUND)
        if file.is_dir():
            if not path.endswith("/"):
                location = path + "/" + (f"?{query}" if query else "")
                return Resolved(HTTPStatus.MOVED_PERMANENTLY, None, {"Location": location})
            file = file / "index.html"
        if not file.is_file():
            return Resolved(HTTPStatus.NOT_FOUND)
        return Resolved(HTTPStatus.OK, file, headers)


class _Handler(BaseHTTPRequestHandler):
    """Answers absolute-form (proxy) and origin-form requests from the site folders."""

    web: LocalWeb  # set on the per-server subclass
    protocol_version = "HTTP/1.1"
    server_version = "linkcrawl-localweb"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _target(self) -> tuple[str, str]:
        """(host, path?query) from an absolute URI or from the Host header."""
        raw = self.path
        if raw.lower().startswith(("http://", "https://")):
            parts = urlsplit(raw)
            host = parts.hostname or ""
            path = parts.path or "/"
            return host.lower(), path + (f"?{parts.query}" if parts.query else "")
        host_header = self.headers.get("Host", "")
        host = urlsplit(f"//{host_header}").hostname or ""
        return host.lower(), raw if raw.startswith("/") else "/" + raw

    def _send(self, host: str, target: str, resolved: Resolved, send_body: bool) -> None:
        self.web.record(host, target, resolved.status)
        if resolved.file is not None:
            body = resolved.file.read_bytes()
            content_type = CONTENT_TYPES.get(resolved.file.suffix.lower(), DEFAULT_CONTENT_TYPE)
        else:
            phrase = _PHRASES.get(resolved.status, "")
            body = f"<!doctype html><title>{resolved.status} {phrase}</title>\n".encode()
            content_type = "text/html; charset=utf-8"
        headers = dict(resolved.headers)
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = content_type
        self.send_response(resolved.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        host, target = self._target()
        self._send(host, target, self.web.resolve(host, target), send_body=True)

    def do_HEAD(self) -> None:
        host, target = self._target()
        self._send(host, target, self.web.resolve(host, target), send_body=False)

    def _refuse(self) -> None:
        """Anything but GET/HEAD, CONNECT included: this proxy never tunnels or forwards."""
        host, target = self._target()
        allow = {"Allow": "GET, HEAD", "Connection": "close"}
        self._send(host, target, Resolved(HTTPStatus.METHOD_NOT_ALLOWED, None, allow), True)
        self.close_connection = True

    do_CONNECT = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse


_PHRASES: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}


class _QuietServer(ThreadingHTTPServer):
    """Client disconnects are normal for a crawler's proxy: log them, don't print tracebacks."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("local web: connection from %s failed", client_address, exc_info=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m linkcrawl.ops.localweb``: serve the demo web in the foreground."""
    parser = argparse.ArgumentParser(
        prog="python -m linkcrawl.ops.localweb",
        description="Serve a folder of made-up sites on 127.0.0.1 as an HTTP proxy.",
    )
    parser.add_argument("--port", type=int, default=8899, help="port to listen on (0 = any)")
    parser.add_argument("--root", type=Path, default=DEMO_WEB_DIR, help="folder of site folders")
    args = parser.parse_args(argv)
    web = LocalWeb(args.root, port=args.port)
    try:
        web.start()
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    example = web.hosts[0] if web.hosts else "site.test"
    print(f"Serving {len(web.hosts)} sites from {web.root}", flush=True)
    print(f"Proxy URL: {web.proxy_url}", flush=True)
    print(f"Try: curl -x {web.proxy_url} http://{example}/", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
