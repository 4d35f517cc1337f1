"""How documents map to SQLite rows: table definitions, column codecs, WHERE/ORDER BY.

One real column per documented field, so analysts can query with plain SQL:

- text -> TEXT, int -> INTEGER, float -> REAL, bool -> INTEGER 0/1;
- datetimes -> TEXT, ISO-8601 UTC with milliseconds, e.g. ``2026-11-26T08:15:00.000+00:00``
  (fixed width, so text order is time order and ``min``/``max`` work);
- lists (``rel``, ``evidence`` ...) -> TEXT holding a JSON array (query with ``json_each``);
- ``runs.args``/``runs.stats`` and ``backlinks.history`` -> TEXT holding JSON;
- fields that are not documented -> one JSON object per row in the ``extra`` column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from linkcrawl.store.indexes import sqlite_statements
from linkcrawl.store.schema import (
    BOOL,
    FIELDS,
    FLOAT,
    HISTORY,
    INT,
    JSON,
    KEYS,
    LIST,
    TIME,
    check_collection,
    check_extra_name,
    normalize_value,
    plain,
    utc,
)

EXTRA = "extra"

_SQL_TYPES = {INT: "INTEGER", FLOAT: "REAL", BOOL: "INTEGER"}
_SQL_DEFAULTS = {LIST: " NOT NULL DEFAULT '[]'", HISTORY: " NOT NULL DEFAULT '[]'",
                 JSON: " NOT NULL DEFAULT '{}'"}

# Secondary indexes, each for a query the project runs often. Every index slows writes
# a little, so there are only these (primary keys come with their own unique index):
INDEXES: tuple[str, ...] = (
    # reports and the referring-domain rollup: a target's links grouped by referring domain
    "CREATE INDEX IF NOT EXISTS backlinks_target_source ON backlinks(target_domain, source_domain)",
    # "what does this site link to", per-referring-domain reports, and the stored links of
    # the pages a crawl reads again (linkcrawl.history.sightings); replaces (source_domain)
    "DROP INDEX IF EXISTS backlinks_source",
    "CREATE INDEX IF NOT EXISTS backlinks_source_page ON backlinks(source_domain, source_url)",
    # recheck and lost-link reports pick links by status: served by the analyst index
    # backlinks_status_target_lost (status, target_domain, lost_at), which replaces it
    "DROP INDEX IF EXISTS backlinks_status",
    # pages crawled per site
    "CREATE INDEX IF NOT EXISTS pages_domain ON pages(domain)",
    # per-domain scores (linkcrawl authority) set on every row of a referring domain
    "CREATE INDEX IF NOT EXISTS referring_domains_domain ON referring_domains(referring_domain)",
    # who links to a domain in the domain graph (the primary key covers the other direction)
    "CREATE INDEX IF NOT EXISTS domain_edges_target ON domain_edges(target_domain)",
    # per-target outreach lists and placement reports; placements are replaced per pair
    "CREATE INDEX IF NOT EXISTS mentions_target ON mentions(target_domain)",
    "CREATE INDEX IF NOT EXISTS placements_pair ON placements(target_domain, source_domain)",
    # the analyst questions (linkcrawl.report.queries), one per access path: see indexes.py
    *sqlite_statements(),
)


def _indexed_columns() -> dict[str, frozenset[str]]:
    """Read from INDEXES, so the sighting fast path cannot drift from the real indexes."""
    found: dict[str, set[str]] = {}
    for statement in INDEXES:
        if match := re.search(r" ON (\w+)\(([^)]*)\)", statement):
            found.setdefault(match[1], set()).update(
                c.split()[0] for c in match[2].split(","))
    return {table: frozenset(columns) for table, columns in found.items()}


# Per table, the columns some secondary index covers (writing them rewrites index entries).
INDEXED_COLUMNS: dict[str, frozenset[str]] = _indexed_columns()

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=plain).encode
_json_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _json_list(value: list[Any]) -> str:
    """A JSON array; the common list of strings skips the general encoder (hot path)."""
    try:
        return "[" + ",".join(map(_json_str, value)) + "]"
    except TypeError:
        return _json(value)


@lru_cache(maxsize=256)  # a batch's links share one sighting time
def _time_text(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def _history_from_text(text: str) -> list[dict[str, Any]]:
    entries = json.loads(text)
    for entry in entries:
        if isinstance(entry.get("at"), str):
            with suppress(ValueError):
                entry["at"] = datetime.fromisoformat(entry["at"])
    return entries


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    TIME: _time_text, BOOL: int, LIST: _json_list, JSON: _json, HISTORY: _json,
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    TIME: datetime.fromisoformat, BOOL: bool, LIST: json.loads, JSON: json.loads,
    HISTORY: _history_from_text,
}


@lru_cache(maxsize=4096)  # a batch's links share one sighting time
def time_param(value: datetime) -> str:
    """An incoming datetime straight to its column text (``utc`` then ``_time_text``).

    Equal datetimes are the same instant, so they share one text: the cache is exact."""
    return _time_text(utc(value))


def list_param(value: Any) -> str:
    """A list field straight to its column text (normalize + encode in one step)."""
    if value is None or (type(value) is list and not value):
        return "[]"
    return _json_list(value if type(value) is list else list(value))


def _bool_param(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def _time_or_none(value: Any) -> str | None:
    return None if value is None else time_param(value)


def param_encoder(kind: str) -> Callable[[Any], Any] | None:
    """Normalize (``_schema.normalize_value``) and encode (``encode``) in one call, for
    the upsert hot path; None for kinds stored as given."""
    fast = {TIME: _time_or_none, LIST: list_param, BOOL: _bool_param}.get(kind)
    if fast is not None or kind not in _ENCODERS:
        return fast
    return lambda value: encode(kind, normalize_value(kind, value))


class RowEncoder:
    """Turns normalized documents into parameter lists for a fixed list of columns.

    Only the columns whose kind needs encoding are touched (hot path for backlinks)."""

    def __init__(self, collection: str, columns: Sequence[str]) -> None:
        kinds = FIELDS[collection]
        self._get = itemgetter(*columns) if columns else (lambda row: ())
        self._single = len(columns) == 1
        self._special = [
            (i, _ENCODERS[kinds[c]]) for i, c in enumerate(columns) if kinds[c] in _ENCODERS
        ]

    def __call__(self, row: Mapping[str, Any]) -> list[Any]:
        values = [self._get(row)] if self._single else list(self._get(row))
        for i, encoder in self._special:
            if values[i] is not None:
                values[i] = encoder(values[i])
        return values


def encode(kind: str | None, value: Any) -> Any:
    """A normalized field value as an SQLite parameter (``None`` stays NULL)."""
    if value is None:
        return None
    if kind is None:  # an undocumented field, inside the ``extra`` JSON object
        return _json(value)
    encoder = _ENCODERS.get(kind)
    return value if encoder is None else encoder(value)


def decode_json(text: str | None) -> Any:
    return [] if text is None else json.loads(text)


def decode_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def decoders(collection: str, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    kinds = FIELDS[collection]
    return [_DECODERS.get(kinds.get(c, "")) for c in columns]


def decode_row(
    columns: Sequence[str], decs: Sequence[Callable[[Any], Any] | None], row: Sequence[Any]
) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    extra = None
    for name, dec, value in zip(columns, decs, row, strict=True):
        if name == EXTRA:
            extra = value
        else:
            doc[name] = value if dec is None or value is None else dec(value)
    if extra:
        doc.update(json.loads(extra))
    return doc


def create_table(collection: str) -> str:
    cols = [
        f"{name} {_SQL_TYPES.get(kind, 'TEXT')}{_SQL_DEFAULTS.get(kind, '')}"
        + (" NOT NULL" if name in KEYS[collection] else "")
        for name, kind in FIELDS[collection].items()
    ]
    cols.append(f"{EXTRA} TEXT")
    cols.append(f"PRIMARY KEY ({', '.join(KEYS[collection])})")
    return f"CREATE TABLE IF NOT EXISTS {collection} (\n  " + ",\n  ".join(cols) + "\n)"


def add_column(collection: str, name: str) -> str:
    """ALTER TABLE for a field documented after the database file was created."""
    kind = FIELDS[collection][name]
    return (
        f"ALTER TABLE {collection} ADD COLUMN {name} "
        f"{_SQL_TYPES.get(kind, 'TEXT')}{_SQL_DEFAULTS.get(kind, '')}"
    )


def field_expr(collection: str, name: str) -> tuple[str, str | None]:
    """The SQL expression for a field and its kind (None: undocumented, in ``extra``)."""
    kinds = check_collection(collection)
    if name in kinds:
        return name, kinds[name]
    return f"json_extract({EXTRA}, '$.{check_extra_name(name)}')", None


def _where_param(kind: str | None, value: Any) -> Any:
    if kind is None:
        value = plain(value)
        return int(value) if isinstance(value, bool) else value
    return encode(kind, value)


def where_sql(collection: str, where: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    """``WHERE`` clause with MongoDB's equality semantics: a list value means "one of";
    on a list field (``rel`` ...) a value matches when the list contains it."""
    clauses: list[str] = []
    params: list[Any] = []
    for name, value in (where or {}).items():
        expr, kind = field_expr(collection, name)
        if kind in (JSON, HISTORY):
            raise ValueError(f"cannot filter on the structured field {collection}.{name}")
        wanted = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        if kind == LIST:
            expr = "value"
            item_kind = None
        else:
            item_kind = kind
        values = [_where_param(item_kind, v) for v in wanted if v is not None]
        parts = [f"{expr} IN ({', '.join('?' * len(values))})"] if values else []
        if len(values) < len(wanted):
            parts.append(f"{expr} IS NULL")
        test = " OR ".join(parts) or "0"
        if kind == LIST:
            test = f"EXISTS (SELECT 1 FROM json_each({name}) WHERE {test})"
        clauses.append(f"({test})")
        params.extend(values)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def order_sql(collection: str, sort: Sequence[tuple[str, int]]) -> str:
    terms = []
    for name, direction in sort:
        if direction not in (1, -1):
            raise ValueError(f"sort direction for {name!r} must be 1 or -1, not {direction!r}")
        terms.append(f"{field_expr(collection, name)[0]} {'ASC' if direction == 1 else 'DESC'}")
    return " ORDER BY " + ", ".join(terms) if terms else ""
