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
