"""Lazy link details and page analysis in worker processes (issue #7).

A crawl reads where a link sits only for the links it stores, and can hand the whole
analysis to worker processes; neither may change what is stored. The crawl-level proof is
tests/test_crawl_e2e.py, which checks the demo web's ground truth with and without a worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import pickle
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from linkcrawl.analysis.page import AnalysisSetup, analyze_lazily, analyze_page
from linkcrawl.crawl import analysis_pool
from linkcrawl.crawl.analysis_pool import PAGE_META, AnalysisPoolMiddleware, pooled_page
from linkcrawl.crawl.context import crawl_context
from linkcrawl.ops.localweb import DEMO_WEB_DIR
from tests.conftest import DEMO_TARGETS

DEMO_PAGES = sorted(DEMO_WEB_DIR.rglob("*.html"))
HEADERS = {"content-type": "text/html; charset=utf-8"}


def _url(path: Path) -> str:
    rel = path.relative_to(DEMO_WEB_DIR)
    return f"http://{rel.parts[0]}/{'/'.join(rel.parts[1:])}"


@pytest.mark.parametrize("path", DEMO_PAGES, ids=lambda p: str(p.relative_to(DEMO_WEB_DIR)))
def test_lazy_analysis_reads_the_same_details_as_full_analysis(path: Path) -> None:
    body = path.read_bytes()
    full = analyze_page(body, _url(path), headers=HEADERS)
    lazy, details = analyze_lazily(body, _url(path), headers=HEADERS)
    assert lazy.page_type == full.page_type
    assert lazy.page_type_evidence == full.page_type_evidence
    details.fill(lazy.links)
    assert [dataclasses.asdict(x) for x in lazy.links] == [
        dataclasses.asdict(x) for x in full.links]


def _response(body: bytes, url: str = "http://maker-notes.test/post.html") -> HtmlResponse:
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"},
                        request=Request(url))


PAGE = b"""<html><head><title>Notes</title></head><body><main><h1>Workshop notes</h1>
<p>We cut the dovetails with a saw from <a href="http://acme-widgets.test/saws">Acme
Widgets</a> and read about finishes on <a href="http://other.test/">another blog</a>.
Rival Gadgets sells clamps too.</p></main><footer><a href="/about">About</a></footer>
</body></html>"""


def test_lazy_analysis_reads_details_only_for_the_links_asked_for() -> None:
    page, details = analyze_lazily(PAGE, "http://maker-notes.test/post.html", headers=HEADERS)
    assert len(page.links) == 3
    first, rest = page.links[0], page.links[1:]
    assert all(link.location == "" and link.dom_path == "" for link in page.links)
    details.fill([first])
    assert first.location == "content" and first.dom_path.endswith("p > a")
    assert all(link.location == "" and link.dom_path == "" for link in rest)
    before = dataclasses.asdict(first)
    details.fill([first])  # read once: a second call changes nothing
    assert dataclasses.asdict(first) == before


def _middleware(workers: int = 1) -> AnalysisPoolMiddleware:
    crawler = get_crawler(settings_dict={"LINKCRAWL_TARGETS": list(DEMO_TARGETS)})
    crawler.spider = crawler._create_spider("pooltest")
    crawler.spider.targets = list(DEMO_TARGETS)
    crawler.stats.open_spider()
    crawl_context(crawler).analysis = AnalysisSetup(targets=DEMO_TARGETS)
    return AnalysisPoolMiddleware(crawler, workers)


def test_a_worker_process_returns_the_page_the_crawl_process_would_build() -> None:
    mw = _middleware()
    response = _response(PAGE)
    try:
        out = asyncio.run(mw.process_response(response.request, response))
    finally:
        mw.spider_closed(mw.crawler.spider)
    assert out is response
    page = pooled_page(response)
    assert page is not None and PAGE_META not in response.meta  # taken once
    here = analyze_page(PAGE, response.url, headers=HEADERS)
    assert [link.url for link in page.links] == [link.url for link in here.links]
    assert page.page_type == here.page_type
    acme = next(link for link in page.links if link.target_host == "acme-widgets.test")
    other = next(link for link in page.links if link.target_host == "other.test")
    assert acme.location == "content" and acme.context  # a target link: read in the worker
    assert other.location == ""  # not a backlink: never read
    assert [m["target"] for m in page.mentions] == ["rival-gadgets.test"]  # Acme is linked
    assert b"lxml" not in pickle.dumps(page)  # no tree crossed the process boundary
    assert mw.crawler.stats.get_value("linkcrawl/analysis/worker_pages") == 1


def _failing_init(setup: AnalysisSetup, parent: int) -> None:
    raise RuntimeError("worker cannot start")


def test_a_broken_worker_pool_falls_back_to_the_crawl_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analysis_pool, "_init_worker", _failing_init)  # forked: inherited
    mw = _middleware()
    first, second = _response(PAGE), _response(PAGE)
    try:
        asyncio.run(mw.process_response(first.request, first))
        asyncio.run(mw.process_response(second.request, second))
    finally:
        mw.spider_closed(mw.crawler.spider)
    assert pooled_page(first) is None and pooled_page(second) is None
    assert mw._broken  # the second response did not wait on a dead pool
    assert not mw.crawler.stats.get_value("linkcrawl/analysis/worker_pages")


def test_without_workers_the_middleware_is_not_configured() -> None:
    crawler = get_crawler(settings_dict={"LINKCRAWL_ANALYSIS_WORKERS": 0})
    with pytest.raises(NotConfigured):
        AnalysisPoolMiddleware.from_crawler(crawler)


def test_links_analysis_drops_are_counted_by_the_normalize_step() -> None:
    """A link whose URL cannot be normalized is dropped during analysis; the crawl's stats
    must still count it as found and unusable (nothing is dropped silently)."""
    from pipelines.normalize import NormalizePipeline

    body = (b'<p><a href="http://ok.test/">kept</a> <a href="http://a_b..test/">bad host</a>'
            b"</p>")
    page, _ = analyze_lazily(body, "http://s.test/", headers=HEADERS)
    assert [link.url for link in page.links] == ["http://ok.test/"]
    crawler = get_crawler()
    crawler.stats.open_spider()
    NormalizePipeline(crawler).process_item(page)
    assert crawler.stats.get_value("linkcrawl/links_found") == 2
    assert crawler.stats.get_value("linkcrawl/links_unusable") == 1


@pytest.mark.parametrize("path", DEMO_PAGES[:6], ids=lambda p: str(p.relative_to(DEMO_WEB_DIR)))
def test_links_cross_the_process_boundary_unchanged(path: Path) -> None:
    """LinkItem pickles as its field values (cheaper than the dataclass default): every
    field, lists included, must come back equal and unshared."""
    page = analyze_page(path.read_bytes(), _url(path), headers=HEADERS)
    page.links[0].evidence.append("tag:nav")
    back = pickle.loads(pickle.dumps(page))
    assert [dataclasses.asdict(x) for x in back.links] == [
        dataclasses.asdict(x) for x in page.links]
    assert back.links[0].evidence == ["tag:nav"] and back.links[0].evidence is not (
        page.links[0].evidence)
