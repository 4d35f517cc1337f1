"""Credentials in URIs never reach the log, the stats, the run record or a report."""

from __future__ import annotations

import logging
from pathlib import Path

import mongomock_ng
import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

import pipelines.store as store_pipeline
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.ops.logmask import MaskFilter, mask_text
from linkcrawl.store import MongoStore, open_store
from tests.conftest import REPO, linkcrawl_cli, scrapy_crawl

SECRET = "s3cr3t-Pw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mongodb://bob:pw@db:27017/x", "mongodb://bob:***@db:27017/x"),
        ("{'LINKCRAWL_STORE_URI': 'mongodb+srv://bob:p@ss/w@c.example.net/x'}",
         "{'LINKCRAWL_STORE_URI': 'mongodb+srv://bob:***@c.example.net/x'}"),
        ("proxy http://u:p@127.0.0.1:8080 and redis://:pw@r:6379/0",
         "proxy http://u:***@127.0.0.1:8080 and redis://:***@r:6379/0"),
        ("mongodb://db/x?authSource=a&password=pw&w=1", "mongodb://db/x?authSource=a&password=***&w=1"),
        ("mongodb://bob@db/x", "mongodb://bob@db/x"),
        ("http://example.com/a:b@c", "http://example.com/a:b@c"),
        ("no uri: a:b@c", "no uri: a:b@c"),
    ],
)
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_filter_masks_formatted_records() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Overridden settings:\n%(s)s",
                               ({"s": {"LINKCRAWL_STORE_URI": f"mongodb://u:{SECRET}@h/d"}},),
                               None)
    assert MaskFilter().filter(record)
    assert SECRET not in record.getMessage() and "u:***@h" in record.getMessage()


def test_crawl_log_stats_and_run_record_hold_no_password(demo_web, tmp_path: Path) -> None:
    """A proxy URL with credentials given with -s (the local web ignores
    Proxy-Authorization) and a store URI: neither password shows anywhere."""
    uri = f"sqlite:///{tmp_path / 'mask.db'}"
    proxy = demo_web.proxy_url.replace("http://", f"http://bob:{SECRET}@")
    result = scrapy_crawl(
        "sites", store_uri=uri, proxy=None,
        args={"seeds": "http://widgetweekly.test/", "targets": "acme-widgets.test",
              "max_pages": "3"},
        settings={"LINKCRAWL_HTTP_PROXY": proxy, "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True},
    ).check()
    assert "Overridden settings" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    with open_store(uri) as store:
        runs = store.find("runs")
        assert store.count("pages") > 0  # the crawl went through the proxy with its login
    assert SECRET not in repr(runs)
    report = linkcrawl_cli("report", "--target", "acme-widgets.test", "--store", uri, cwd=REPO)
    assert report.returncode == 0 and SECRET not in report.stdout + report.stderr


class MaskSpider(Spider):
    name = "mask"


def test_store_pipeline_logs_and_records_only_the_masked_store_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    uri = f"mongodb://bob:{SECRET}@db.example.net/linkcrawl"
    store = MongoStore(mongomock_ng.MongoClient(tz_aware=True), "linkcrawl", uri, secret=SECRET)
    store.close = lambda: None  # type: ignore[method-assign]
    monkeypatch.setattr(store_pipeline, "open_store", lambda _uri, **options: store)
    crawler = get_crawler(MaskSpider, {"LINKCRAWL_STORE_URI": uri,
                                       "LINKCRAWL_SPILL_DIR": str(tmp_path)})
    pipeline = store_pipeline.StorePipeline(crawler)
    caplog.set_level(logging.INFO)
    pipeline.open_spider(MaskSpider())
    link = LinkItem(source_url="http://b.test/", href="http://a.test/", url="http://a.test/",
                    normalized_url="http://a.test/", target_domain="a.test",
                    source_domain="b.test")
    pipeline.process_item(PageItem(url="http://b.test/", host="b.test", domain="b.test",
                                   links=[link]))
    pipeline.close_blocking()  # what close_spider runs on a thread
    assert "bob:***@db.example.net" in caplog.text
    assert SECRET not in caplog.text
    runs = store.find("runs")
    assert runs[0]["store_uri"] == "mongodb://bob:***@db.example.net/linkcrawl"
    assert SECRET not in repr(runs)
