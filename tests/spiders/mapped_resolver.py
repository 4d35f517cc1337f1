"""A ``TWISTED_DNS_RESOLVER`` for tests: names listed in ``$MAPPED_HOSTS``
(``name=address,...``) resolve to those loopback addresses, any other name as usual.

It lets a test crawl connect to several ``.test`` hosts directly (no proxy), each on its own
127.x address, so the address a connection used can be checked against the one it was
given. Only the name look-up is stood in for: the connection itself is real.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Self

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from zope.interface import implementer


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class MappedResolver:
    def __init__(self, reactor: Any, hosts: dict[str, str]) -> None:
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        pairs = (item.split("=", 1) for item in os.environ.get("MAPPED_HOSTS", "").split(",")
                 if "=" in item)
        return cls(reactor, {name.strip().lower(): address.strip() for name, address in pairs})

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
                        addressTypes: Sequence[type] | None = None,
                        transportSemantics: str = "TCP") -> Any:
        address = self.hosts.get(hostName.lower().rstrip("."))
        if address is None:
            return self.original.resolveHostName(resolutionReceiver, hostName, portNumber,
                                                 addressTypes, transportSemantics)
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        kind = IPv6Address if ":" in address else IPv4Address
        resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution
