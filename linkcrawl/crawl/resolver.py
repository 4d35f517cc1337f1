"""The address guard where Scrapy connects: a name resolver that hands on public addresses only.

:class:`~linkcrawl.crawl.middlewares.AddressGuardMiddleware` looks a host up before the
request is made, which gives a clear refusal but is a separate look-up: a name can answer
it with a public address and the connection a moment later with 127.0.0.1 (DNS rebinding),
or not resolve at first and resolve inward later. Twisted's HTTP client connects to exactly
the addresses its name resolver reports, so this resolver (Scrapy's ``TWISTED_DNS_RESOLVER``)
drops every non-public address from each answer: the address judged is the address
connected to. A host whose every address is dropped fails like a name that does not
resolve (Twisted's ``DNSLookupError``), with a warning that says why.

The configured proxy (``LINKCRAWL_HTTP_PROXY``, or the ``http_proxy``/``https_proxy``
environment Scrapy also reads) is exempt: the operator chose it, and it resolves the hosts
behind it itself. Nothing is filtered when ``LINKCRAWL_ALLOW_PRIVATE_ADDRESSES`` is true.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any, Self
from urllib.parse import urlsplit

from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider

from linkcrawl.config import LinkcrawlConfig
from linkcrawl.web.addresses import address_refusal

logger = logging.getLogger(__name__)

__all__ = ["GuardedResolver", "proxy_endpoints"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def proxy_endpoints(proxies: Iterable[str]) -> frozenset[tuple[str, int]]:
    """(host, port) of each proxy URL, lower case (``host:port`` without scheme = http)."""
    found = set()
    for proxy in proxies:
        if not proxy:
            continue
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        try:
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
        except ValueError:
            continue
        if parts.hostname:
            found.add((parts.hostname.lower().rstrip("."), port))
    return frozenset(found)


@provider(IResolutionReceiver)
class _PublicOnly:
    """Passes the resolved addresses on to the real receiver, except the refused ones."""

    def __init__(self, receiver: IResolutionReceiver, host: str) -> None:
        self.receiver = receiver
        self.host = host
        self.refused: list[str] = []
        self.passed = 0

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        host = str(getattr(address, "host", ""))
        why = address_refusal(host)
        if why:
            self.refused.append(f"{host} ({why})")
            return
        self.passed += 1
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:
        if self.refused:
            logger.warning("address guard: not connecting to %s at %s%s", self.host,
                           ", ".join(self.refused[:3]),
                           "" if self.passed else " (no public address left)")
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """``TWISTED_DNS_RESOLVER``: the reactor's own resolver, with non-public answers dropped."""

    def __init__(self, reactor: Any, *, guard: bool,
                 exempt: frozenset[tuple[str, int]] = frozenset()) -> None:
        self.reactor = reactor
        self.original: IHostnameResolver = reactor.nameResolver
        self.guard = guard
        self.exempt = exempt

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        # ``crawler`` is the CrawlerProcess here (Scrapy builds the resolver before any
        # crawler): only its settings are used.
        config = LinkcrawlConfig.from_settings(crawler.settings)
        env = urllib.request.getproxies()
        exempt = proxy_endpoints([config.http_proxy, env.get("http", ""), env.get("https", "")])
        # Scrapy's HTTPS tunnel reaches its proxy through reactor.connectTCP, whose look-up
        # comes without a port
        exempt |= {(host, 0) for host, _ in exempt}
        return cls(reactor, guard=not config.allow_private_addresses, exempt=exempt)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        receiver = resolutionReceiver
        if self.guard and (hostName.lower().rstrip("."), portNumber) not in self.exempt:
            receiver = _PublicOnly(resolutionReceiver, hostName)
        return self.original.resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics)
