"""The address guard for Chromium: a local HTTP proxy that judges every connection it makes.

Playwright's request interception sees the first request of each resource but not the
redirects Chromium follows itself, so a page (or a script, frame or ``fetch``) that
redirects to ``http://127.0.0.1/`` would slip past it. With the guard on, Chromium's only
way out is this proxy on 127.0.0.1 (Playwright makes Chromium send loopback through the
proxy too), so every hop -- navigations, redirects, sub-requests, WebSockets -- arrives
here as a plain ``GET http://host/...`` or a ``CONNECT host:443``. The proxy:

- refuses hosts that do not normalise cleanly (:func:`~linkcrawl.web.addresses.host_refusal`);
- resolves the host itself and refuses it when any address is non-public, else connects to
  one of the addresses it judged (no second look-up between check and connect);
- with ``LINKCRAWL_HTTP_PROXY`` set, hands the request on to that proxy, which resolves the
  name: then only what resolves here (literal IPs, names with local answers) can be judged;
- sends one request per connection (``Connection: close`` both ways), so a second request
  to another host can never ride on a connection judged for the first.

A refusal is a ``403`` with the header ``X-Linkcrawl-Guard: refused``, which the browser
handler looks for on the page's own response.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import unquote, urlsplit

from linkcrawl.web.addresses import address_refusal, host_refusal

logger = logging.getLogger(__name__)

__all__ = ["GUARD_HEADER", "GuardProxy", "Refused"]

GUARD_HEADER = "X-Linkcrawl-Guard"
MAX_HEAD = 64 * 1024
# A request head, a connection and a response head must each arrive within this long (the
# browser's own navigation timeout is shorter); a stalled peer never holds a task forever.
STEP_TIMEOUT = 60.0
_HOP_HEADERS = (b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization")


class Refused(Exception):
    """The proxy will not connect to this host."""


class GuardProxy:
    """An asyncio HTTP proxy on 127.0.0.1 that connects only to public addresses."""

    def __init__(self, upstream: str = "",
                 on_refused: Callable[[str, str], None] | None = None, *,
                 lookup: Callable[[str, int], Awaitable[list[str]]] | None = None,
                 exempt: frozenset[tuple[str, int]] = frozenset()) -> None:
        """``lookup`` (host, port) -> addresses replaces getaddrinfo, and ``exempt`` lists
        (address, port) pairs let through although not public: both for tests, whose
        servers are on loopback."""
        self.lookup = lookup or _getaddrinfo
        self.exempt = exempt
        self.upstream = _host_port(upstream) if upstream else None
        self.upstream_auth = b""
        parts = urlsplit(upstream) if "://" in upstream else None
        if parts is not None and parts.username is not None:
            token = base64.b64encode(
                f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()).decode()
            self.upstream_auth = f"Proxy-Authorization: Basic {token}\r\n".encode()
        self.on_refused = on_refused
        self.server: asyncio.Server | None = None
        self.port = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=MAX_HEAD)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()
            self.server = None

    # --- judging --------------------------------------------------------------------
    async def route(self, host: str, port: int) -> list[tuple[str, int]]:
        """Where to connect for ``host:port``, in order (the upstream proxy, or each judged
        address of the host); raises :class:`Refused`."""
        host = host.lower().rstrip(".")
        problem = host_refusal(host)
        if problem:
            raise Refused(f"{host[:80]!r}: {problem}")
        try:
            addresses = await self.lookup(host, port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            if self.upstream:
                return [self.upstream]  # the upstream proxy resolves the names it serves
            raise Refused(f"{host} does not resolve")
        for address in addresses:
            why = "" if (address, port) in self.exempt else address_refusal(address)
            if why:
                raise Refused(f"{host} resolves to non-public address {address} ({why})")
        if self.upstream:
            return [self.upstream]
        return [(address, port) for address in dict.fromkeys(addresses)]

    # --- serving --------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._one_request(reader, writer)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError):
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), STEP_TIMEOUT)
        request_line, _, header_block = head.partition(b"\r\n")
        method, target, version = request_line.decode("latin-1").split(" ", 2)
        tunnel = method.upper() == "CONNECT"
        shown = target[:200]
        try:
            if tunnel:
                host, port = _host_port(target)
            else:
                parts = urlsplit(target)
                if parts.scheme != "http" or not parts.hostname:
                    raise Refused(f"not a proxy request: {target[:80]!r}")
                host, port = parts.hostname, parts.port or 80
            candidates = await self.route(host, port)
        except Refused as exc:
            await self._refuse(writer, shown, str(exc))
            return
        except ValueError:
            await self._refuse(writer, shown, "unreadable proxy request")
            return
        connection = await _connect(candidates)
        if connection is None:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            await writer.drain()
            logger.debug("guard proxy: %s unreachable", shown)
            return
        up_reader, up_writer = connection
        try:
            if tunnel and self.upstream is None:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await _pipe_both(reader, writer, up_reader, up_writer)
                return
            if tunnel:  # the upstream proxy answers the CONNECT itself
                up_writer.write(request_line + b"\r\n" + self.upstream_auth
                                + _without_hop_headers(header_block) + b"\r\n")
                await _pipe_both(reader, writer, up_reader, up_writer)
                return
            auth = self.upstream_auth
            if self.upstream is None:  # to the origin: origin-form request line
                path = urlsplit(target)._replace(scheme="", netloc="", fragment="").geturl()
                path = path if path.startswith("/") else "/" + path
                request_line = f"{method} {path} {version}".encode("latin-1")
                auth = b""
            up_writer.write(request_line + b"\r\n" + auth + _closing(header_block))
            await up_writer.drain()
            await _one_exchange(reader, writer, up_reader, up_writer)
        finally:
            up_writer.close()

    async def _refuse(self, writer: asyncio.StreamWriter, target: str, reason: str) -> None:
        if self.on_refused is not None:
            self.on_refused(target, reason)
        body = f"address guard: {reason}\n".encode()
        writer.write(
            b"HTTP/1.1 403 Forbidden\r\n" + GUARD_HEADER.encode() + b": refused\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        await writer.drain()


async def _connect(
    candidates: list[tuple[str, int]],
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    """A connection to the first candidate that answers (only judged addresses are here)."""
    for host, port in candidates:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(host, port, limit=MAX_HEAD), STEP_TIMEOUT)
        except (OSError, TimeoutError):
            continue
    return None


async def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _host_port(text: str) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or a proxy URL -> (host, port); ValueError if unreadable."""
    if "://" in text:
        parts = urlsplit(text)
        if not parts.hostname:
            raise ValueError(text)
        return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(text)
    return host.strip("[]"), int(port)


