"""The resolver Twisted connects with: only public addresses reach the HTTP client.

A scripted stand-in plays the system resolver, so that one name can answer differently
on each look-up (DNS rebinding) without a DNS server; the end-to-end proof (a crawl with
the middleware off never reaching loopback) is in tests/web/test_addresses.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver
from zope.interface import implementer

from linkcrawl.crawl.resolver import GuardedResolver, proxy_endpoints


@implementer(IHostnameResolver)
class ScriptedResolver:
    """Answers each look-up of a name with the next list of addresses in its script."""

    def __init__(self, script: dict[str, list[list[str]]]) -> None:
        self.script = script
        self.asked: list[tuple[str, int]] = []

    def resolveHostName(self, receiver: Any, hostName: str, portNumber: int = 0,
                        addressTypes: Sequence[type] | None = None,
                        transportSemantics: str = "TCP") -> Any:
        self.asked.append((hostName, portNumber))
        receiver.resolutionBegan(None)
        for address in self.script[hostName].pop(0):
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, portNumber))
        receiver.resolutionComplete()
        return None


class Reactor:
    def __init__(self, resolver: ScriptedResolver) -> None:
        self.nameResolver = resolver
        self.installed: object = None

    def installNameResolver(self, resolver: object) -> None:
        self.installed = resolver


class Collect:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


def resolve(resolver: GuardedResolver, host: str, port: int = 80) -> list[str]:
    collect = Collect()
    resolver.resolveHostName(collect, host, port)
    assert collect.complete
    return collect.addresses


@pytest.mark.parametrize(
    ("answer", "passed"),
    [
        (["93.184.216.34"], ["93.184.216.34"]),
        (["127.0.0.1"], []),
        (["127.0.0.2"], []),
        (["10.0.0.7", "93.184.216.34"], ["93.184.216.34"]),  # only the public one is tried
        (["::1"], []),
        (["2002:7f00:1::1"], []),  # 6to4
        (["64:ff9b::a00:1"], []),  # NAT64 around 10.0.0.1
        (["fec0::1"], []),
        (["169.254.169.254"], []),
        (["2606:4700:4700::1111", "fd00::1"], ["2606:4700:4700::1111"]),
    ],
)
def test_only_public_addresses_are_handed_on(answer: list[str], passed: list[str]) -> None:
    resolver = GuardedResolver(Reactor(ScriptedResolver({"h.test": [answer]})), guard=True)
    assert resolve(resolver, "h.test") == passed


def test_every_connection_is_judged_on_its_own_answer() -> None:
    """Rebinding: public, then loopback, then public again; nothing is remembered."""
    script = {"rebind.test": [["93.184.216.34"], ["127.0.0.2"], ["93.184.216.35"]]}
    system = ScriptedResolver(script)
    resolver = GuardedResolver(Reactor(system), guard=True)
    assert resolve(resolver, "rebind.test") == ["93.184.216.34"]
    assert resolve(resolver, "rebind.test") == []
    assert resolve(resolver, "rebind.test") == ["93.184.216.35"]
    assert len(system.asked) == 3


def test_the_configured_proxy_and_the_allowed_mode_pass_through() -> None:
    script = {"127.0.0.1": [["127.0.0.1"], ["127.0.0.1"]], "proxy.test": [["10.0.0.2"]]}
    exempt = proxy_endpoints(["http://127.0.0.1:8899", "proxy.test:3128"])
    resolver = GuardedResolver(Reactor(ScriptedResolver(script)), guard=True, exempt=exempt)
    assert resolve(resolver, "127.0.0.1", 8899) == ["127.0.0.1"]  # the proxy's own port
    assert resolve(resolver, "127.0.0.1", 8900) == []  # any other port: guarded
    assert resolve(resolver, "proxy.test", 3128) == ["10.0.0.2"]
    allowed = GuardedResolver(Reactor(ScriptedResolver({"x.test": [["127.0.0.1"]]})),
                              guard=False)
    assert resolve(allowed, "x.test") == ["127.0.0.1"]


def test_it_installs_itself_as_the_name_resolver() -> None:
    reactor = Reactor(ScriptedResolver({}))
    resolver = GuardedResolver(reactor, guard=True)
    resolver.install_on_reactor()
    assert reactor.installed is resolver


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [
        (["http://127.0.0.1:8899"], {("127.0.0.1", 8899)}),
        (["http://user:pw@Proxy.Example:3128/"], {("proxy.example", 3128)}),
        (["proxy.example:8080"], {("proxy.example", 8080)}),
        (["https://proxy.example"], {("proxy.example", 443)}),
        (["", "http://[::1]:9"], {("::1", 9)}),
        (["http://bad:port"], set()),
    ],
)
def test_proxy_endpoints(proxies: list[str], expected: set[tuple[str, int]]) -> None:
    assert proxy_endpoints(proxies) == expected
