"""What a stored backlink says about the page it sits on: the page flags, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkcrawl.history.documents import backlink_doc, page_flags
from linkcrawl.items import LinkItem, PageItem

URL = "http://blog.test/post"


@pytest.mark.parametrize(("fields", "flags"), [
    ({}, []),
    ({"meta_robots": ["noindex", "follow"]}, ["noindex"]),
    ({"x_robots": ["none"]}, ["noindex"]),
    ({"canonical": "http://news.test/original"}, ["canonical:http://news.test/original"]),
    ({"canonical": "HTTP://BLOG.TEST/post"}, []),  # names itself, spelt differently
    ({"final_url": "http://blog.test/new-post"}, ["redirected:http://blog.test/new-post"]),
    ({"final_url": URL + "#top"}, []),  # the same page
    ({"outlink_count": 300}, []),
    ({"outlink_count": 301}, ["many_outlinks:301"]),
    ({"meta_robots": ["noindex"], "canonical": "http://news.test/a", "outlink_count": 900},
     ["noindex", "canonical:http://news.test/a", "many_outlinks:900"]),
])
def test_page_flags(fields: dict, flags: list[str]) -> None:
    page = PageItem(url=URL, final_url=fields.pop("final_url", URL), **fields)
    assert page_flags(page) == flags


def test_a_backlink_document_carries_its_page_flags() -> None:
    page = PageItem(url=URL, final_url=URL, host="blog.test", domain="blog.test",
                    meta_robots=["noindex"])
    link = LinkItem(source_url=URL, href="http://acme.test/", url="http://acme.test/",
                    normalized_url="http://acme.test/")
    doc = backlink_doc(page, link, "run-1", datetime(2026, 1, 1, tzinfo=UTC))
    assert doc["page_flags"] == ["noindex"]
    assert backlink_doc(page, link, "run-1", datetime(2026, 1, 1, tzinfo=UTC),
                        flags=[])["page_flags"] == []


@pytest.mark.parametrize(("density", "links", "flags"), [
    (0.0, 0, []),
    (0.35, 12, []),  # a paragraph with a few links
    (0.95, 4, []),  # a short menu: few links
    (0.8, 5, ["dense_link_block:0.80/5"]),
    (1.0, 40, ["dense_link_block:1.00/40"]),
])
def test_a_link_in_a_dense_link_block_is_flagged(density: float, links: int,
                                                 flags: list[str]) -> None:
    page = PageItem(url=URL, final_url=URL, host="blog.test", domain="blog.test",
                    meta_robots=["noindex"])
    link = LinkItem(source_url=URL, href="http://acme.test/", url="http://acme.test/",
                    normalized_url="http://acme.test/", block_link_density=density,
                    block_links=links)
    doc = backlink_doc(page, link, "run-1", datetime(2026, 1, 1, tzinfo=UTC))
    assert doc["page_flags"] == ["noindex", *flags]
    assert (doc["block_link_density"], doc["block_links"]) == (density, links)
