"""The MongoDB store (pymongo): one collection per name in COLLECTIONS, ``_id`` = the key.

``_id`` is the document's key (``url``, backlink ``key``, ``"target|referring"``,
``"source|target"``, ``run_id``), so MongoDB's unique ``_id`` index makes concurrent
upserts safe; a writer that loses an upsert race gets E11000 and retries once.
Writes are ``bulk_write(ordered=False)`` batches of ``UpdateOne(upsert=True)`` with
``$set`` for the incoming fields and ``$setOnInsert`` for ``first_seen`` and defaults.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from pymongo import ASCENDING, UpdateMany, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, PyMongoError

from linkcrawl.errors import StoreError
from linkcrawl.store.base import LIVE_LINK, LIVE_MENTION, Doc, Store
from linkcrawl.store.rollup import ROLLUP_FIELDS, rollup
from linkcrawl.store.schema import (
    FIELDS,
    HISTORY,
    JSON,
    KEYS,
    LIST,
    check_collection,
    check_extra_name,
    default_value,
    finish_read,
    normalize_value,
    plain,
    prepare,
    prepare_backlink,
    prepare_mention,
    prepare_page,
    utc,
)
from linkcrawl.store.uri import mask_uri

logger = logging.getLogger(__name__)

BATCH = 1000  # operations per bulk_write; keeps each request well under 48 MB
DUPLICATE_KEY = 11000

# Secondary indexes, each for a common query (``_id`` already indexes every key).
INDEXES: dict[str, list[list[tuple[str, int]]]] = {
    # per-target reports and the referring-domain rollup; also serves target_domain alone
    # (source_domain, source_url) also serves the stored links of re-crawled pages
    "backlinks": [[("target_domain", 1), ("source_domain", 1)],
                  [("source_domain", 1), ("source_url", 1)],
                  [("status", 1)]],
    "referring_domains": [[("target_domain", 1)], [("referring_domain", 1)]],
    "domain_edges": [[("target_domain", 1)]],
    "pages": [[("domain", 1)]],
    "mentions": [[("target_domain", 1)]],
    "placements": [[("target_domain", 1), ("source_domain", 1)]],
}
P = ParamSpec("P")
R = TypeVar("R")


def one_line(exc: BaseException, secret: str = "") -> str:
    """pymongo's message, first clause only (server selection errors run to pages)."""
    text = " ".join(str(exc).split()).split(", Timeout:")[0].split(", Topology Description")[0]
    if secret:
        text = text.replace(secret, "***")
    return text[:300] or type(exc).__name__


def _wrap_errors(method: Callable[P, R]) -> Callable[P, R]:
    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except PyMongoError as exc:
            store = args[0]
            assert isinstance(store, MongoStore)
            raise StoreError(
                f"MongoDB store {store.masked_uri} failed: {one_line(exc, store.secret)}"
            ) from None

    return wrapper


def doc_id(collection: str, doc: Mapping[str, Any]) -> str:
    return "|".join(str(doc[k]) for k in KEYS[collection])


def _batches(ops: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(ops), BATCH):
        yield ops[start : start + BATCH]


