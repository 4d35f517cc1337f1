"""Which IP addresses a crawl of the public web must never reach."""

from __future__ import annotations

import ipaddress
import socket

# The cloud metadata endpoint is link-local already; named for the log message.
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254"})


def is_forbidden_address(address: str) -> bool:
    """True for private, loopback, link-local, multicast, reserved and unspecified addresses."""
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
