"""The network a referring host's address belongs to: /24 for IPv4, /48 for IPv6."""

from __future__ import annotations

import pytest

from linkcrawl.web.addresses import network_of


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("203.0.113.255", "203.0.113.0/24"),
        ("203.0.114.1", "203.0.114.0/24"),  # the next /24 is another network
        ("8.8.8.8", "8.8.8.0/24"),
        ("127.0.0.1", "127.0.0.0/24"),  # grouping only: nothing is judged here
        (" 198.51.100.9 ", "198.51.100.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("2001:db8:1234:ffff:ffff::9", "2001:db8:1234::/48"),
        ("2001:db8:1235::1", "2001:db8:1235::/48"),
        ("[2606:4700:4700::1111]", "2606:4700:4700::/48"),
        ("fe80::1%eth0", "fe80::/48"),  # a zone index is not part of the address
        ("::ffff:192.0.2.7", "192.0.2.0/24"),  # IPv4-mapped: the IPv4 network
        ("::1", "::/48"),
        ("", ""),
        ("example.com", ""),
        ("300.1.1.1", ""),
        ("192.0.2", ""),
    ],
)
def test_network_of(address: str, network: str) -> None:
    assert network_of(address) == network
