"""A fast loopback HTTP server (and proxy) for the benchmark web, plus a load client.

The crawler is pointed at it as its HTTP proxy, so it answers absolute-form requests
(``GET http://blog.test/x HTTP/1.1``) and origin-form ones with a Host header. It never
forwards anything. It runs in its own process (no GIL shared with the crawler), keeps
connections alive and renders pages from webgen's pure function, which costs ~1 ms a page.

    python benchmarks/fastserver.py --pages 20000            # serve; prints the proxy URL
    python benchmarks/fastserver.py --pages 20000 --measure  # serve + load-test, then exit
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from webgen import Web

_REASONS = {200: b"OK", 301: b"Moved Permanently", 302: b"Found", 404: b"Not Found",
            410: b"Gone", 400: b"Bad Request"}
READY_PREFIX = "PROXY "


def _split_target(target: bytes, head: bytes) -> tuple[str, str]:
    """(host, path+query) from an absolute-form target, or from origin-form + Host header."""
    if target.startswith(b"http://"):
        rest = target[7:]
        slash = rest.find(b"/")
        host, path = (rest, b"/") if slash < 0 else (rest[:slash], rest[slash:])
        return host.decode("latin-1"), path.decode("latin-1")
    for line in head.split(b"\r\n")[1:]:
        if line[:5].lower() == b"host:":
            return line[5:].strip().decode("latin-1"), target.decode("latin-1")
    return "", target.decode("latin-1")


async def _handle(web: Web, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, version = head[: head.find(b"\r\n")].split(b" ", 2)
            lower = head.lower()
            if b"content-length:" in lower:  # drain a request body; GETs normally have none
                start = lower.index(b"content-length:") + 15
                await reader.readexactly(int(lower[start : lower.index(b"\r\n", start)]))
            host, path = _split_target(target, head)
            status, headers, body = web.respond(host, path)
            close = b"connection: close" in lower or version == b"HTTP/1.0"
            lines = [b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b"OK"))]
            lines += [f"{k}: {v}".encode("latin-1") for k, v in headers]
            lines += [b"Content-Length: %d" % len(body),
                      b"Connection: close" if close else b"Connection: keep-alive", b"", b""]
            writer.write(b"\r\n".join(lines) + (b"" if method == b"HEAD" else body))
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def serve(web: Web, port: int = 0) -> None:
    server = await asyncio.start_server(
        lambda r, w: _handle(web, r, w), "127.0.0.1", port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"{READY_PREFIX}http://127.0.0.1:{bound}", flush=True)
    async with server:
        await server.serve_forever()


# --- running it in its own process ---------------------------------------------------------
class ServerProcess:
    """The server in a child process; ``proxy_url`` once started. Use as a context manager."""

    def __init__(self, pages: int, seed: int, competitors: int = 0, broken: int = 0) -> None:
        self.pages, self.seed = pages, seed
        self.extra = ["--competitors", str(competitors), "--broken", str(broken)]
        self.proc: subprocess.Popen[str] | None = None
        self.proxy_url = ""

    def __enter__(self) -> ServerProcess:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--pages", str(self.pages),
               "--seed", str(self.seed), *self.extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith(READY_PREFIX):
            self.proc.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.proxy_url = line[len(READY_PREFIX):].strip()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- load client ----------------------------------------------------------------------------
@dataclass
class LoadResult:
    pages: int
    bytes: int
    seconds: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / 1e6


async def _client(proxy: tuple[str, int], urls: list[str], deadline: float,
                  counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(*proxy)
    try:
        while urls and time.perf_counter() < deadline:
            url = urls.pop()
            host = urlsplit(url).netloc
            writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            lower = head.lower()
            start = lower.index(b"content-length:") + 15
            body = await reader.readexactly(int(lower[start : lower.index(b"\r\n", start)]))
            counts[0] += 1
            counts[1] += len(head) + len(body)
    finally:
        writer.close()


def load_test(proxy_url: str, urls: list[str], seconds: float = 5.0,
              connections: int = 16) -> LoadResult:
    """Fetch ``urls`` (in the given order, each once) over keep-alive connections for
    ``seconds``; the rate is what the server delivers with one core left to the client."""
    parts = urlsplit(proxy_url)
    todo = list(reversed(urls))
    counts = [0, 0]

    async def run() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_client((parts.hostname or "127.0.0.1", parts.port or 80), todo,
                                       start + seconds, counts) for _ in range(connections)))
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    return LoadResult(counts[0], counts[1], elapsed)


def measure(pages: int, seed: int, seconds: float) -> None:
    web = Web(pages, seed)
    urls = web.urls()
    random.Random(seed).shuffle(urls)
    with ServerProcess(pages, seed) as server:
        cpu0 = cpu_seconds(server.pid)
        res = load_test(server.proxy_url, urls, seconds)
        cpu = cpu_seconds(server.pid) - cpu0
    print(f"server: {res.pages_per_s:,.0f} pages/s, {res.mb_per_s:,.1f} MB/s over "
          f"{res.pages} distinct pages in {res.seconds:.1f} s; server CPU "
          f"{cpu / max(res.pages, 1) * 1000:.2f} ms/page")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--competitors", type=int, default=0, help="extra target sites")
    ap.add_argument("--broken", type=int, default=0, help="broken pages per target site")
    ap.add_argument("--measure", type=float, metavar="SECONDS", nargs="?", const=5.0,
                    help="start a server process, load-test it for SECONDS, print, exit")
    args = ap.parse_args(argv)
    if args.measure:
        measure(args.pages, args.seed, args.measure)
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Web(args.pages, args.seed, competitors=args.competitors,
                              broken=args.broken), args.port))


if __name__ == "__main__":
    main()
