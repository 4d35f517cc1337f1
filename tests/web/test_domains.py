"""Registrable domains and hosts (publicsuffixlist's bundled list, no network)."""

from __future__ import annotations

import pytest

from linkcrawl.web.domains import host_of, registrable_domain


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.example.com", "example.com"),
        ("a.b.c.example.com", "example.com"),
        ("EXAMPLE.COM", "example.com"),
        ("example.com.", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("alice.blogspot.com", "alice.blogspot.com"),  # private suffix: one blog, one referrer
        ("someone.github.io", "someone.github.io"),
        ("blog.test", "blog.test"),
        ("www.blog.test", "blog.test"),
        ("b\u00fccher.de", "xn--bcher-kva.de"),
        ("shop.b\u00fccher.de", "xn--bcher-kva.de"),
        ("localhost", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "[::1]"),
        ("co.uk", "co.uk"),  # a bare public suffix stays itself
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize("host", ["", "   ", "exa mple.com", "a..b"])
def test_registrable_domain_rejects_invalid_hosts(host: str) -> None:
    with pytest.raises(ValueError):
        registrable_domain(host)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://WWW.Example.com:8080/a?b#c", "www.example.com"),
        ("http://user:pw@example.com/", "example.com"),
        ("http://b\u00fccher.de/", "xn--bcher-kva.de"),
        ("http://[::1]:8080/", "[::1]"),
        ("/relative/path", ""),
        ("not a url", ""),
        ("http://[::1/", ""),
        ("http://exa mple.com/", ""),
    ],
)
def test_host_of(url: str, expected: str) -> None:
    assert host_of(url) == expected
