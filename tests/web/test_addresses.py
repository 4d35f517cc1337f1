"""The address guard: a crawl of the public web never reaches loopback, private, link-local
or metadata addresses — not by a literal IP, not by a name, not after a redirect.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.test import get_crawler

from linkcrawl.crawl.middlewares import AddressGuardMiddleware
from linkcrawl.crawl.settings import DOWNLOADER_MIDDLEWARES
from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from linkcrawl.web.addresses import host_refusal, is_forbidden_address
from tests.conftest import scrapy_crawl


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata (AWS, GCP, Azure, OpenStack)
        ("100.100.100.200", True),  # Alibaba Cloud metadata, in 100.64.0.0/10
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("192.0.2.10", True),  # documentation range
        ("::1", True),
        ("::", True),
        ("fe80::1%eth0", True),
        ("fd00:ec2::254", True),  # AWS metadata over IPv6
        ("::ffff:127.0.0.1", True),  # IPv4-mapped loopback
        ("::ffff:169.254.169.254", True),
        ("not an address", True),
        # issue 16 item 12: IPv4 carried inside IPv6, tunnels, deprecated ranges
        ("2002:7f00:1::1", True),  # 6to4 around 127.0.0.1
        ("2002:a00:1::1", True),  # 6to4 around 10.0.0.1
        ("2002:c0a8:101::1", True),  # 6to4 around 192.168.1.1
        ("2002:a9fe:a9fe::1", True),  # 6to4 around 169.254.169.254
        ("2002:808:808::1", True),  # 6to4 around a public address: deprecated, refused too
        ("64:ff9b::7f00:1", True),  # NAT64 around 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 around 10.0.0.1
        ("64:ff9b::c0a8:101", True),  # NAT64 around 192.168.1.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 around the metadata address
        ("64:ff9b:1::a00:1", True),  # local-use NAT64 prefix
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
        ("2001::1", True),  # Teredo prefix
        ("fec0::1", True),  # deprecated site-local
        ("feff:ffff::1", True),  # site-local, top of the range
        ("fc00::1", True),  # unique local
        ("fd12:3456::1", True),
        ("ff02::1", True),  # multicast
        ("::7f00:1", True),  # IPv4-compatible (deprecated) 127.0.0.1
        ("::ffff:0:7f00:1", True),  # IPv4-translated 127.0.0.1
        ("::ffff:10.0.0.1", True),
        ("100::1", True),  # discard-only
        ("2001:db8::1", True),  # documentation
        ("198.18.0.1", True),  # benchmarking
        ("240.0.0.1", True),  # reserved
        ("255.255.255.255", True),
        ("0.1.2.3", True),
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
        ("::ffff:8.8.8.8", False),
        ("64:ff9b::808:808", False),  # NAT64 to a public address: how IPv6-only networks reach it
        ("2a00:1450:4001:800::200e", False),
    ],
)
def test_forbidden_addresses(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(address) is forbidden


@pytest.mark.parametrize(
    ("host", "clean"),
    [
        ("example.com", True),
        ("www.example.co.uk", True),
        ("a_b.example", True),  # underscores occur in real host names
        ("xn--exmple-cua.com", True),
        ("exämple.com", True),  # IDNA-encodable
        ("127.0.0.1", True),  # canonical literals are judged as addresses
        ("::1", True),
        ("2002:7f00:1::1", True),
        ("", False),
        ("%31%32%37.0.0.1", False),  # percent-encoded 127.0.0.1
        ("ex%61mple.com", False),
        ("127.0.0.1%00.example", False),
        ("0x7f.1", False),  # 127.0.0.1 to getaddrinfo
        ("0x7f000001", False),
        ("2130706433", False),
        ("017700000001", False),  # octal
        ("127.1", False),
        ("127.000.000.001", False),
        ("1.2.3.4.5", False),
        ("example.123", False),  # a numeric last label is an IPv4 literal to browsers
        ("a" * 70 + ".com", False),  # a label over 63 characters
        ("foo..bar", False),
        ("-foo.example", False),
        ("foo bar.example", False),
        ("foo\\bar.example", False),
        ("x" * 254, False),
        ("::1::2", False),
        ("localhost", False),
        ("app.localhost", False),
        ("localhost.example.com", True),
    ],
)
def test_host_refusal(host: str, clean: bool) -> None:
    assert (host_refusal(host) == "") is clean


class GuardSpider(Spider):
    name = "guard"


def guard(allow: bool = False) -> tuple[AddressGuardMiddleware, dict]:
    crawler = get_crawler(GuardSpider, {"LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": allow})
    assert crawler.stats is not None
    return AddressGuardMiddleware.from_crawler(crawler), crawler.stats.get_stats()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.5:8080/admin",
        "http://192.168.0.1/",
        "http://localhost:6379/",  # a name that resolves to loopback (/etc/hosts)
        "http://LOCALHOST./",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # 127.0.0.1 in hex shorthand
        "http://user:pw@127.0.0.1/",
        "http://%31%32%37.0.0.1/",  # percent-encoded: stored as 127.0.0.1 if let through
        "http://%6c%6f%63%61%6c%68%6f%73%74/",  # localhost, percent-encoded
        "http://127.1/",
        "http://017700000001/",
        "http://[2002:7f00:1::1]/",  # 6to4
        "http://[64:ff9b::7f00:1]/",  # NAT64
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
        "http://[fec0::1]/",  # site-local
        "http://[fe80::1%25eth0]/",  # link-local with a zone
        "http://localtest.localhost/",  # *.localhost is loopback to many resolvers
        "file:///etc/passwd",  # a redirect to a local file: no host, refused
        "ftp://127.0.0.1/",
        "https://[::ffff:7f00:1]:8443/",  # mapped loopback in hex groups
        "http://[::]/",
        "http://0.0.0.0:8080/",
    ],
)
def test_guard_refuses_inward_urls(url: str) -> None:
    middleware, stats = guard()
    with pytest.raises(IgnoreRequest, match="address guard"):
        asyncio.run(middleware.process_request(Request(url)))
    assert stats["address_guard/refused"] == 1


@pytest.mark.parametrize("url", ["http://93.184.216.34/", "http://[2606:4700:4700::1111]/"])
def test_guard_lets_public_addresses_through(url: str) -> None:
    middleware, stats = guard()
    assert asyncio.run(middleware.process_request(Request(url))) is None
    assert "address_guard/refused" not in stats


def test_guard_is_not_configured_when_private_addresses_are_allowed() -> None:
    with pytest.raises(NotConfigured):
        guard(allow=True)


def test_guard_refuses_names_the_resolver_cannot_encode() -> None:
    middleware, _ = guard()
    # a 70-character label is not a valid DNS name: refused with a reason, no exception
    with pytest.raises(IgnoreRequest, match="does not encode as a DNS name"):
        asyncio.run(middleware.process_request(Request(f"http://{'a' * 70}.com/")))


def test_an_unresolvable_name_is_looked_up_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that does not resolve at first and resolves inward later (issue 16 item 11):
    "unresolvable" is not remembered as "allowed"."""
    answers: list[list[str] | None] = [None, ["127.0.0.2"]]
    lookups: list[str] = []

    def resolve(host: str) -> list[str]:
        lookups.append(host)
        answer = answers.pop(0)
        if answer is None:
            raise OSError("Name or service not known")
        return answer

    monkeypatch.setattr("linkcrawl.crawl.middlewares.resolve_host", resolve)
    middleware, stats = guard()
    assert asyncio.run(middleware.process_request(Request("http://later.test/a"))) is None
    with pytest.raises(IgnoreRequest, match=r"127\.0\.0\.2"):
        asyncio.run(middleware.process_request(Request("http://later.test/b")))
    # a settled refusal is remembered: no third look-up
    with pytest.raises(IgnoreRequest, match=r"127\.0\.0\.2"):
        asyncio.run(middleware.process_request(Request("http://later.test/c")))
    assert lookups == ["later.test", "later.test"]
    assert stats["address_guard/refused"] == 2


