"""Which IP addresses a crawl of the public web must never reach, and which host names are
too odd to judge at all."""

from __future__ import annotations

import ipaddress
import re
import socket

# Cloud metadata endpoints (AWS/GCP/Azure/OpenStack 169.254.169.254, AWS IPv6, Alibaba
# 100.100.100.200): all in non-global ranges already; listed so the rule does not depend
# on that.
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200"})

# IPv6 ranges refused outright, whatever Python's ipaddress thinks of them (its tables
# change between versions). 6to4 and Teredo tunnel to an IPv4 address carried inside the
# IPv6 one (2002:7f00:1::1 is 127.0.0.1 through a 6to4 relay); both are deprecated and no
# web site needs them. fec0::/10 is the old site-local range, routed inward where it is
# still configured. 64:ff9b:1::/48 is the local-use NAT64 prefix (RFC 8215).
REFUSED_V6_NETWORKS: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.IPv6Network(net), why) for net, why in (
        ("2002::/16", "6to4"),
        ("2001::/32", "Teredo"),
        ("fec0::/10", "site-local"),
        ("64:ff9b:1::/48", "local-use NAT64"),
    )
)
# The well-known NAT64 prefix: the last 32 bits are the IPv4 address reached, judged as such
# (an IPv6-only network reaches every IPv4 site this way, so it cannot be refused wholesale).
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


def address_refusal(address: str) -> str:
    """Why ``address`` may not be connected to ("" when it may): every address that is not
    globally routable (private, loopback, link-local, multicast, reserved, unspecified,
    shared 100.64.0.0/10, documentation, benchmarking), the tunnel and deprecated IPv6 ranges
    above, and IPv4 addresses carried in IPv6 (mapped, NAT64) judged as that IPv4 address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        for network, why in REFUSED_V6_NETWORKS:
            if ip in network:
                return why
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if str(ip) in METADATA_ADDRESSES:
        return "cloud metadata"
    for flag in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{flag}"):
            return flag.replace("_", "-")
    if not ip.is_global:
        return "not globally routable"
    return ""


def is_forbidden_address(address: str) -> bool:
    """True when :func:`address_refusal` gives a reason."""
    return bool(address_refusal(address))


def host_refusal(host: str) -> str:
    """Why ``host`` (a URL's host, lower case, without brackets or trailing dot) is not a
    clean name or address ("" when it is).

    Resolvers, browsers and URL canonicalisers disagree about anything else: a
    percent-encoded ``%31%32%37.0.0.1`` fails a look-up here, yet a browser (and our own
    canonical URLs) turn it into 127.0.0.1; ``0x7f.1`` and ``2130706433`` are 127.0.0.1 to
    getaddrinfo. Only dotted-quad IPv4, IPv6 and letter-digit-hyphen names are judged;
    ``localhost`` and ``*.localhost`` are loopback by definition (Chromium never asks DNS).
    """
    if not host:
        return "no host"
    if len(host) > 253:
        return "host name too long"
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "malformed IPv6 literal"
        return ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return "host does not encode as a DNS name"
    labels = ascii_host.split(".")
    if labels[-1] == "localhost":
        return "localhost names are loopback (RFC 6761), whatever a resolver says"
    if not all(_LABEL.match(label) for label in labels):
        return "host has characters a DNS name cannot have"
    if _NUMERIC_LABEL.match(labels[-1]):
        # a numeric last label is an IPv4 literal to every parser: only the canonical form
        try:
            if str(ipaddress.IPv4Address(ascii_host)) == ascii_host:
                return ""
        except ValueError:
            pass
        return "non-canonical IPv4 literal"
    return ""


def resolve_host(host: str) -> list[str]:
    """All addresses ``host`` resolves to (literal IPs resolve to themselves)."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return [host]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


# Prefix lengths that group addresses into one hosting network: a /24 is the smallest IPv4
# block routed on the internet, a /48 the usual IPv6 allocation to one site. Many referring
# domains in one such network are one operator's sites more often than not.
NETWORK_PREFIX = {4: 24, 6: 48}


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of ``address`` in CIDR form ("" when it is not
    an address); an IPv4-mapped IPv6 address (``::ffff:192.0.2.7``) is its IPv4 address."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = NETWORK_PREFIX[ip.version]
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
