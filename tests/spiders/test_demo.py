"""Each source spider over the demo web with its seed file from data/seeds/.

Expected backlinks and link types come from data/demo-web/ground_truth.json (hand-labelled):
a source spider must find exactly the ground-truth backlinks of its source's host.
"""

from __future__ import annotations

from typing import Any

import pytest

from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, scrapy_crawl


@pytest.mark.parametrize(
    ("spider", "host"),
    [("directories", "bizdirectory.test"), ("forums", "makersforum.test"),
     ("wires", "newswire.test")],
)
def test_source_spider_finds_its_ground_truth(
    spider: str, host: str, demo_web: Any, ground_truth: dict[str, Any], tmp_path
) -> None:
    uri = f"sqlite:///{tmp_path / 'demo.db'}"
    scrapy_crawl(
        spider,
        store_uri=uri,
        proxy=demo_web.proxy_url,
        args={"seeds_file": str(REPO / "data" / "seeds" / f"{spider}.txt"),
              "targets": ",".join(DEMO_TARGETS)},
    ).check()
    expected = {
        (b["source_url"], b["target_url"], b["anchor_text"]): b["link_type"]
        for b in ground_truth["backlinks"]
        if b["source_url"].split("/")[2] == host
    }
    with open_store(uri) as store:
        found = {
            (d["source_url"], d["target_url"], d["anchor_text"]): d["link_type"]
            for d in store.find("backlinks")
        }
    assert expected, host
    assert found == expected