def test_the_connection_is_guarded_without_the_middleware(tmp_path: Path) -> None:
    """The resolver Twisted connects with drops non-public addresses by itself: with the
    middleware switched off, a loopback seed is still never reached (issue 16 item 11)."""
    web_root = tmp_path / "web"
    (web_root / "127.0.0.1").mkdir(parents=True)
    (web_root / "127.0.0.1" / "index.html").write_text("<a href='/x'>x</a>", encoding="utf-8")
    (web_root / "localhost").mkdir(parents=True)
    (web_root / "localhost" / "index.html").write_text("<a href='/y'>y</a>", encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'resolver.db'}"
    with LocalWeb(web_root) as web:
        result = scrapy_crawl(
            "sites", store_uri=uri, proxy=None,
            args={"seeds": f"http://127.0.0.1:{web.port}/ http://localhost:{web.port}/",
                  "targets": "acme.test"},
            settings={"RETRY_ENABLED": False, "DOWNLOADER_MIDDLEWARES": json.dumps(
                {**DOWNLOADER_MIDDLEWARES,
                 "linkcrawl.crawl.middlewares.AddressGuardMiddleware": None})}).check()
        fetched = list(web.requests)
    assert fetched == [], "a connection reached loopback"
    assert "address guard: not connecting to 127.0.0.1" in result.stderr
    assert "address guard: not connecting to localhost" in result.stderr
    with open_store(uri) as store:
        pages = store.find("pages")
        stats = store.find("runs")[0]["stats"]
    assert len(pages) == 2 and all(p["error"] for p in pages)
    assert "address_guard/refused" not in stats  # the middleware really was off


