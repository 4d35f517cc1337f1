"""Link edits: a link whose anchor text or target URL was edited is the same link.

A backlink's key hashes source page, target URL and anchor text, so an edit gives the
edited link a new key. When a page is read again (a re-crawl or a recheck), the links that
were live on it and are gone now are paired with the links that are new on it:

1. ``anchor_edit``: same target URL, other anchor text;
2. ``target_edit``: same (non-empty) anchor text, other target URL on the same target site;
3. ``rewritten``: both changed, but the link sits at the same ``dom_path`` and location,
   and it is the only gone link and the only new link to that site there.

Every rule asks for the same target site (registrable domain). Each link is paired at most
once; when several new links fit one rule, the one that agrees on more of dom_path,
location and image-ness wins, then page order. Pure functions: the callers (the store's
sighting writer, the recheck pipeline) read and write the documents.

A pair continues the old link's record: the new document keeps its ``first_seen`` and its
``history`` plus a dated ``changed`` entry per edited field; the old one becomes
``superseded`` with ``superseded_by`` naming the new key (neither live nor lost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from linkcrawl.vocab import SUPERSEDED

__all__ = ["EDITED_FIELDS", "Edit", "changed_entries", "continued_fields",
           "pair_edits", "superseded_fields", "with_history"]

Doc = Mapping[str, Any]
EDITED_FIELDS: tuple[str, ...] = ("anchor_text", "target_url")
HISTORY_MAX = 30  # newest history entries kept per backlink (recheck and crawl alike)


def with_history(old: Doc, entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``old``'s history with ``entries`` appended, the newest :data:`HISTORY_MAX` kept."""
    return [*(old.get("history") or []), *entries][-HISTORY_MAX:]


def changed_entries(
    changes: Iterable[tuple[str, Any, Any]], at: datetime, **extra: Any
) -> list[dict[str, Any]]:
    """One dated ``changed`` history entry per (field, old, new), with ``extra`` keys."""
    return [{"at": at, "event": "changed", "field": name, "old": before, "new": after, **extra}
            for name, before, after in changes]


@dataclass(frozen=True, slots=True)
class Edit:
    """One gone link paired with the new link it became, and why."""

    old_key: str
    new_key: str
    reason: str  # "anchor_edit" | "target_edit" | "rewritten"
    evidence: tuple[str, ...]  # e.g. ("same:target_url", "same:dom_path", "edited:anchor_text")
    changes: tuple[tuple[str, Any, Any], ...]  # (field, old, new) for EDITED_FIELDS


def _same(a: Doc, b: Doc, name: str) -> bool:
    return bool(a.get(name)) and a.get(name) == b.get(name)


def _site(doc: Doc) -> str:
    return doc.get("target_domain") or ""


def _anchor_edit(old: Doc, new: Doc) -> bool:
    return _same(old, new, "target_url") and old.get("anchor_text") != new.get("anchor_text")


def _target_edit(old: Doc, new: Doc) -> bool:
    return (_site(old) == _site(new) and bool((old.get("anchor_text") or "").strip())
            and old.get("anchor_text") == new.get("anchor_text")
            and old.get("target_url") != new.get("target_url"))


def _rewritten(old: Doc, new: Doc) -> bool:
    return (_site(old) == _site(new) and _same(old, new, "dom_path")
            and _same(old, new, "location"))


RULES: tuple[tuple[str, Callable[[Doc, Doc], bool]], ...] = (
    ("anchor_edit", _anchor_edit),
    ("target_edit", _target_edit),
    ("rewritten", _rewritten),
)


def _agreement(old: Doc, new: Doc) -> tuple[str, ...]:
    """What else the two links share: the evidence that ranks candidates."""
    out = [f"same:{n}" for n in ("target_url", "anchor_text", "dom_path", "location")
           if n in old and old.get(n) == new.get(n)]
    if "is_image" in old and old.get("is_image") == new.get("is_image"):
        out.append("same:is_image")
    return tuple(out)


def pair_edits(gone: Iterable[Doc], new: Iterable[Doc]) -> list[Edit]:
    """Pair links that were live on one page and are gone with the links new on it.

    ``gone`` and ``new`` are backlink documents of the same source page (``key``,
    ``target_url``, ``target_domain``, ``anchor_text`` and, when known, ``dom_path``,
    ``location``, ``is_image``), in page order. Returns the pairs; unpaired gone links
    are really gone, unpaired new links really new.
    """
    gone, new = list(gone), list(new)
    used_old: set[int] = set()
    used_new: set[int] = set()
    edits: list[Edit] = []
    for reason, fits in RULES:
        for i, old in enumerate(gone):
            if i in used_old:
                continue
            # a link of one kind is never an edit of another (an anchor, a canonical)
            candidates = [j for j, n in enumerate(new) if j not in used_new
                          and (old.get("link_kind") or "a") == (n.get("link_kind") or "a")
                          and fits(old, n)]
            if not candidates:
                continue
            if reason == "rewritten":
                rivals = [k for k, o in enumerate(gone) if k not in used_old and k != i
                          and fits(o, new[candidates[0]])]
                if len(candidates) > 1 or rivals:  # ambiguous: no evidence which is which
                    continue
            best = max(candidates, key=lambda j: (len(_agreement(old, new[j])), -j))
            used_old.add(i)
            used_new.add(best)
            edits.append(_edit(reason, old, new[best]))
    return edits


def _edit(reason: str, old: Doc, new: Doc) -> Edit:
    changes = tuple((n, old.get(n), new.get(n)) for n in EDITED_FIELDS
                    if old.get(n) != new.get(n))
    evidence = (*_agreement(old, new), *(f"edited:{name}" for name, _, _ in changes))
    return Edit(str(old["key"]), str(new["key"]), reason, evidence, changes)


def continued_fields(
    old: Doc, edit: Edit, at: datetime, more: Sequence[tuple[str, Any, Any]] = ()
) -> dict[str, Any]:
    """Fields for the new document of ``edit``: the old link's ``first_seen`` and history,
    plus one dated ``changed`` entry per edited field (and per ``more`` change, such as a
    rel or location that changed with the edit)."""
    entries = changed_entries((*edit.changes, *more), at, reason=edit.reason)
    fields: dict[str, Any] = {"history": with_history(old, entries)}
    if old.get("first_seen") is not None:
        fields["first_seen"] = old["first_seen"]
    return fields


def superseded_fields(old: Doc, edit: Edit, at: datetime) -> dict[str, Any]:
    """Fields for the old document of ``edit``: replaced, not lost."""
    entry = {"at": at, "event": SUPERSEDED, "by": edit.new_key, "reason": edit.reason}
    return {"status": SUPERSEDED, "superseded_by": edit.new_key, "lost_at": None,
            "lost_reason": None, "history": with_history(old, [entry])}
