"""The store contract for ``mentions`` and ``placements``, on every store of the contract."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from linkcrawl.history.refresh import refresh_placements
from linkcrawl.keys import mention_key
from linkcrawl.store import Store, open_store
from tests.store.test_contract import T0, T1, T2, link, store  # noqa: F401  (fixture)


def mention(src: str, term: str, seen: Any, **fields: Any) -> dict[str, Any]:
    host = src.split("/")[2]
    doc = {"target_domain": "acme.test", "target": "acme.test", "term": term, "source_url": src,
           "source_host": host, "source_domain": host, "context": f"we like {term}",
           "location": "content", "occurrences": 1, "page_type": "article", "run_id": "r1",
           "seen_at": seen}
    doc.update(fields)
    return doc


def test_mentions_upsert_by_page_target_and_term(store: Store) -> None:  # noqa: F811
    store.upsert_mentions([mention("http://a.test/1", "Acme", T0),
                           mention("http://a.test/1", "acme co", T0),
                           mention("http://b.test/", "Acme", T0)])
    store.upsert_mentions([mention("http://a.test/1", "Acme", T1, occurrences=3)])
    assert store.count("mentions") == 3
    (doc,) = store.find("mentions", {"source_url": "http://a.test/1", "term": "Acme"})
    assert doc["key"] == mention_key("http://a.test/1", "acme.test", "Acme")
    assert (doc["first_seen"], doc["last_seen"], doc["occurrences"]) == (T0, T1, 3)
    assert doc["context"] == "we like Acme" and doc["location"] == "content"
    assert store.count("mentions", {"target_domain": "acme.test"}) == 3


def _footer_links(n: int, seen: Any) -> list[dict[str, Any]]:
    return [link(f"http://blog.test/p{i}", "http://acme.test/", "Acme", seen,
                 location="footer") for i in range(n)]


def test_placements_group_a_footer_link_and_are_replaced_per_pair(store: Store) -> None:  # noqa: F811
    store.upsert_backlinks([*_footer_links(6, T0),
                            link("http://blog.test/p0", "http://acme.test/", "a review", T1),
                            link("http://news.test/1", "http://acme.test/", "Acme", T0,
                                 location="footer")])
    pairs = {("acme.test", "blog.test"), ("acme.test", "news.test")}
    assert refresh_placements(store, pairs, min_pages=5) == 3
    rows = {(p["source_domain"], p["anchor_text"]): p for p in store.find("placements")}
    footer = rows[("blog.test", "Acme")]
    assert (footer["page_count"], footer["backlinks"], footer["sitewide"]) == (6, 6, True)
    assert footer["representative_url"] == "http://blog.test/p0"
    assert (footer["location"], footer["first_seen"], footer["follow"]) == ("footer", T0, True)
    assert rows[("blog.test", "a review")]["sitewide"] is False
    assert rows[("news.test", "Acme")]["page_count"] == 1
    # the footer link disappears from 4 pages: the refreshed placement counts 2, not sitewide
    lost = {d["key"]: {"status": "lost"} for d in store.find("backlinks")
            if d["source_url"] in {f"http://blog.test/p{i}" for i in range(2, 6)}}
    store.update_backlinks(lost)
    assert refresh_placements(store, {("acme.test", "blog.test")}, min_pages=5) == 2
    (footer,) = store.find("placements", {"source_domain": "blog.test", "location": "footer"})
    assert (footer["page_count"], footer["sitewide"]) == (2, False)
    assert store.count("placements") == 3  # news.test's placement was left alone


def test_sqlite_and_mongo_fake_give_the_same_placements_and_mentions(tmp_path: Path) -> None:
    results = []
    for uri in (f"sqlite:///{tmp_path}/same.db", f"mongomock://same_pl_{uuid.uuid4().hex[:8]}"):
        with open_store(uri) as s:
            s.upsert_backlinks(_footer_links(5, T0))
            refresh_placements(s, {("acme.test", "blog.test")}, min_pages=5)
            s.upsert_mentions([mention("http://a.test/1", "Acme", T2)])
            results.append({name: sorted(s.find(name), key=repr)
                            for name in ("placements", "mentions")})
    assert results[0] == results[1]
    assert results[0]["placements"][0]["sitewide"] is True
