"""Pairing edited links (pure): which gone link became which new link, and why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from linkcrawl.history.linkedits import (
    HISTORY_MAX,
    Edit,
    continued_fields,
    pair_edits,
    superseded_fields,
    with_history,
)

SHOP = "http://shop.test"


def doc(key: str, url: str, anchor: str, *, path: str = "article > p > a",
        location: str = "content", domain: str = "shop.test", **more: Any) -> dict[str, Any]:
    return {"key": key, "target_url": url, "target_domain": domain, "anchor_text": anchor,
            "dom_path": path, "location": location, "is_image": False, **more}


# (case, gone, new, expected (old_key, new_key, reason) pairs)
CASES = [
    ("anchor edited",
     [doc("a", f"{SHOP}/w", "widget guide")], [doc("b", f"{SHOP}/w", "ShopBrand widget guide")],
     [("a", "b", "anchor_edit")]),
    ("target edited",
     [doc("a", f"{SHOP}/old", "ShopBrand")], [doc("b", f"{SHOP}/new", "ShopBrand")],
     [("a", "b", "target_edit")]),
    ("both edited in place",
     [doc("a", f"{SHOP}/x", "x")], [doc("b", f"{SHOP}/y", "y")],
     [("a", "b", "rewritten")]),
    ("removed, and a new link elsewhere on the page to another URL",
     [doc("a", f"{SHOP}/x", "widget guide")],
     [doc("b", f"{SHOP}/contact", "Contact ShopBrand", path="footer > a", location="footer")],
     []),
    ("same anchor, but another target site",
     [doc("a", f"{SHOP}/x", "ShopBrand")],
     [doc("b", "http://rival.test/", "ShopBrand", domain="rival.test")],
     []),
    ("an empty anchor is no evidence of a target edit",
     [doc("a", f"{SHOP}/a.png", "", path="div > a", location="sidebar")],
     [doc("b", f"{SHOP}/b.png", "", path="footer > a", location="footer")],
     []),
    ("both edited in place, but two new links fit: ambiguous",
     [doc("a", f"{SHOP}/x", "x")], [doc("b", f"{SHOP}/y", "y"), doc("c", f"{SHOP}/z", "z")],
     []),
    ("nothing gone", [], [doc("b", f"{SHOP}/y", "y")], []),
    ("nothing new", [doc("a", f"{SHOP}/x", "x")], [], []),
    ("two anchor edits: each pairs with the new link at its own place",
     [doc("a", f"{SHOP}/w", "old 1", path="article > p > a"),
      doc("b", f"{SHOP}/w", "old 2", path="footer > a", location="footer")],
     [doc("c", f"{SHOP}/w", "new 2", path="footer > a", location="footer"),
      doc("d", f"{SHOP}/w", "new 1", path="article > p > a")],
     [("a", "d", "anchor_edit"), ("b", "c", "anchor_edit")]),
    ("an anchor edit wins over a target edit for the same new link",
     [doc("a", f"{SHOP}/w", "ShopBrand"), doc("b", f"{SHOP}/v", "guide")],
     [doc("c", f"{SHOP}/w", "guide")],
     [("a", "c", "anchor_edit")]),
]


@pytest.mark.parametrize(("gone", "new", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_pair_edits(gone: list, new: list, expected: list) -> None:
    assert [(e.old_key, e.new_key, e.reason) for e in pair_edits(gone, new)] == expected


def test_an_edit_names_its_evidence_and_changes() -> None:
    (edit,) = pair_edits([doc("a", f"{SHOP}/w", "guide")], [doc("b", f"{SHOP}/w", "Guide!")])
    assert edit.changes == (("anchor_text", "guide", "Guide!"),)
    assert edit.evidence == ("same:target_url", "same:dom_path", "same:location",
                             "same:is_image", "edited:anchor_text")
    (both,) = pair_edits([doc("a", f"{SHOP}/x", "x")], [doc("b", f"{SHOP}/y", "y")])
    assert [name for name, _, _ in both.changes] == ["anchor_text", "target_url"]


def test_pairing_is_a_function_of_its_input() -> None:
    gone = [doc("a", f"{SHOP}/w", "one"), doc("b", f"{SHOP}/v", "two")]
    new = [doc("c", f"{SHOP}/v", "deux"), doc("d", f"{SHOP}/w", "un")]
    first = pair_edits(gone, new)
    assert first == pair_edits(gone, new)
    assert {(e.old_key, e.new_key) for e in first} == {("a", "d"), ("b", "c")}


def test_continued_and_superseded_fields() -> None:
    t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    old = {**doc("a", f"{SHOP}/w", "guide"), "first_seen": t0,
           "history": [{"at": t0, "event": "changed", "field": "rel", "old": [], "new": ["ugc"]}]}
    edit = Edit("a", "b", "anchor_edit", (), (("anchor_text", "guide", "Guide"),))
    cont = continued_fields(old, edit, t1, (("location", "content", "footer"),))
    assert cont["first_seen"] == t0
    assert [(h["field"], h["old"], h["new"], h["at"]) for h in cont["history"]] == [
        ("rel", [], ["ugc"], t0), ("anchor_text", "guide", "Guide", t1),
        ("location", "content", "footer", t1)]
    sup = superseded_fields(old, edit, t1)
    assert (sup["status"], sup["superseded_by"], sup["lost_reason"]) == ("superseded", "b", None)
    assert sup["history"][-1] == {"at": t1, "event": "superseded", "by": "b",
                                  "reason": "anchor_edit"}


def test_history_keeps_the_newest_entries() -> None:
    old = {"history": [{"n": i} for i in range(HISTORY_MAX)]}
    kept = with_history(old, [{"n": HISTORY_MAX}])
    assert [h["n"] for h in kept] == list(range(1, HISTORY_MAX + 1))
    assert with_history({"history": None}, []) == []
