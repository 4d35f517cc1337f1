"""SQL statements for SQLite writes, built from the fields the documents carry.

An upsert updates only the columns present in the incoming document, like MongoDB's
``$set``; undocumented fields are merged into the ``extra`` JSON object with ``json_set``.
Parameters are numbered (``?N``) so one value can serve both the insert and the update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from linkcrawl.keys import backlink_key
from linkcrawl.store import _sqlcodec as sql
from linkcrawl.store.base import Doc
from linkcrawl.store.schema import BOOL, FIELDS, KEYS, LIST, TIME, mention_doc_key, now

Batch = tuple[str, Sequence[Sequence[Any]]]  # one statement and its executemany parameters


def _json_set(extras: Sequence[str], start: int) -> str:
    """``extra = json_set(extra, '$.a', json(?start), ...)``: parameters hold JSON texts."""
    paths = ", ".join(f"'$.{e}', json(?{start + i})" for i, e in enumerate(extras))
    return f"{sql.EXTRA} = json_set(coalesce({sql.EXTRA}, '{{}}'), {paths})"


def _upsert_sql(
    collection: str, cols: Sequence[str], extras: Sequence[str], insert_only: frozenset[str]
) -> str:
    """The upsert statement for documented columns ``cols`` then the ``extra`` JSON."""
    keys = KEYS[collection]
    targets = [*cols, *([sql.EXTRA] if extras else [])]
    holders = [f"?{i + 1}" for i in range(len(targets))]
    sets = [f"{c} = excluded.{c}" for c in cols if c not in keys and c not in insert_only]
    if extras:
        sets.append(_json_set(extras, start=len(cols) + 2))
    return (
        f"INSERT INTO {collection} ({', '.join(targets)}) VALUES ({', '.join(holders)})"
        f" ON CONFLICT ({', '.join(keys)}) DO "
        + (f"UPDATE SET {', '.join(sets)}" if sets else "NOTHING")
    )


def upserts(
    collection: str, rows: Iterable[Doc], insert_only: frozenset[str] = frozenset()
) -> Iterator[Batch]:
    """``INSERT ... ON CONFLICT DO UPDATE`` per run of consecutive rows with the same
    fields (a writer's documents normally all have the same), so rows apply in order."""
    kinds = FIELDS[collection]
    for names, run in groupby(rows, key=tuple):
        cols = [n for n in names if n in kinds]
        extras = [n for n in names if n not in kinds]
        statement = _upsert_sql(collection, cols, extras, insert_only)
        encode_row = sql.RowEncoder(collection, cols)
        params = []
        for row in run:
            values = encode_row(row)
            if extras:
                values.append(sql.encode(None, {e: row[e] for e in extras}))
                values.extend(sql.encode(None, row[e]) for e in extras)
            params.append(values)
        yield statement, params


def updates(collection: str, key_to_doc: Mapping[str, Doc]) -> Iterator[Batch]:
    """``UPDATE ... WHERE key = ?`` setting only each document's fields (existing rows only)."""
    kinds = FIELDS[collection]
    (key_column,) = KEYS[collection]
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for key, doc in key_to_doc.items():
        # documented columns first, then undocumented fields: the ?N numbering relies on it
        names = (*sorted(doc.keys() & kinds.keys()), *sorted(doc.keys() - kinds.keys()))
        if names:
            values = [sql.encode(kinds.get(n), doc[n]) for n in names]
            groups.setdefault(names, []).append([*values, key])
    for names, params in groups.items():
        cols = [n for n in names if n in kinds]
        extras = names[len(cols) :]
        sets = [f"{c} = ?{i + 1}" for i, c in enumerate(cols)]
        if extras:
            sets.append(_json_set(extras, start=len(cols) + 1))
        where = f"{key_column} = ?{len(names) + 1}"
        yield f"UPDATE {collection} SET {', '.join(sets)} WHERE {where}", params


# Raw fields that are not stored, per collection with a fast sighting path, and the
# field holding the sighting time (see _schema.prepare_backlink / prepare_mention).
_SEEN_SKIP: dict[str, frozenset[str]] = {
    "backlinks": frozenset({"seen_at", "normalized_url"}),
    "mentions": frozenset({"seen_at"}),
}
FAST_SEEN = frozenset(_SEEN_SKIP)
_SEEN_AT = "seen_at"
_DERIVED = frozenset({"key", "first_seen", "last_seen"})


class _SeenPlan:
    """Everything about one shape of raw sighting documents that does not depend on the
    values: the statement, which raw fields to pass through and which to encode.

    Building it once per shape (not per document) is what makes the fast path fast."""

    def __init__(
        self, collection: str, shape: tuple[str, ...], fields: Mapping[str, Any]
    ) -> None:
        kinds = FIELDS[collection]
        skip = _SEEN_SKIP[collection] | _DERIVED | fields.keys()
        direct = [n for n in shape if n not in skip]
        self.backlinks = collection == "backlinks"
        # backlinks: ``normalized_url`` stands in for a missing ``target_url`` column
        self.target_from_normalized = (
            self.backlinks and "target_url" not in shape and "normalized_url" in shape
        )
        derived = ["target_url"] if self.target_from_normalized else []
        consts = list(fields)
        cols = [*direct, *derived, "key", "first_seen", "last_seen", *consts]
        # Indexed columns are left out of the upsert's UPDATE SET: SQLite rewrites the
        # index entries of every column named there, changed or not, and that was most
        # of a re-sighting's cost. A second statement sets them only where they differ,
        # right after, in the same transaction, so every row ends the same.
        (key_column,) = KEYS[collection]
        indexed = [c for c in cols if c in sql.INDEXED_COLUMNS.get(collection, ())]
        self.statement = _upsert_sql(collection, cols, (), frozenset({"first_seen", *indexed}))
        self.index_update: str | None = None
        self.index_params: Callable[[Sequence[Any]], Sequence[Any]] = itemgetter(
            cols.index(key_column), *(cols.index(c) for c in indexed)
        )
        if indexed:
            sets = ", ".join(f"{c} = ?{i + 2}" for i, c in enumerate(indexed))
            differ = " OR ".join(f"{c} IS NOT ?{i + 2}" for i, c in enumerate(indexed))
            self.index_update = (
                f"UPDATE {collection} SET {sets} WHERE {key_column} = ?1 AND ({differ})"
            )
        self.get: Callable[[Mapping[str, Any]], Any] = (
            itemgetter(*direct) if direct else (lambda raw: ())
        )
        self.single = len(direct) == 1
        # the two commonest encoded kinds are inlined in rows(); the rest call an encoder
        self.lists = [i for i, n in enumerate(direct) if kinds[n] == LIST]
        self.bools = [i for i, n in enumerate(direct) if kinds[n] == BOOL]
        self.special = [
            (i, enc) for i, n in enumerate(direct)
            if kinds[n] not in (LIST, BOOL) and (enc := sql.param_encoder(kinds[n])) is not None
        ]
        self.consts = tuple(sql.encode(kinds[n], fields[n]) for n in consts)

    def rows(self, run: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """One parameter tuple per document, equal to prepare + ``upserts``'s encoding."""
        get, single, special, consts = self.get, self.single, self.special, self.consts
        lists, bools = self.lists, self.bools
        backlinks, from_normalized = self.backlinks, self.target_from_normalized
        time_param, list_param = sql.time_param, sql.list_param
        out = []
        for raw in run:
            values = [get(raw)] if single else list(get(raw))
            for i in lists:
                v = values[i]
                values[i] = "[]" if v is None or (type(v) is list and not v) else list_param(v)
            for i in bools:
                v = values[i]
                values[i] = None if v is None else 1 if v else 0  # int(bool(v))
            for i, encoder in special:
                values[i] = encoder(values[i])
            seen: datetime | None = raw.get(_SEEN_AT)
            seen_text = time_param(seen) if seen is not None else sql.encode(TIME, now())
            first = raw.get("first_seen")
            first_text = time_param(first) if first is not None else seen_text
            key = raw.get("key")
            if backlinks:
                target = raw["normalized_url"] if from_normalized else None
                if from_normalized:
                    values.append(target)
                if not key:
                    key = backlink_key(
                        raw["source_url"], target if from_normalized else raw["target_url"],
                        raw.get("anchor_text", ""), raw.get("link_kind") or "a",
                    )
            elif not key:
                key = mention_doc_key(raw)
            out.append((*values, key, first_text, seen_text, *consts))
        return out


_PLANS: dict[tuple[Any, ...], _SeenPlan] = {}


def _fast_shape(collection: str, shape: tuple[str, ...]) -> bool:
    """Whether the fast path reproduces ``prepare`` exactly for documents of this shape:
    only documented fields, and the fields a computed key needs are there (otherwise the
    general path runs and raises what it always raised)."""
    kinds = FIELDS[collection]
    skip = _SEEN_SKIP[collection]
    if any(n not in kinds and n not in skip for n in shape):
        return False
    if collection == "backlinks":
        return "source_url" in shape and ("target_url" in shape or "normalized_url" in shape)
    return "source_url" in shape and "term" in shape


# An upsert's statement and parameters, and the statement that then sets its indexed
# columns with the getter of that statement's parameters from the upsert's (or None).
SeenBatch = tuple[
    str, Sequence[Sequence[Any]], "tuple[str, Callable[[Sequence[Any]], Sequence[Any]]] | None"
]


def seen_upserts(
    collection: str,
    docs: Sequence[Mapping[str, Any]],
    fields: Mapping[str, Any],
    slow: Callable[[Sequence[Mapping[str, Any]]], Iterable[Batch]],
) -> Iterator[SeenBatch]:
    """Upserts of sighted backlinks or mentions, built straight from the raw documents.

    Same rows as ``slow`` (prepare, then ``upserts``) without the per-document dict
    copies and second encoding pass; runs of documents the fast path does not cover
    (undocumented fields, a key that cannot be computed) go through ``slow``, in order.
    The caller runs the indexed-column statement after its upsert unless the upsert
    only inserted rows (then it would change nothing)."""
    consts = tuple(fields.items())
    for shape, group in groupby(docs, key=tuple):
        run = list(group)
        if not _fast_shape(collection, shape):
            for statement, params in slow(run):
                yield statement, params, None
            continue
        plan_key = (collection, shape, consts)
        plan = _PLANS.get(plan_key)
        if plan is None:
            if len(_PLANS) > 256:
                _PLANS.clear()
            plan = _PLANS[plan_key] = _SeenPlan(collection, shape, fields)
        fix = None if plan.index_update is None else (plan.index_update, plan.index_params)
        yield plan.statement, plan.rows(run), fix
