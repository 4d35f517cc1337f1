"""The browser's guard proxy, driven as Chromium drives it: absolute-form GETs and CONNECTs
over real sockets on 127.0.0.1, to a real origin server and a real upstream proxy."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from linkcrawl.crawl.guard_proxy import GUARD_HEADER, GuardProxy
from linkcrawl.ops.localweb import LocalWeb


async def _exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` to the proxy, read until it closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    return data


def _run(proxy: GuardProxy, body: Callable[[int], Awaitable[object]]) -> object:
    async def main() -> object:
        port = await proxy.start()
        try:
            return await body(port)
        finally:
            await proxy.close()

    return asyncio.run(main())


@pytest.fixture
def origin(tmp_path: Path) -> LocalWeb:
    """An origin server on loopback: web root 127.0.0.1/ holds the 'internal' page."""
    (tmp_path / "127.0.0.1").mkdir()
    (tmp_path / "127.0.0.1" / "index.html").write_text("internal", encoding="utf-8")
    (tmp_path / "site.test").mkdir()
    (tmp_path / "site.test" / "index.html").write_text("public page", encoding="utf-8")
    return LocalWeb(tmp_path)


# Every (request target, CONNECT?) a page can make Chromium send towards loopback or
# another inward address. {port} is the origin's port.
INWARD_TARGETS = [
    ("http://127.0.0.1:{port}/", False),
    ("http://127.0.0.2:{port}/", False),
    ("http://localhost:{port}/", False),
    ("http://[::1]:{port}/", False),
    ("http://[::ffff:127.0.0.1]:{port}/", False),
    ("http://[2002:7f00:1::1]:{port}/", False),  # 6to4 around 127.0.0.1
    ("http://[64:ff9b::a00:1]:{port}/", False),  # NAT64 around 10.0.0.1
    ("http://%31%32%37.0.0.1:{port}/", False),  # percent-encoded host
    ("http://0x7f.1:{port}/", False),
    ("http://2130706433:{port}/", False),
    ("http://169.254.169.254/latest/meta-data/", False),
    ("127.0.0.1:{port}", True),
    ("localhost:{port}", True),
    ("[::1]:{port}", True),
    ("10.0.0.1:443", True),
]


@pytest.mark.parametrize(("target", "tunnel"), INWARD_TARGETS)
@pytest.mark.parametrize("upstream", [False, True], ids=["direct", "via-upstream"])
def test_inward_targets_are_refused(origin: LocalWeb, target: str, tunnel: bool,
                                    upstream: bool) -> None:
    refused: list[tuple[str, str]] = []
    with origin:
        target = target.format(port=origin.port)
        proxy = GuardProxy(origin.proxy_url if upstream else "",
                           on_refused=lambda t, r: refused.append((t, r)))
        method = "CONNECT" if tunnel else "GET"
        request = f"{method} {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        answer = _run(proxy, lambda port: _exchange(port, request))
        reached = list(origin.requests)
    assert isinstance(answer, bytes)
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:200]
    assert f"{GUARD_HEADER}: refused".encode() in answer
    assert reached == [], "the guard proxy let a request reach loopback"
    assert len(refused) == 1 and refused[0][1]


def test_public_names_go_to_the_upstream_proxy(origin: LocalWeb) -> None:
    """Names that do not resolve here are the upstream proxy's to resolve (the local web)."""
    with origin:
        proxy = GuardProxy(origin.proxy_url)
        request = (b"GET http://site.test/ HTTP/1.1\r\nHost: site.test\r\n"
                   b"Proxy-Connection: keep-alive\r\n\r\n")
        answer = _run(proxy, lambda port: _exchange(port, request))
        reached = list(origin.requests)
    assert isinstance(answer, bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"\r\nConnection: close" in head  # Chromium must not reuse the connection
    assert body == b"public page"
    assert reached == [("site.test", "/", 200)]


def test_without_upstream_a_name_that_does_not_resolve_is_refused(origin: LocalWeb) -> None:
    with origin:
        answer = _run(GuardProxy(""), lambda port: _exchange(
            port, b"GET http://site.test/ HTTP/1.1\r\nHost: site.test\r\n\r\n"))
        reached = list(origin.requests)
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 403 ")
    assert b"does not resolve" in answer
    assert reached == []


def test_the_connection_goes_to_the_address_judged_and_each_request_is_judged(
    origin: LocalWeb,
) -> None:
    """A name that rebinds: public (here: the test server's own address, exempted) for the
    first request, 127.0.0.2 for the second. The first is fetched from the address the
    proxy judged; the second is refused, nothing is remembered between them."""
    answers = iter([["127.0.0.1"], ["127.0.0.2"]])

    async def lookup(host: str, port: int) -> list[str]:
        assert host == "rebind.test"
        return next(answers)

    with origin:
        exempt = frozenset({("127.0.0.1", origin.port)})
        proxy = GuardProxy("", lookup=lookup, exempt=exempt)
        request = (f"GET http://rebind.test:{origin.port}/ HTTP/1.1\r\n"
                   f"Host: 127.0.0.1:{origin.port}\r\n\r\n").encode()

        async def twice(port: int) -> list[bytes]:
            return [await _exchange(port, request), await _exchange(port, request)]

        first, second = _run(proxy, twice)  # type: ignore[misc]
        reached = list(origin.requests)
    assert first.startswith(b"HTTP/1.1 200") and first.endswith(b"internal")
    assert second.startswith(b"HTTP/1.1 403") and b"127.0.0.2" in second
    assert reached == [("127.0.0.1", "/", 200)]


def test_a_tunnel_is_made_to_the_judged_address(origin: LocalWeb) -> None:
    """CONNECT to an exempted test address: the proxy says 200 and pipes bytes both ways."""

    async def lookup(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with origin:
        proxy = GuardProxy("", lookup=lookup, exempt=frozenset({("127.0.0.1", origin.port)}))

        async def tunnel(port: int) -> bytes:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"CONNECT tunnel.test:{origin.port} HTTP/1.1\r\n\r\n".encode())
            established = await reader.readuntil(b"\r\n\r\n")
            assert established.startswith(b"HTTP/1.1 200")
            writer.write(b"GET / HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n"
)
            data = await asyncio.wait_for(reader.read(), timeout=10)
            writer.close()
            return data

        answer = _run(proxy, tunnel)
    assert isinstance(answer, bytes) and answer.endswith(b"public page")


@pytest.mark.parametrize("request_bytes", [
    b"GET /relative HTTP/1.1\r\nHost: site.test\r\n\r\n",  # not a proxy request
    b"GET ftp://site.test/ HTTP/1.1\r\n\r\n",
    b"CONNECT site.test HTTP/1.1\r\n\r\n",  # no port
])
def test_unreadable_proxy_requests_are_refused(origin: LocalWeb, request_bytes: bytes) -> None:
    with origin:
        answer = _run(GuardProxy(origin.proxy_url), lambda port: _exchange(port, request_bytes))
        reached = list(origin.requests)
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 403 ")
    assert reached == []


def test_one_inward_address_among_public_ones_refuses_the_host(origin: LocalWeb) -> None:
    """A name answering with a usable address and 10.0.0.1: refused, not "try the good one"
    (the same rule as the middleware's, so the two never disagree)."""

    async def lookup(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "10.0.0.1"]

    with origin:
        proxy = GuardProxy("", lookup=lookup, exempt=frozenset({("127.0.0.1", origin.port)}))
        request = f"GET http://mixed.test:{origin.port}/ HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        answer = _run(proxy, lambda port: _exchange(port, request))
        reached = list(origin.requests)
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 403 ")
    assert b"10.0.0.1" in answer
    assert reached == []