def test_crawl_of_a_loopback_seed_fetches_nothing(tmp_path: Path) -> None:
    web_root = tmp_path / "web"
    (web_root / "127.0.0.1").mkdir(parents=True)
    (web_root / "127.0.0.1" / "index.html").write_text("<a href='/x'>x</a>", encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'guard.db'}"
    with LocalWeb(web_root) as web:
        scrapy_crawl("sites", store_uri=uri, proxy=None,
                     args={"seeds": f"http://127.0.0.1:{web.port}/", "targets": "acme.test"},
                     settings={"RETRY_ENABLED": False}).check()
        fetched = list(web.requests)
    assert fetched == [], "the guard let a request reach loopback"
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
        pages = store.find("pages")
    assert stats["address_guard/refused"] >= 1
    assert [p["error"] for p in pages] == [
        "address guard: 127.0.0.1 resolves to non-public address 127.0.0.1 (loopback)"
    ]


def test_redirect_to_loopback_is_refused(tmp_path: Path) -> None:
    """A public-looking site (served through the proxy; its name does not resolve, so the
    guard lets it through) redirects to the loopback address: that request is refused."""
    web_root = tmp_path / "web"
    site = web_root / "redirector.test"
    site.mkdir(parents=True)
    (site / "index.html").write_text("never served", encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'redirect.db'}"
    with LocalWeb(web_root) as web:
        port = web.port
        (site / "_site.json").write_text(json.dumps(
            {"redirects": {"/": [f"http://127.0.0.1:{port}/secret", 302]}}
        ), encoding="utf-8")
        result = scrapy_crawl(
            "sites", store_uri=uri, proxy=web.proxy_url,
            args={"seeds": "http://redirector.test/", "targets": "acme.test"},
            settings={"LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": False, "RETRY_ENABLED": False},
        ).check()
        fetched = [(host, path) for host, path, _ in web.requests]
    assert ("redirector.test", "/") in fetched, result.stderr[-2000:]
    assert [p for _, p in fetched if p.startswith("/secret")] == [], "redirect followed inward"
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
    # the redirect target and its host's robots.txt
    assert stats["address_guard/refused"] >= 1
    assert stats["downloader/response_status_count/302"] == 1
    assert f"refused http://127.0.0.1:{port}/secret" in result.stderr
