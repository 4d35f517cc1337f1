"""A crawl's batch written through ``linkcrawl.history.sightings``, on every contract store:
edited links continue their record, found-again links record changes, mentions go stale."""

from __future__ import annotations

from typing import Any

from linkcrawl.history.sightings import write_backlinks, write_batch
from linkcrawl.store import Store
from tests.store.test_contract import T0, T1, T2, link, store  # noqa: F401  (fixture)
from tests.store.test_mentions import mention

PAGE = "http://blog.test/post"


def page(url: str, seen: Any, **fields: Any) -> dict[str, Any]:
    return {"url": url, "final_url": url, "status": 200, "host": url.split("/")[2],
            "domain": url.split("/")[2], "error": "", "fetched_at": seen, **fields}


def by_anchor(opened: Store) -> dict[str, dict[str, Any]]:
    return {d["anchor_text"]: d for d in opened.find("backlinks")}


def test_an_edited_anchor_continues_the_link_and_supersedes_the_old_key(
    store: Store,  # noqa: F811
) -> None:
    write_backlinks(store, [link(PAGE, "http://acme.test/w", "widget guide", T0)])
    counts = write_backlinks(store, [link(PAGE, "http://acme.test/w", "Acme widget guide", T1)])
    assert counts.edits == 1
    docs = by_anchor(store)
    old, new = docs["widget guide"], docs["Acme widget guide"]
    assert (old["status"], old["superseded_by"], old["lost_reason"]) == (
        "superseded", new["key"], None)
    assert (new["status"], new["first_seen"], new["last_seen"]) == ("live", T0, T1)
    assert [(h["event"], h.get("field"), h.get("old"), h.get("new"), h["at"])
            for h in new["history"]] == [
        ("changed", "anchor_text", "widget guide", "Acme widget guide", T1)]
    store.refresh_referring_domains()
    (rd,) = store.find("referring_domains")
    assert (rd["backlinks"], rd["live_backlinks"], rd["status"]) == (1, 1, "live")
    # the same crawl again: nothing more changes
    again = write_backlinks(store, [link(PAGE, "http://acme.test/w", "Acme widget guide", T2)])
    assert (again.edits, again.changes) == (0, 0)
    assert len(by_anchor(store)["Acme widget guide"]["history"]) == 1
    assert store.count("backlinks", {"status": "superseded"}) == 1


def test_an_edited_target_url_and_a_real_removal(store: Store) -> None:  # noqa: F811
    write_backlinks(store, [
        link(PAGE, "http://acme.test/old", "Acme", T0),
        link(PAGE, "http://acme.test/w", "widget guide", T0),
    ])
    write_backlinks(store, [
        link(PAGE, "http://acme.test/new", "Acme", T1),
        link(PAGE, "http://acme.test/contact", "Contact us", T1, location="footer",
             dom_path="footer > a"),
    ])
    docs = {(d["target_url"], d["anchor_text"]): d for d in store.find("backlinks")}
    new = docs[("http://acme.test/new", "Acme")]
    assert new["first_seen"] == T0
    assert [(h["field"], h["old"], h["new"]) for h in new["history"]] == [
        ("target_url", "http://acme.test/old", "http://acme.test/new")]
    assert docs[("http://acme.test/old", "Acme")]["status"] == "superseded"
    # not paired: a crawl leaves the removed link to recheck, the new one is new
    removed = docs[("http://acme.test/w", "widget guide")]
    assert (removed["status"], removed["history"]) == ("live", [])
    contact = docs[("http://acme.test/contact", "Contact us")]
    assert (contact["first_seen"], contact["history"]) == (T1, [])


def test_a_link_found_again_records_changes_and_an_edit_back(store: Store) -> None:  # noqa: F811
    write_backlinks(store, [link(PAGE, "http://acme.test/", "Acme", T0)])
    write_backlinks(store, [link(PAGE, "http://acme.test/", "Acme", T1, rel=["sponsored"],
                                 follow=False)])
    (doc,) = store.find("backlinks")
    assert [(h["field"], h["old"], h["new"]) for h in doc["history"]] == [
        ("rel", [], ["sponsored"]), ("follow", True, False)]
    write_backlinks(store, [link(PAGE, "http://acme.test/", "ACME", T2, rel=["sponsored"],
                                 follow=False)])
    write_backlinks(store, [link(PAGE, "http://acme.test/", "Acme", T2 + (T2 - T1),
                                 rel=["sponsored"], follow=False)])
    docs = by_anchor(store)
    assert (docs["Acme"]["status"], docs["ACME"]["status"]) == ("live", "superseded")
    assert docs["Acme"]["first_seen"] == T0
    assert [h.get("new") for h in docs["Acme"]["history"] if h["event"] == "changed"][-2:] == [
        "ACME", "Acme"]


def test_a_mention_not_found_again_is_gone(store: Store) -> None:  # noqa: F811
    a, b = "http://a.test/1", "http://b.test/2"
    write_batch(store, [page(a, T0), page(b, T0)], [],
                [mention(a, "Acme", T0), mention(b, "Acme", T0)], {"acme.test"})
    # a: the mention is gone; b: the page links to acme now; c: not looked for (other target)
    counts = write_batch(store, [page(a, T1), page(b, T1)],
                         [link(b, "http://acme.test/", "Acme", T1)], [], {"acme.test"})
    assert counts.mentions_gone == 2
    docs = {d["source_url"]: d for d in store.find("mentions")}
    assert [(docs[u]["status"], docs[u]["gone_at"], docs[u]["gone_reason"]) for u in (a, b)] == [
        ("gone", T1, "removed"), ("gone", T1, "linked")]
    # seen again: live again
    write_batch(store, [page(a, T2)], [], [mention(a, "Acme", T2)], {"acme.test"})
    doc = store.find("mentions", {"source_url": a})[0]
    assert (doc["status"], doc["gone_at"], doc["gone_reason"]) == ("live", None, None)


def test_mentions_stay_live_when_not_looked_for_or_the_page_failed(
    store: Store,  # noqa: F811
) -> None:
    a = "http://a.test/1"
    write_batch(store, [page(a, T0)], [], [mention(a, "Acme", T0)], {"acme.test"})
    write_batch(store, [page(a, T1)], [], [], {"other.test"})
    write_batch(store, [page(a, T1, status=503, error="http 503")], [], [], {"acme.test"})
    write_batch(store, [page(a, T1)], [], [], ())
    assert store.find("mentions")[0]["status"] == "live"


def test_a_lost_link_seen_again_by_a_crawl_is_restored(store: Store) -> None:  # noqa: F811
    write_backlinks(store, [link(PAGE, "http://acme.test/w", "guide", T0)])
    (doc,) = store.find("backlinks")
    assert doc["restored_at"] is None
    store.update_backlinks({doc["key"]: {"status": "lost", "lost_at": T1,
                                         "lost_reason": "link_removed"}})
    write_backlinks(store, [link(PAGE, "http://acme.test/w", "guide", T2)])
    (doc,) = store.find("backlinks")
    assert (doc["status"], doc["lost_at"], doc["restored_at"]) == ("live", None, T2)
    assert doc["history"][-1]["event"] == "live"
    # seen again while live: still restored at T2, nothing new recorded
    write_backlinks(store, [link(PAGE, "http://acme.test/w", "guide", T2)])
    (again,) = store.find("backlinks")
    assert (again["restored_at"], len(again["history"])) == (T2, len(doc["history"]))
