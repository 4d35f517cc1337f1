"""SQL statements for SQLite writes, built from the fields the documents carry.

An upsert updates only the columns present in the incoming document, like MongoDB's
``$set``; undocumented fields are merged into the ``extra`` JSON object with ``json_set``.
Parameters are numbered (``?N``) so one value can serve both the insert and the update.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any

from linkcrawl.store import _sqlcodec as sql
from linkcrawl.store._schema import FIELDS, KEYS
from linkcrawl.store.base import Doc

Batch = tuple[str, list[list[Any]]]  # one statement and its executemany parameters


def _json_set(extras: Sequence[str], start: int) -> str:
    """``extra = json_set(extra, '$.a', json(?start), ...)``: parameters hold JSON texts."""
    paths = ", ".join(f"'$.{e}', json(?{start + i})" for i, e in enumerate(extras))
    return f"{sql.EXTRA} = json_set(coalesce({sql.EXTRA}, '{{}}'), {paths})"


def upserts(
    collection: str, rows: Iterable[Doc], insert_only: frozenset[str] = frozenset()
) -> Iterator[Batch]:
    """``INSERT ... ON CONFLICT DO UPDATE`` per run of consecutive rows with the same
    fields (a writer's documents normally all have the same), so rows apply in order."""
    kinds, keys = FIELDS[collection], KEYS[collection]
    for names, run in groupby(rows, key=tuple):
        cols = [n for n in names if n in kinds]
        extras = [n for n in names if n not in kinds]
        n = len(cols)
        targets = cols + ([sql.EXTRA] if extras else [])
        holders = [f"?{i + 1}" for i in range(len(targets))]
        sets = [f"{c} = excluded.{c}" for c in cols if c not in keys and c not in insert_only]
        if extras:
            sets.append(_json_set(extras, start=n + 2))
        statement = (
            f"INSERT INTO {collection} ({', '.join(targets)}) VALUES ({', '.join(holders)})"
            f" ON CONFLICT ({', '.join(keys)}) DO "
            + (f"UPDATE SET {', '.join(sets)}" if sets else "NOTHING")
        )
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
