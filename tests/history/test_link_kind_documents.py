"""What a page's address, its robots.txt verdict and its links of other kinds make of the
stored documents, on every contract store (SQLite, mongomock), and the report's network
table read back from them."""

from __future__ import annotations

from datetime import UTC, datetime

from linkcrawl.history.documents import backlink_doc, page_doc, page_flags
from linkcrawl.history.sightings import write_batch
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.keys import backlink_key
from linkcrawl.report.build import build_report
from linkcrawl.store import Store
from tests.store.test_contract import store  # noqa: F401  (fixture)

SEEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TARGET = "acme.test"


def page(url: str, domain: str, ip: str, network: str, source: str = "connection",
         robots: str = "") -> PageItem:
    return PageItem(url=url, final_url=url, status=200, host=url.split("/")[2], domain=domain,
                    fetched_at=SEEN, ip_address=ip, network=network, address_source=source,
                    robots_rule=robots, language="en")


def link(p: PageItem, target: str, anchor: str, kind: str = "a") -> LinkItem:
    return LinkItem(source_url=p.url, href=target, url=target, anchor_text=anchor,
                    normalized_url=target, target_host=TARGET, target_domain=TARGET,
                    source_host=p.host, source_domain=p.domain, link_kind=kind,
                    tag="a" if kind == "a" else "link", location="content", link_type="other")


def crawl(opened: Store) -> None:
    copy = page("http://copies.test/story", "copies.test", "203.0.113.5", "203.0.113.0/24",
                robots="googlebot Disallow: /story")
    embed = page("http://embeds.test/", "embeds.test", "203.0.113.90", "203.0.113.0/24")
    far = page("http://far.test/", "far.test", "2001:db8:7::1", "2001:db8:7::/48")
    proxied = page("http://via-proxy.test/", "via-proxy.test", "", "", source="proxy")
    links = [(copy, link(copy, "http://acme.test/story", "")),
             (copy, link(copy, "http://acme.test/story", "", "canonical")),
             (embed, link(embed, "http://acme.test/widget", "", "iframe")),
             (far, link(far, "http://acme.test/", "Acme")),
             (proxied, link(proxied, "http://acme.test/", "Acme"))]
    pages = [copy, embed, far, proxied]
    write_batch(opened, [page_doc(p, "run-1") for p in pages],
                [backlink_doc(p, k, "run-1", SEEN) for p, k in links], [])
    opened.refresh_referring_domains()


def test_addresses_kinds_and_the_robots_flag_are_stored(store: Store) -> None:  # noqa: F811
    crawl(store)
    pages = {d["url"]: d for d in store.find("pages")}
    assert [(u, d["ip_address"], d["network"], d["address_source"])
            for u, d in sorted(pages.items())] == [
        ("http://copies.test/story", "203.0.113.5", "203.0.113.0/24", "connection"),
        ("http://embeds.test/", "203.0.113.90", "203.0.113.0/24", "connection"),
        ("http://far.test/", "2001:db8:7::1", "2001:db8:7::/48", "connection"),
        ("http://via-proxy.test/", "", "", "proxy"),
    ]
    got = sorted((d["source_url"], d["link_kind"], d["source_ip"], d["source_network"],
                  d["page_flags"]) for d in store.find("backlinks"))
    assert got == [
        ("http://copies.test/story", "a", "203.0.113.5", "203.0.113.0/24",
         ["robots_blocked:googlebot Disallow: /story"]),
        ("http://copies.test/story", "canonical", "203.0.113.5", "203.0.113.0/24",
         ["robots_blocked:googlebot Disallow: /story"]),
        ("http://embeds.test/", "iframe", "203.0.113.90", "203.0.113.0/24", []),
        ("http://far.test/", "a", "2001:db8:7::1", "2001:db8:7::/48", []),
        ("http://via-proxy.test/", "a", "", "", []),
    ]
    # the anchor and the canonical share target and (empty) anchor: two documents, and the
    # anchor's key is the key it always had
    keys = {d["link_kind"]: d["key"] for d in store.find("backlinks",
                                                         {"source_url": "http://copies.test/story"})}
    assert keys["a"] == backlink_key("http://copies.test/story", "http://acme.test/story", "")
    assert keys["canonical"] != keys["a"]


def test_the_network_table_counts_referring_domains_per_network(store: Store) -> None:  # noqa: F811
    crawl(store)
    diversity = build_report(store, TARGET, now=SEEN).diversity()
    assert diversity["network"] == [
        {"network": "203.0.113.0/24", "referring_domains": 2},
        {"network": "2001:db8:7::/48", "referring_domains": 1},
        {"network": "unknown", "referring_domains": 1},
    ]
    # the same row shape as the TLD table
    assert {tuple(r) for r in diversity["tld"]} == {("tld", "referring_domains")}


def test_page_flags_name_the_robots_rule_first_after_noindex() -> None:
    p = page("http://copies.test/story", "copies.test", "", "", robots="* Disallow: /")
    p.meta_robots = ["noindex"]
    assert page_flags(p) == ["noindex", "robots_blocked:* Disallow: /"]
    assert page_flags(page("http://copies.test/story", "copies.test", "", "")) == []
