"""The documented fields of every collection and the normalization both stores share.

Both stores run incoming documents through :func:`prepare` and outgoing ones through
:func:`finish_read`, so SQLite and MongoDB accept and return the same dict shapes:

- datetimes become timezone-aware UTC, truncated to milliseconds (MongoDB's precision);
  naive datetimes are taken to be UTC;
- list fields become lists (``None`` becomes ``[]``);
- free-form values (``runs.args``, ``runs.stats`` and fields not documented here) are
  made JSON-compatible: datetimes become ISO-8601 strings, tuples and sets lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from linkcrawl.keys import backlink_key, mention_key
from linkcrawl.store.base import COLLECTIONS, Doc

# Field kinds. SQLite maps them to column types (see linkcrawl.store._sqlcodec).
TEXT, INT, FLOAT, BOOL, TIME, LIST, JSON, HISTORY = (
    "text", "int", "float", "bool", "time", "list", "json", "history",
)

# The documented fields (docs/collections.md). A field added here becomes a column of an
# existing SQLite file the next time it is opened (ALTER TABLE ... ADD COLUMN).
FIELDS: dict[str, dict[str, str]] = {
    "pages": {
        "url": TEXT, "final_url": TEXT, "status": INT, "host": TEXT, "domain": TEXT,
        "title": TEXT, "language": TEXT, "canonical": TEXT, "meta_robots": LIST,
        "x_robots": LIST, "noindex": BOOL, "nofollow": BOOL, "page_type": TEXT,
        "page_type_confidence": FLOAT, "page_type_evidence": LIST, "outlink_count": INT,
        "ip_address": TEXT, "network": TEXT, "address_source": TEXT,
        "via_browser": BOOL, "error": TEXT, "spider": TEXT, "run_id": TEXT,
        "first_seen": TIME, "last_seen": TIME,
    },
    "backlinks": {
        "key": TEXT, "source_url": TEXT, "source_host": TEXT, "source_domain": TEXT,
        "target_url": TEXT, "url": TEXT, "href": TEXT, "target_host": TEXT,
        "target_domain": TEXT, "anchor_text": TEXT, "rel": LIST, "follow": BOOL, "tag": TEXT,
        "is_image": BOOL, "in_noscript": BOOL, "location": TEXT, "location_confidence": FLOAT,
        "block_link_density": FLOAT, "block_links": INT,
        "location_evidence": LIST, "link_type": TEXT, "confidence": FLOAT, "evidence": LIST,
        "context": TEXT, "dom_path": TEXT, "wrapper": TEXT, "page_type": TEXT, "run_id": TEXT,
        "first_seen": TIME, "last_seen": TIME, "status": TEXT, "lost_at": TIME,
        "lost_reason": TEXT, "history": HISTORY, "checked_at": TIME, "moved_from": TEXT,
        "superseded_by": TEXT, "restored_at": TIME, "page_flags": LIST,
        "target_status": INT, "target_final_url": TEXT, "target_state": TEXT,
        "target_reason": TEXT, "target_checked_at": TIME, "source": TEXT,
        "claimed_by": LIST, "claim_status": TEXT, "claimed_first_seen": TIME,
        "claimed_last_seen": TIME, "warc_file": TEXT, "warc_offset": INT,
        "link_kind": TEXT, "source_ip": TEXT, "source_network": TEXT,
        "snapshot": JSON, "snapshots": LIST,
    },
    "referring_domains": {
        "target_domain": TEXT, "referring_domain": TEXT, "backlinks": INT,
        "live_backlinks": INT, "followed_backlinks": INT, "pages": INT, "link_types": LIST,
        "locations": LIST, "first_seen": TIME, "last_seen": TIME, "status": TEXT,
        "authority": FLOAT, "public_rank": INT, "best_link": TEXT, "best_anchor": TEXT,
    },
    "domain_edges": {
        "source_domain": TEXT, "target_domain": TEXT, "links": INT, "first_seen": TIME,
        "last_seen": TIME, "run_id": TEXT, "writer": TEXT, "batches_upto": INT,
        "batches": LIST,
    },
    "runs": {
        "run_id": TEXT, "spider": TEXT, "args": JSON, "store_uri": TEXT, "started_at": TIME,
        "finished_at": TIME, "finish_reason": TEXT, "stats": JSON,
    },
    "mentions": {
        "key": TEXT, "target_domain": TEXT, "target": TEXT, "term": TEXT, "source_url": TEXT,
        "source_host": TEXT, "source_domain": TEXT, "context": TEXT, "location": TEXT,
        "occurrences": INT, "page_type": TEXT, "run_id": TEXT, "first_seen": TIME,
        "last_seen": TIME, "status": TEXT, "gone_at": TIME, "gone_reason": TEXT,
    },
    "placements": {
        "key": TEXT, "target_domain": TEXT, "source_domain": TEXT, "target_url": TEXT,
        "anchor_text": TEXT, "location": TEXT, "page_count": INT, "backlinks": INT,
        "follow": BOOL, "link_type": TEXT, "representative_url": TEXT, "sitewide": BOOL,
        "first_seen": TIME, "last_seen": TIME,
    },
}

KEYS: dict[str, tuple[str, ...]] = {
    "pages": ("url",),
    "backlinks": ("key",),
    "referring_domains": ("target_domain", "referring_domain"),
    "domain_edges": ("source_domain", "target_domain"),
    "runs": ("run_id",),
    "mentions": ("key",),
    "placements": ("key",),
}

# Names of fields that are not documented: letters, digits and "_" only, so they are safe
# as MongoDB field names and inside SQLite JSON paths.
_EXTRA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_collection(collection: str) -> dict[str, str]:
    """The field kinds of ``collection``; ValueError for a name not in COLLECTIONS."""
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}; expected one of {COLLECTIONS}")
    return FIELDS[collection]


def check_extra_name(name: str) -> str:
    if not _EXTRA_NAME.match(name):
        raise ValueError(f"field name {name!r} is not documented and not a plain identifier")
    return name


def utc(value: datetime) -> datetime:
    """Timezone-aware UTC with millisecond precision; naive input is taken to be UTC."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def now() -> datetime:
    return utc(datetime.now(UTC))


