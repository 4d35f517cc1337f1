"""The seen-set duplicate filter: same answers as Scrapy's, JOBDIR resume, and the add-on
that picks it unless the project or distributed mode chose another filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from linkcrawl.crawl.dupefilter import DUPEFILTER, SeenSetDupeFilter, SeenSetsAddon
from linkcrawl.navigate.seen import BloomSet, ExactSet

URLS = ["http://a.test/", "http://a.test/", "http://a.test/?b=2&a=1", "http://a.test/?a=1&b=2",
        "http://a.test/x#frag", "http://a.test/x", "http://b.test/"]


@pytest.mark.parametrize("kind", ["bloom", "exact"])
def test_same_verdicts_as_scrapy(kind: str) -> None:
    ours, scrapys = SeenSetDupeFilter(kind=kind), RFPDupeFilter()
    got = [ours.request_seen(Request(u)) for u in URLS]
    assert got == [scrapys.request_seen(Request(u)) for u in URLS]
    assert got == [False, True, False, True, False, True, False]


def test_jobdir_resume(tmp_path: Path) -> None:
    first = SeenSetDupeFilter(str(tmp_path))
    assert not first.request_seen(Request("http://a.test/1"))
    assert not first.request_seen(Request("http://a.test/2"))
    first.close("shutdown")
    again = SeenSetDupeFilter(str(tmp_path))  # reads requests.seen back
    assert again.request_seen(Request("http://a.test/1"))
    assert again.request_seen(Request("http://a.test/2"))
    assert not again.request_seen(Request("http://a.test/3"))
    again.close("finished")
    scrapys = RFPDupeFilter(str(tmp_path))  # the file stays in Scrapy's own format
    assert scrapys.request_seen(Request("http://a.test/3"))


@pytest.mark.parametrize(("kind", "cls"), [("bloom", BloomSet), ("exact", ExactSet)])
def test_from_crawler_reads_the_setting(kind: str, cls: type) -> None:
    crawler = get_crawler(settings_dict={"LINKCRAWL_SEEN_SETS": kind})
    assert isinstance(SeenSetDupeFilter.from_crawler(crawler).seen, cls)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, DUPEFILTER),
        ({"DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter"},
         "scrapy.dupefilters.BaseDupeFilter"),
        ({"LINKCRAWL_REDIS_URL": "redis://127.0.0.1:1/0"}, "scrapy.dupefilters.RFPDupeFilter"),
    ],
)
def test_addon(given: dict[str, str], expected: str) -> None:
    settings = Settings()
    settings.setdict(given, priority="project")
    SeenSetsAddon().update_settings(settings)
    assert settings.get("DUPEFILTER_CLASS") == expected
