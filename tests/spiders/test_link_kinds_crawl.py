"""The other link kinds, the robots.txt flag and the referring address, end to end: real
crawls (`scrapy crawl sites`) of tests/fixtures/webs/linkkinds (its README says what each
site is), once through the local web's proxy, once connecting to each host directly on its
own loopback address.

The labels below are written from the pages, not from a crawl's output.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.report.build import build_report, report_text, summary_text
from linkcrawl.store import open_store
from tests.conftest import scrapy_crawl

WEB = Path(__file__).resolve().parents[1] / "fixtures" / "webs" / "linkkinds"
TARGET = "acme-tools.test"
ACME = "http://acme-tools.test"
STORY = "http://syndicate.test/copies/acme-story.html"
BLOCKED = "robots_blocked:googlebot Disallow: /copies/"
CANONICAL = f"canonical:{ACME}/blog/launch.html"

# (source page, target URL, link kind, anchor text, page flags), one per backlink
EXPECTED = [
    ("http://embeds.test/", f"{ACME}/widget/prices", "iframe", "Acme price widget", []),
    ("http://letters.test/", f"{ACME}/feed.xml", "alternate", "Acme Tools news", []),
    ("http://letters.test/", f"{ACME}/newsletter/subscribe", "form", "", []),
    ("http://letters.test/feed.xml", f"{ACME}/blog/launch.html", "feed",
     "Acme Tools launches the Mk II gauge", []),
    ("http://moved.test/", f"{ACME}/", "meta_refresh", "", []),
    ("http://moved.test/later.html", f"{ACME}/catalog/", "meta_refresh", "", []),
    ("http://syndicate.test/", f"{ACME}/", "a", "Acme Tools", []),
    (STORY, f"{ACME}/blog/launch.html", "a", "originally published by Acme Tools",
     [BLOCKED, CANONICAL]),
    (STORY, f"{ACME}/blog/launch.html", "canonical", "", [BLOCKED, CANONICAL]),
]
EVIDENCE = {"canonical": ["kind:canonical", "syndication:canonical_to_target"],
            "alternate": ["kind:alternate"], "iframe": ["kind:iframe"], "form": ["kind:form"],
            "feed": ["kind:feed"], "meta_refresh": ["kind:meta_refresh"]}
SEEDS = ("http://syndicate.test/,http://embeds.test/,http://letters.test/,"
         "http://moved.test/,http://moved.test/later.html")


def backlinks(uri: str) -> list[dict[str, Any]]:
    with open_store(uri) as store:
        return sorted(store.find("backlinks", {"target_domain": TARGET}),
                      key=lambda b: (b["source_url"], b["link_kind"], b["target_url"]))


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    uri = f"sqlite:///{tmp_path_factory.mktemp('kinds') / 'crawl.db'}"
    with LocalWeb(WEB) as web:
        result = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                              args={"seeds": SEEDS, "targets": TARGET}).check()
    return uri, result.stderr


def test_every_link_kind_is_a_backlink_with_its_kind(proxied: tuple[str, str]) -> None:
    got = [(b["source_url"], b["target_url"], b["link_kind"], b["anchor_text"], b["page_flags"])
           for b in backlinks(proxied[0])]
    assert got == sorted(EXPECTED, key=lambda e: (e[0], e[2], e[1]))


def test_other_kinds_are_typed_other_with_their_evidence(proxied: tuple[str, str]) -> None:
    for b in backlinks(proxied[0]):
        if b["link_kind"] == "a":
            assert b["location"] == "content", b  # both sit in the text of the page
            continue
        assert (b["link_type"], b["location"], b["evidence"]) == (
            "other", "other", EVIDENCE[b["link_kind"]]), b
        assert b["location_evidence"][0] == f"kind:{b['link_kind']}"


def test_through_the_proxy_no_address_is_stored(proxied: tuple[str, str]) -> None:
    with open_store(proxied[0]) as store:
        pages = store.find("pages")
    fetched = {p["url"]: p["address_source"] for p in pages}
    # the refreshing page was never fetched as itself: its body gave way to the redirect
    assert fetched.pop("http://moved.test/") == ""
    assert set(fetched.values()) == {"proxy"}
    assert {(p["ip_address"], p["network"]) for p in pages} == {("", "")}
    assert {(b["source_ip"], b["source_network"]) for b in backlinks(proxied[0])} == {("", "")}


def test_the_summary_counts_the_kinds_apart(proxied: tuple[str, str]) -> None:
    with open_store(proxied[0]) as store:
        text = summary_text(store, [TARGET])
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()
            if line.split() and line.split()[0] in EVIDENCE | {"a": 1}}
    # link kind, backlinks, referring domains
    assert rows == {"a": ["2", "1"], "canonical": ["1", "1"], "alternate": ["1", "1"],
                    "iframe": ["1", "1"], "form": ["1", "1"], "feed": ["1", "1"],
                    "meta_refresh": ["2", "1"]}
    with open_store(proxied[0]) as store:
        head = " ".join(report_text(build_report(store, TARGET)).split("=")[0].split())
    assert ("9 live backlinks (9 followed; 7 of other link kinds: canonical 1, alternate 1, "
            "iframe 1, form 1, feed 1, meta_refresh 2)") in head


def test_a_recheck_finds_every_kind_live_again(proxied: tuple[str, str], tmp_path: Path) -> None:
    """Recheck fetches each source page again: a refresh it follows, a feed and a canonical
    are the same links as before, not lost ones."""
    copy = tmp_path / "recheck.db"
    shutil.copyfile(proxied[0].removeprefix("sqlite:///"), copy)
    uri = f"sqlite:///{copy}"
    with LocalWeb(WEB) as web:
        result = scrapy_crawl("recheck", store_uri=uri, proxy=web.proxy_url,
                              args={"targets": TARGET}).check()
    assert "recheck/verify_refetch" not in result.stderr  # no link even seemed lost
    got = [(b["source_url"], b["link_kind"], b["status"], b["lost_reason"], bool(b["checked_at"]))
           for b in backlinks(uri)]
    assert got == [(e[0], e[2], "live", None, True)
                   for e in sorted(EXPECTED, key=lambda e: (e[0], e[2], e[1]))]


# --- direct connections: each host on its own loopback address --------------------------

ADDRESSES = {"syndicate.test": "127.0.0.1", "embeds.test": "127.0.0.2",
             "letters.test": "127.0.1.1"}


def same_port_servers() -> Iterator[tuple[int, list[LocalWeb]]]:
    """A local web on each of ADDRESSES, all on one port (a URL names one port per host)."""
    for _ in range(20):
        first = LocalWeb(WEB, host="127.0.0.1").start()
        servers = [first]
        try:
            for address in sorted(set(ADDRESSES.values()) - {"127.0.0.1"}):
                servers.append(LocalWeb(WEB, host=address, port=first.port).start())
        except OSError:  # the port is taken on another address: try another
            for server in servers:
                server.stop()
            continue
        yield first.port, servers
        return
    raise RuntimeError("no port free on every loopback address")


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    uri = f"sqlite:///{tmp_path_factory.mktemp('direct') / 'crawl.db'}"
    for port, servers in same_port_servers():
        try:
            seeds = ",".join(f"http://{host}:{port}/" for host in ADDRESSES)
            scrapy_crawl(
                "sites", store_uri=uri, proxy=None, args={"seeds": seeds, "targets": TARGET},
                settings={"LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True,
                          "TWISTED_DNS_RESOLVER": "tests.spiders.mapped_resolver.MappedResolver"},
                env={"MAPPED_HOSTS": ",".join(f"{h}={a}" for h, a in ADDRESSES.items()),
                     "http_proxy": "", "https_proxy": "", "HTTP_PROXY": "", "HTTPS_PROXY": ""},
            ).check()
            assert all(server.requests for server in servers)  # each address was reached
        finally:
            for server in servers:
                server.stop()
        yield uri, port


def test_each_page_carries_the_address_it_was_fetched_from(direct: tuple[str, int]) -> None:
    uri, port = direct
    with open_store(uri) as store:
        pages = store.find("pages")
    got = {(p["host"], p["ip_address"], p["network"], p["address_source"]) for p in pages
           if not p["error"]}
    # the feed's absolute link to issue 1 names no port: nothing listens there, and a failed
    # fetch has no address to tell
    assert [(p["url"], p["ip_address"], p["address_source"]) for p in pages if p["error"]] == [
        ("http://letters.test/issue-1.html", "", "")]
    assert got == {
        ("syndicate.test", "127.0.0.1", "127.0.0.0/24", "connection"),
        ("embeds.test", "127.0.0.2", "127.0.0.0/24", "connection"),
        ("letters.test", "127.0.1.1", "127.0.1.0/24", "connection"),
    }
    assert {p["url"] for p in pages} >= {f"http://syndicate.test:{port}/copies/acme-story.html",
                                         f"http://letters.test:{port}/feed.xml"}


def test_backlinks_carry_their_page_address_and_the_report_counts_networks(
        direct: tuple[str, int]) -> None:
    uri, _ = direct
    got = [(b["source_host"], b["link_kind"], b["source_ip"], b["source_network"])
           for b in backlinks(uri)]
    assert sorted(got) == sorted([
        ("embeds.test", "iframe", "127.0.0.2", "127.0.0.0/24"),
        ("letters.test", "alternate", "127.0.1.1", "127.0.1.0/24"),
        ("letters.test", "form", "127.0.1.1", "127.0.1.0/24"),
        ("letters.test", "feed", "127.0.1.1", "127.0.1.0/24"),
        ("syndicate.test", "a", "127.0.0.1", "127.0.0.0/24"),
        ("syndicate.test", "a", "127.0.0.1", "127.0.0.0/24"),
        ("syndicate.test", "canonical", "127.0.0.1", "127.0.0.0/24"),
    ])
    story = [b for b in backlinks(uri) if b["source_url"].endswith("/copies/acme-story.html")]
    assert {tuple(b["page_flags"]) for b in story} == {(BLOCKED, CANONICAL)}
    with open_store(uri) as store:
        diversity = build_report(store, TARGET).diversity()
    assert diversity["network"] == [{"network": "127.0.0.0/24", "referring_domains": 2},
                                    {"network": "127.0.1.0/24", "referring_domains": 1}]


def test_loopback_aliases_are_usable() -> None:
    """The direct crawl needs 127.0.1.1 to be this machine (Linux routes all of 127/8 here)."""
    with socket.socket() as sock:
        sock.bind(("127.0.1.1", 0))
        assert sock.getsockname()[0] == "127.0.1.1"