def plain(value: Any) -> Any:
    """A JSON-compatible copy of a free-form value (datetimes as ISO-8601 UTC strings)."""
    if isinstance(value, datetime):
        return utc(value).isoformat(timespec="milliseconds")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _history(entries: Any) -> list[dict[str, Any]]:
    out = []
    for entry in entries or ():
        item = {str(k): plain(v) for k, v in dict(entry).items()}
        if isinstance(entry.get("at"), datetime):
            item["at"] = utc(entry["at"])
        out.append(item)
    return out


_NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    LIST: lambda v: [] if v is None else list(v),
    HISTORY: _history,
    JSON: lambda v: {} if v is None else plain(v),
    TIME: lambda v: None if v is None else utc(v),
    BOOL: lambda v: None if v is None else bool(v),
}
# Per collection: the fields whose values need normalizing (the rest are stored as given).
_FIELD_NORMALIZERS: dict[str, dict[str, Callable[[Any], Any]]] = {
    collection: {n: _NORMALIZERS[k] for n, k in kinds.items() if k in _NORMALIZERS}
    for collection, kinds in FIELDS.items()
}


def normalize_value(kind: str, value: Any) -> Any:
    """One field value in the shape both stores write (before SQLite's column encoding)."""
    normalizer = _NORMALIZERS.get(kind)
    return value if normalizer is None else normalizer(value)


def default_value(kind: str) -> Any:
    """What an insert stores for a documented field the writer did not pass."""
    if kind in (LIST, HISTORY):
        return []
    if kind == JSON:
        return {}
    return None


def prepare(collection: str, doc: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> Doc:
    """Normalize one incoming document; undocumented fields are kept, made plain.

    This runs for every stored link, so it touches only the fields that need work.
    """
    out = dict(doc)
    for name in skip & out.keys():
        del out[name]
    for name, normalizer in _FIELD_NORMALIZERS[collection].items():
        if name in out:
            out[name] = normalizer(out[name])
    for name in out.keys() - FIELDS[collection].keys():
        out[check_extra_name(name)] = plain(out[name])
    return out


def prepare_page(doc: Mapping[str, Any]) -> tuple[Doc, datetime]:
    """A page document and its fetch time. ``links`` is dropped (links go to backlinks);
    ``noindex``/``nofollow`` are derived from the robots tokens when not given."""
    raw = {k: v for k, v in doc.items() if k not in ("links", "fetched_at")}
    for flag in ("noindex", "nofollow"):
        if flag not in raw and ("meta_robots" in raw or "x_robots" in raw):
            tokens = {*(raw.get("meta_robots") or ()), *(raw.get("x_robots") or ())}
            raw[flag] = flag in tokens or "none" in tokens
    seen = doc.get("fetched_at")
    return prepare("pages", raw), utc(seen) if seen is not None else now()


_NOT_BACKLINK_FIELDS = frozenset({"seen_at", "normalized_url"})


def prepare_backlink(doc: Mapping[str, Any]) -> tuple[Doc, datetime]:
    """A backlink document and its sighting time. ``normalized_url`` (a LinkItem name) is
    accepted for ``target_url``; ``key`` is computed when missing."""
    out = prepare("backlinks", doc, _NOT_BACKLINK_FIELDS)
    if "target_url" not in out and "normalized_url" in doc:
        out["target_url"] = doc["normalized_url"]
    if not out.get("key"):
        out["key"] = backlink_key(out["source_url"], out["target_url"], out.get("anchor_text", ""),
                                  out.get("link_kind") or "a")
    seen = doc.get("seen_at")
    return out, utc(seen) if seen is not None else now()


def mention_doc_key(doc: Mapping[str, Any]) -> str:
    """A mention document's ``key``: as given, else computed from its fields."""
    return doc.get("key") or mention_key(
        doc["source_url"], doc.get("target") or doc["target_domain"], doc["term"]
    )


def prepare_mention(doc: Mapping[str, Any]) -> tuple[Doc, datetime]:
    """A mention document and its sighting time; ``key`` is computed when missing."""
    out = prepare("mentions", doc, frozenset({"seen_at"}))
    out["key"] = mention_doc_key(out)
    seen = doc.get("seen_at")
    return out, utc(seen) if seen is not None else now()


def finish_read(collection: str, doc: Doc) -> Doc:
    """Normalize a document read back from either store (tz-aware UTC datetimes)."""
    kinds = FIELDS[collection]
    # documented fields first, in documented order, as SQLite returns them
    doc = {**{k: doc[k] for k in kinds if k in doc}, **doc}
    for name, value in doc.items():
        kind = kinds.get(name)
        if kind == TIME and isinstance(value, datetime):
            doc[name] = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        elif kind == HISTORY and value:
            doc[name] = [
                {**e, "at": utc(e["at"])} if isinstance(e.get("at"), datetime) else e
                for e in value
            ]
    return doc