def _without_hop_headers(header_block: bytes) -> bytes:
    """The header lines (each ending in CRLF) without the hop-by-hop ones."""
    return b"".join(line + b"\r\n" for line in header_block.split(b"\r\n")
                    if line and line.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS)


def _closing(header_block: bytes) -> bytes:
    """The header lines without hop-by-hop headers, plus ``Connection: close``, and the
    blank line that ends a head."""
    return _without_hop_headers(header_block) + b"Connection: close\r\n\r\n"


async def _one_exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        up_reader: asyncio.StreamReader,
                        up_writer: asyncio.StreamWriter) -> None:
    """The request body up, the response down, its head marked ``Connection: close`` so that
    Chromium opens a new connection (judged anew) for its next request. Whatever else the
    client sends goes to the same, already judged, host."""
    uploading = asyncio.ensure_future(_copy(reader, up_writer))
    try:
        response_head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"),
                                               STEP_TIMEOUT)
        status_line, _, header_block = response_head.partition(b"\r\n")
        writer.write(status_line + b"\r\n" + _closing(header_block))
        await _copy(up_reader, writer)
    finally:
        uploading.cancel()


async def _pipe_both(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     up_reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter) -> None:
    """Bytes both ways until either side closes (a tunnel: TLS inside)."""
    up = asyncio.ensure_future(_copy(reader, up_writer))
    down = asyncio.ensure_future(_copy(up_reader, writer))
    try:
        await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        up.cancel()
        down.cancel()


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.CancelledError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
