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
from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from linkcrawl.web.addresses import is_forbidden_address
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
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
        ("::ffff:8.8.8.8", False),
    ],
)
def test_forbidden_addresses(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(address) is forbidden


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


def test_guard_survives_names_the_resolver_cannot_encode() -> None:
    middleware, _ = guard()
    # a 70-character label is not a valid DNS name: no exception, the downloader reports it
    assert asyncio.run(middleware.process_request(Request(f"http://{'a' * 70}.com/"))) is None


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
        "address guard: 127.0.0.1 resolves to non-public address 127.0.0.1"
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