class MongoStore(Store):
    """Store on a MongoDB database (or a ``mongomock_ng`` fake in tests)."""

    def __init__(self, client: Any, db_name: str, uri: str, *, secret: str = "") -> None:
        self.uri = uri
        self.secret = secret  # the password, to scrub from driver messages
        self._masked = mask_uri(uri)
        self._client = client
        self._db: Database[Any] = client[db_name]
        try:
            for collection, specs in INDEXES.items():
                for spec in specs:
                    self._db[collection].create_index(spec)
        except PyMongoError as exc:
            raise StoreError(
                f"cannot prepare MongoDB store {self._masked}: {one_line(exc, secret)}"
            ) from None

    @property
    def masked_uri(self) -> str:
        return self._masked

    def close(self) -> None:
        self._client.close()

    # --- writes -------------------------------------------------------------------
    def _bulk(self, collection: str, ops: Sequence[Any]) -> None:
        """Unordered bulk writes; operations that lost an upsert race (E11000) run again."""
        coll = self._db[collection]
        for batch in _batches(ops):
            try:
                coll.bulk_write(list(batch), ordered=False)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != DUPLICATE_KEY for e in errors):
                    raise
                logger.debug("retrying %d upserts after E11000 in %s", len(errors), collection)
                coll.bulk_write([batch[e["index"]] for e in errors], ordered=False)

    @staticmethod
    def _upsert_op(
        collection: str, doc: Doc, on_insert: Mapping[str, Any]
    ) -> UpdateOne:
        inserts = {
            name: default_value(kind)
            for name, kind in FIELDS[collection].items()
            if name not in doc and name not in on_insert
        }
        inserts.update(on_insert)
        update: dict[str, Any] = {"$set": doc}
        if inserts:
            update["$setOnInsert"] = inserts
        return UpdateOne({"_id": doc_id(collection, doc)}, update, upsert=True)

    def _upsert_seen(
        self, collection: str, docs: Iterable[tuple[Doc, datetime]],
        live: Mapping[str, Any] | None = None,
    ) -> None:
        """Upsert by key; a later duplicate in the batch wins, the first sighting is kept.
        ``live`` (:data:`LIVE_LINK`, :data:`LIVE_MENTION`) is set on every document."""
        merged: dict[str, tuple[Doc, datetime]] = {}
        for doc, seen in docs:
            if live:
                doc.update(live)
            first = doc.pop("first_seen", None) or seen
            key = doc_id(collection, doc)
            if key in merged:
                merged[key][0].update(doc)
            else:
                merged[key] = (doc, first)
            merged[key][0]["last_seen"] = seen
        ops = [
            self._upsert_op(collection, doc, {"first_seen": first})
            for doc, first in merged.values()
        ]
        self._bulk(collection, ops)

    @_wrap_errors
    def upsert_pages(self, pages: Sequence[Mapping[str, Any]]) -> None:
        self._upsert_seen("pages", map(prepare_page, pages))

    @_wrap_errors
    def upsert_backlinks(self, links: Sequence[Mapping[str, Any]]) -> None:
        self._upsert_seen("backlinks", map(prepare_backlink, links), LIVE_LINK)

    @_wrap_errors
    def insert_backlinks(self, links: Sequence[Mapping[str, Any]]) -> int:
        ops, seen_ids = [], set()
        for raw in links:
            doc, seen = prepare_backlink(raw)
            doc["first_seen"] = doc.get("first_seen") or seen
            doc["last_seen"] = doc.get("last_seen") or seen
            doc.setdefault("status", LIVE_LINK["status"])
            inserts = {name: default_value(kind) for name, kind in FIELDS["backlinks"].items()
                       if name not in doc}
            key = doc_id("backlinks", doc)
            if key in seen_ids:  # the first of a batch's duplicates is the one inserted
                continue
            seen_ids.add(key)
            ops.append(UpdateOne({"_id": key}, {"$setOnInsert": {**inserts, **doc}},
                                 upsert=True))
        inserted = 0
        coll = self._db["backlinks"]
        for batch in _batches(ops):
            try:
                inserted += coll.bulk_write(list(batch), ordered=False).upserted_count
            except BulkWriteError as exc:  # a concurrent insert won: that one stays
                if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                    raise
                inserted += exc.details.get("nUpserted", 0)
        return inserted

    @_wrap_errors
    def add_domain_edges(
        self, edges: Mapping[tuple[str, str], int], seen_at: datetime, run_id: str
    ) -> None:
        seen = utc(seen_at)
        ops = []
        for (src, dst), n in edges.items():
            # An update pipeline, so "add within the same run, restart in a new run" is atomic.
            stage = {
                "source_domain": {"$literal": src},
                "target_domain": {"$literal": dst},
                "links": {"$cond": [{"$eq": ["$run_id", {"$literal": run_id}]},
                                    {"$add": ["$links", int(n)]}, int(n)]},
                "first_seen": {"$ifNull": ["$first_seen", seen]},
                "last_seen": seen,
                "run_id": {"$literal": run_id},
            }
            ops.append(UpdateOne({"_id": f"{src}|{dst}"}, [{"$set": stage}], upsert=True))
        self._bulk("domain_edges", ops)

    @_wrap_errors
    def refresh_referring_domains(self, pairs: Iterable[tuple[str, str]] | None = None) -> int:
        projection = {f: 1 for f in ROLLUP_FIELDS} | {"_id": 0}
        backlinks, rds = self._db["backlinks"], self._db["referring_domains"]
        if pairs is None:
            rows = rollup(backlinks.find({}, projection))
            fresh = {f"{t}|{s}" for t, s in rows}
            stale = [d["_id"] for d in rds.find({}, {"_id": 1}) if d["_id"] not in fresh]
        else:
            wanted = sorted(set(pairs))
            rows = {}
            for start in range(0, len(wanted), BATCH):
                chunk = wanted[start : start + BATCH]
                query = {"$or": [{"target_domain": t, "source_domain": s} for t, s in chunk]}
                rows.update(rollup(backlinks.find(query, projection)))
            stale = [f"{t}|{s}" for t, s in wanted if (t, s) not in rows]
        ops = [self._upsert_op("referring_domains", row, {}) for row in rows.values()]
        self._bulk("referring_domains", ops)
        for start in range(0, len(stale), BATCH):
            rds.delete_many({"_id": {"$in": stale[start : start + BATCH]}})
        return len(rows)

    @_wrap_errors
    def upsert_mentions(self, mentions: Sequence[Mapping[str, Any]]) -> None:
        self._upsert_seen("mentions", map(prepare_mention, mentions), LIVE_MENTION)

    @_wrap_errors
    def replace_placements(
        self, pairs: Iterable[tuple[str, str]], placements: Sequence[Mapping[str, Any]]
    ) -> None:
        coll = self._db["placements"]
        wanted = sorted(set(pairs))
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            coll.delete_many({"$or": [{"target_domain": t, "source_domain": s} for t, s in chunk]})
        docs = [prepare("placements", p) for p in placements]
        self._bulk("placements", [self._upsert_op("placements", d, {}) for d in docs])

    @_wrap_errors
    def start_run(self, run: Mapping[str, Any]) -> None:
        doc = prepare("runs", run)
        doc["store_uri"] = mask_uri(doc.get("store_uri") or self.uri)
        self._bulk("runs", [self._upsert_op("runs", doc, {})])

    @_wrap_errors
    def finish_run(
        self, run_id: str, *, finished_at: datetime, finish_reason: str, stats: Mapping[str, Any]
    ) -> None:
        doc = prepare("runs", {"run_id": run_id, "finished_at": finished_at,
                               "finish_reason": finish_reason, "stats": stats})
        self._bulk("runs", [self._upsert_op("runs", doc, {})])

    def _update(self, collection: str, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        ops = []
        for key, fields in key_to_fields.items():
            doc = prepare(collection, {k: v for k, v in fields.items() if k != "key"})
            if doc:
                ops.append(UpdateOne({"_id": key}, {"$set": doc}))
        self._bulk(collection, ops)

    @_wrap_errors
    def update_backlinks(self, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        self._update("backlinks", key_to_fields)

    @_wrap_errors
    def update_mentions(self, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        self._update("mentions", key_to_fields)

    @_wrap_errors
    def set_domain_scores(self, scores: Mapping[str, Mapping[str, Any]]) -> int:
        kinds = FIELDS["referring_domains"]
        coll = self._db["referring_domains"]
        ops = []
        for domain, fields in scores.items():
            for name in fields:
                if name not in kinds or name in KEYS["referring_domains"]:
                    raise ValueError(f"not a score field of referring_domains: {name!r}")
            if fields:
                ops.append(UpdateMany({"referring_domain": domain}, {"$set": dict(fields)}))
        changed = 0
        for batch in _batches(ops):
            changed += coll.bulk_write(list(batch), ordered=False).matched_count
        return changed

    # --- reads --------------------------------------------------------------------
    @staticmethod
    def _query(collection: str, where: Mapping[str, Any] | None) -> dict[str, Any]:
        """MongoDB's own equality semantics; values normalized like stored ones."""
        kinds = check_collection(collection)

        def value_of(name: str, value: Any) -> Any:
            kind = kinds.get(name)
            if kind in (JSON, HISTORY):
                raise ValueError(f"cannot filter on the structured field {collection}.{name}")
            if value is None or kind == LIST:
                return value
            return normalize_value(kind, value) if kind else plain(value)

        query: dict[str, Any] = {}
        for name, value in (where or {}).items():
            if kinds.get(name) is None:
                check_extra_name(name)
            if isinstance(value, (list, tuple, set, frozenset)):
                query[name] = {"$in": [value_of(name, v) for v in value]}
            else:
                query[name] = value_of(name, value)
        return query

    @_wrap_errors
    def find(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        *,
        sort: Sequence[tuple[str, int]] = (),
        limit: int = 0,
    ) -> list[Doc]:
        cursor = self._db[collection].find(self._query(collection, where), {"_id": 0})
        if sort:
            for name, direction in sort:
                if direction not in (1, -1):
                    raise ValueError(f"sort direction for {name!r} must be 1 or -1")
            cursor = cursor.sort([(name, ASCENDING * d) for name, d in sort])
        if limit:
            cursor = cursor.limit(int(limit))
        return [finish_read(collection, doc) for doc in cursor]

    @_wrap_errors
    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        return int(self._db[collection].count_documents(self._query(collection, where)))
