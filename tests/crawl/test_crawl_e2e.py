"""The foundation end to end: `scrapy crawl sites` over the demo web into SQLite.

Expected backlinks come from data/demo-web/ground_truth.json, written by hand from what
each page is; nothing here is derived from linkcrawl's own output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, CrawlResult, scrapy_crawl

SEEDS = REPO / "data" / "seeds" / "demo.txt"


def crawl_demo(web: Any, store_uri: str, workers: int = 0) -> CrawlResult:
    return scrapy_crawl(
        "sites",
        store_uri=store_uri,
        proxy=web.proxy_url,
        args={"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)},
        settings={"LINKCRAWL_ANALYSIS_WORKERS": workers},
    ).check()


def site_of(url: str) -> str:
    """Registrable domain of a .test URL, computed independently of linkcrawl."""
    host = url.split("://", 1)[1].split("/", 1)[0].split(":")[0].lower()
    return ".".join(host.split(".")[-2:])


# Every check runs on a crawl that analyses pages in the crawl process and on one that hands
# them to a worker process (LINKCRAWL_ANALYSIS_WORKERS): both must store the same truth.
@pytest.fixture(scope="module", params=[0, 1], ids=["in-process", "worker"])
def crawled(demo_web: Any, tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> tuple[str, CrawlResult]:
    uri = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.db'}"
    return uri, crawl_demo(demo_web, uri, workers=request.param)


def _key(doc: dict[str, Any]) -> tuple[str, str, str]:
    return doc["source_url"], doc["target_url"], doc["anchor_text"]


def test_finds_exactly_the_ground_truth_backlinks(crawled, ground_truth) -> None:
    uri, _ = crawled
    with open_store(uri) as store:
        found = {_key(d) for d in store.find("backlinks")}
    expected = {_key(b) for b in ground_truth["backlinks"]}
    assert sorted(expected - found) == [], "missed"
    assert sorted(found - expected) == [], "unexpected"


def test_referring_domains_match_ground_truth(crawled, ground_truth) -> None:
    uri, _ = crawled
    expected: dict[tuple[str, str], int] = {}
    for b in ground_truth["backlinks"]:
        pair = (site_of(b["target_url"]), site_of(b["source_url"]))
        expected[pair] = expected.get(pair, 0) + 1
    with open_store(uri) as store:
        rows = store.find("referring_domains")
    found = {(r["target_domain"], r["referring_domain"]): r["backlinks"] for r in rows}
    assert found == expected


def test_follow_flags_match_ground_truth(crawled, ground_truth) -> None:
    uri, _ = crawled
    with open_store(uri) as store:
        follow = {_key(d): d["follow"] for d in store.find("backlinks")}
    wrong = [b for b in ground_truth["backlinks"] if follow.get(_key(b)) != b["follow"]]
    assert wrong == []


def test_every_backlink_is_classified_with_evidence(crawled) -> None:
    uri, _ = crawled
    with open_store(uri) as store:
        docs = store.find("backlinks")
    assert docs
    for doc in docs:
        assert doc["link_type"], doc
        assert doc["evidence"], doc
        assert 0 < doc["confidence"] <= 1, doc
        assert doc["location_evidence"], doc


@pytest.fixture(scope="module")
def crawled_rules(demo_web: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo crawl with the rules alone deciding location (LINKCRAWL_LOCATION_MODEL off)."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('e2e-rules') / 'demo.db'}"
    scrapy_crawl("sites", store_uri=uri, proxy=demo_web.proxy_url,
                 args={"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)},
                 settings={"LINKCRAWL_LOCATION_MODEL": False}).check()
    return uri


def test_locations_by_the_rules_match_ground_truth(crawled_rules, ground_truth) -> None:
    with open_store(crawled_rules) as store:
        got = {_key(d): d["location"] for d in store.find("backlinks")}
    wrong = [(b["source_url"], b["anchor_text"], b["location"], got.get(_key(b)))
             for b in ground_truth["backlinks"] if got.get(_key(b)) != b["location"]]
    assert wrong == []


def test_the_default_crawl_locates_with_the_model(crawled) -> None:
    """The model decides content or not in a default crawl (its agreement with the demo
    web's hand labels is measured by benchmarks/type_eval.py --demo, not fixed here)."""
    uri, _ = crawled
    with open_store(uri) as store:
        docs = store.find("backlinks")
    assert docs and all(any(e.startswith("model:") for e in d["location_evidence"])
                        for d in docs)


@pytest.mark.parametrize("field", ["link_type"])
def test_types_and_locations_match_ground_truth(crawled, ground_truth, field: str) -> None:
    uri, _ = crawled
    with open_store(uri) as store:
        got = {_key(d): d[field] for d in store.find("backlinks")}
    wrong = [
        (b["source_url"], b["anchor_text"], b[field], got.get(_key(b)))
        for b in ground_truth["backlinks"]
        if got.get(_key(b)) != b[field]
    ]
    assert wrong == []


def test_run_is_recorded_with_stats_and_summary(crawled, ground_truth,
                                                request: pytest.FixtureRequest) -> None:
    uri, result = crawled
    with open_store(uri) as store:
        runs = store.find("runs")
        pages = store.find("pages")
    pages_fetched = sum(1 for p in pages if not p["error"])
    pages_blocked = sum(1 for p in pages if p["error"] == "blocked by robots.txt")
    assert len(runs) == 1
    run = runs[0]
    assert run["finish_reason"] == "finished"
    assert run["stats"]["linkcrawl/backlinks_stored"] == len(ground_truth["backlinks"])
    assert run["stats"]["linkcrawl/pages"] == pages_fetched
    assert run["stats"]["linkcrawl/robots_blocked"] == pages_blocked > 0
    assert "summary: run" in result.stderr
    assert f"{len(ground_truth['backlinks'])} backlinks stored" in result.stderr
    # with a worker, every fetched HTML page was analysed there, none in the crawl process
    workers = request.node.callspec.params["crawled"]
    assert run["stats"].get("linkcrawl/analysis/worker_pages", 0) == (
        pages_fetched if workers else 0)


# Disagreements between the hand labels and the classifier, kept visible (not relabeled):
# the issue counts speakers among acknowledgments, so the classifier types a speakers page
# "sponsors"; the demo web's labeler called it "other".
KNOWN_PAGE_TYPE_DISAGREEMENTS = {
    "http://makerfaire-berlin.test/speakers.html": ("other", "sponsors"),
}


def test_page_types_match_ground_truth(crawled, ground_truth) -> None:
    uri, _ = crawled
    with open_store(uri) as store:
        got = {p["url"]: p["page_type"] for p in store.find("pages")}
    expected = ground_truth.get("page_types", {})
    wrong = {u: (t, got.get(u)) for u, t in expected.items() if got.get(u) != t}
    assert wrong == KNOWN_PAGE_TYPE_DISAGREEMENTS


def test_reciprocal_links_are_marked_from_the_crawl_graph(crawled) -> None:
    """acme-widgets.test links out to some of its referring domains: exactly those pairs
    carry the reciprocal evidence. Outbound domains are read from acme's HTML here."""
    uri, _ = crawled
    acme = DEMO_WEB_DIR / "acme-widgets.test"
    outbound = {
        site_of(href)
        for page in acme.rglob("*.html")
        for href in re.findall(r'href="(https?://[^"]+)"', page.read_text(encoding="utf-8"))
    } - {"acme-widgets.test"}
    with open_store(uri) as store:
        docs = store.find("backlinks", {"target_domain": "acme-widgets.test"})
    marked = {d["source_domain"] for d in docs if "graph:reciprocal" in d["evidence"]}
    referring = {d["source_domain"] for d in docs}
    assert marked == outbound & referring
    assert "toolshed.test" in marked


def test_recrawl_is_idempotent(demo_web, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'twice.db'}"
    crawl_demo(demo_web, uri)
    with open_store(uri) as store:
        first = {c: store.count(c) for c in ("pages", "backlinks", "referring_domains")}
        seen1 = {d["key"]: (d["first_seen"], d["last_seen"]) for d in store.find("backlinks")}
    crawl_demo(demo_web, uri)
    with open_store(uri) as store:
        second = {c: store.count(c) for c in ("pages", "backlinks", "referring_domains")}
        seen2 = {d["key"]: (d["first_seen"], d["last_seen"]) for d in store.find("backlinks")}
        assert store.count("runs") == 2
    assert first == second
    assert seen1.keys() == seen2.keys()
    for key, (first_seen, last_seen) in seen1.items():
        assert seen2[key][0] == first_seen
        assert seen2[key][1] > last_seen


def test_a_feed_export_carries_the_run_id(demo_web, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'feed.db'}"
    out = tmp_path / "items.jsonl"
    scrapy_crawl("sites", store_uri=uri, proxy=demo_web.proxy_url,
                 args={"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)},
                 extra=["-O", str(out)]).check()
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with open_store(uri) as store:
        (run,) = store.find("runs")
    assert items and {item["run_id"] for item in items} == {run["run_id"]}
