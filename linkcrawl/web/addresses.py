"""Which IP addresses a crawl of the public web must never reach."""

from __future__ import annotations

import ipaddress
import socket

# Cloud metadata endpoints (AWS/GCP/Azure/OpenStack 169.254.169.254, AWS IPv6, Alibaba
# 100.100.100.200): all in non-global ranges already; listed so the rule does not depend
# on that.
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200"})


def is_forbidden_address(address: str) -> bool:
    """True for every address that is not globally routable: private, loopback, link-local,
    multicast, reserved, unspecified, shared (100.64.0.0/10, carrier NAT and some cloud
    metadata services), documentation and benchmarking ranges; IPv4-mapped IPv6 addresses
    are judged as the IPv4 address they map."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
        or str(ip) in METADATA_ADDRESSES
    )


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
