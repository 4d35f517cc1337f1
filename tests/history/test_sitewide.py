"""Sitewide grouping of repeated links."""

from __future__ import annotations

from linkcrawl.history.sitewide import placement_docs, placements


def link(url: str, anchor: str = "Acme", location: str = "footer", status: str = "live",
         target: str = "http://acme.test/") -> dict:
    return {"key": url + anchor + location, "source_url": url,
            "source_domain": url.split("/")[2], "target_url": target, "anchor_text": anchor,
            "location": location, "status": status, "first_seen": None}


LINKS = [
    link("http://blog.test/a/long/post"), link("http://blog.test/"), link("http://blog.test/b"),
    link("http://blog.test/c", anchor="ACME "),  # same anchor, other case and spacing
    link("http://blog.test/old", status="lost"),  # lost links are not placements
    link("http://blog.test/a/long/post", anchor="Acme review", location="content"),
    link("http://news.test/1"), link("http://news.test/2"),  # two pages: not sitewide
]


def test_groups_by_domain_target_anchor_and_location() -> None:
    groups = placements(LINKS)
    assert [(p.referring_domain, p.anchor_text, p.location, p.pages) for p in groups] == [
        ("blog.test", "Acme", "footer", 4),
        ("news.test", "Acme", "footer", 2),
        ("blog.test", "Acme review", "content", 1),
    ]
    assert groups[0].representative_url == "http://blog.test/"
    assert len(groups[0].keys) == 4


def test_sitewide_needs_three_pages() -> None:
    rows = placement_docs(LINKS, min_pages=3)
    assert [(r["source_domain"], r["page_count"]) for r in rows if r["sitewide"]] == [
        ("blog.test", 4)]


def test_sitewide_threshold_is_the_one_given() -> None:
    rows = placement_docs(LINKS, min_pages=5)
    assert [r for r in rows if r["sitewide"]] == []
    rows = placement_docs(LINKS, min_pages=2)
    assert sorted(r["source_domain"] for r in rows if r["sitewide"]) == ["blog.test", "news.test"]
