"""In-process micro-benchmarks: page analysis vs an lxml parse, store write throughput, and
the memory one dupe-filter entry costs. Each returns plain dicts for the report and skips
(returning what it has, with a note) when the linkcrawl piece it needs is missing.
"""

from __future__ import annotations

import gc
import os
import random
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from webgen import TARGET_HOSTS, Web
from webvocab import WORDS

Note = Callable[[str, str], None]


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Fastest of ``repeat`` timed calls (the least disturbed by the rest of the machine)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def sample_pages(web: Web, k: int, seed: int) -> list[tuple[str, bytes]]:
    urls = random.Random(f"{seed}|sample").sample(web.urls(), k)
    out = []
    for url in urls:
        parts = urlsplit(url)
        out.append((url, web.respond(parts.netloc, parts.path)[2]))
    return out


def analysis_vs_parse(web: Web, k: int, seed: int, note: Note) -> dict[str, Any]:
    """Per-page cost of linkcrawl's analysis against ``lxml.html.document_fromstring``."""
    import lxml.html
    from scrapy.http import HtmlResponse

    pages = sample_pages(web, k, seed)
    res: dict[str, Any] = {
        "pages": k,
        "mean_kb": round(sum(len(b) for _, b in pages) / k / 1024, 1),
        "mean_links": round(sum(b.count(b"<a ") for _, b in pages) / k, 1),
    }
    parse = _best_of(3, lambda: [lxml.html.document_fromstring(b) for _, b in pages])
    res["parse_ms"] = round(parse / k * 1000, 3)

    def scrapy_links() -> None:  # what the bare spider does per page, for reference
        for url, body in pages:
            resp = HtmlResponse(url, body=body, encoding="utf-8")
            [resp.urljoin(h) for h in resp.css("a::attr(href)").getall()]

    res["scrapy_links_ms"] = round(_best_of(2, scrapy_links) / k * 1000, 3)
    try:
        from linkcrawl.analysis.page import analyze_lazily, analyze_page, classify_page_links
    except ImportError as exc:
        note("analysis", f"skipped: linkcrawl.analysis.page not importable ({exc})")
        return res
    targets = set(TARGET_HOSTS)
    headers = {"content-type": "text/html; charset=utf-8"}

    def analyze() -> None:  # what a crawl does: where links sit is read for backlinks only
        for url, body in pages:
            page, details = analyze_lazily(body, url, headers=headers)
            page.links = [ln for ln in page.links if ln.target_domain in targets]
            details.fill(page.links)
            classify_page_links(page)

    def analyze_all() -> None:  # `linkcrawl extract`: every link with its location
        for url, body in pages:
            analyze_page(body, url, headers=headers)

    try:
        res["analysis_ms"] = round(_best_of(2, analyze) / k * 1000, 3)
        res["all_links_ms"] = round(_best_of(2, analyze_all) / k * 1000, 3)
    except Exception as exc:  # a hook: report the failure, keep the other figures
        note("analysis", f"analyze_page failed: {type(exc).__name__}: {exc}")
        return res
    res["ratio"] = round(res["analysis_ms"] / res["parse_ms"], 2)
    res["all_links_ratio"] = round(res["all_links_ms"] / res["parse_ms"], 2)
    return res


def backlink_docs(n: int, token: str, seen_at: datetime) -> list[dict[str, Any]]:
    """``n`` realistic backlink documents (LinkItem fields), unique per ``token``."""
    from linkcrawl.items import LinkItem

    rng = random.Random(f"docs|{n}")
    words = WORDS
    docs = []
    for k in range(n):
        src_host = f"site{k % 997}.test"
        target_host = TARGET_HOSTS[k % 2]
        target = f"http://{target_host}/products/p{k % 50}.html"
        loc = rng.choice(("content", "footer", "sidebar", "comment", "navigation"))
        link = LinkItem(
            source_url=f"http://{src_host}/{token}/post-{k // 3}.html", href=target, url=target,
            anchor_text=" ".join(rng.choices(words, k=rng.randint(1, 5))),
            rel=["nofollow", "ugc"] if loc == "comment" else [],
            context=" ".join(rng.choices(words, k=25)), dom_path="article.post > p > a",
            location=loc, location_confidence=0.8, location_evidence=[f"tag:{loc}"],
            normalized_url=target, target_host=target_host, target_domain=target_host,
            source_host=src_host, source_domain=src_host, follow=loc != "comment",
            link_type="editorial", confidence=0.7, evidence=["page:page_type=article"],
        )
        docs.append(dict(asdict(link), seen_at=seen_at, run_id=token, page_type="article"))
    return docs


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def store_throughput(uri: str, n: int, note: Note, batch: int = 1000) -> dict[str, Any] | None:
    """Links/s of ``upsert_backlinks`` in batches: new links, then the same links again."""
    try:
        from linkcrawl.store import open_store
    except ImportError as exc:
        note("store", f"skipped: linkcrawl.store not importable ({exc})")
        return None
    token = f"bench{time.time_ns()}"
    now = datetime.now(UTC)
    docs = backlink_docs(n, token, now)
    again = [dict(d, seen_at=now + timedelta(hours=1)) for d in docs]
    try:
        with open_store(uri) as store:
            insert = _best_of(1, lambda: [store.upsert_backlinks(b) for b in _chunks(docs, batch)])
            update = _best_of(1, lambda: [store.upsert_backlinks(b) for b in _chunks(again, batch)])
            masked = store.masked_uri
    except Exception as exc:  # StoreError or a hook mismatch: report it
        note("store", f"{uri.split(':')[0]} failed: {type(exc).__name__}: {exc}")
        return None
    return {"uri": masked, "links": n, "batch": batch,
            "insert_links_per_s": round(n / insert), "update_links_per_s": round(n / update)}


def dupe_entry_bytes(web: Web, k: int = 5000) -> int:
    """Memory one seen URL costs the crawl: with the default Bloom filters
    (``LINKCRAWL_SEEN_SETS=bloom``) ~3 bytes in each of the four seen sets (requested URLs,
    canonicals, Scrapy's fingerprints, stored pages); with ``exact``, what the sets measure
    (tracemalloc over ``k`` of the web's URLs). Growth in this much per page is expected."""
    from linkcrawl.navigate.seen import ExactSet, slice_capacity

    if os.environ.get("LINKCRAWL_SEEN_SETS", "bloom").strip().lower() != "exact":
        return max(1, round(4 * (1 << 20) / slice_capacity(0)))
    urls = web.urls()[:k]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sets = [ExactSet() for _ in range(4)]
    for seen in sets:
        seen.update(urls)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del sets
    return round(used / len(urls))
