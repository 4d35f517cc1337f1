"""The SQLite store: one file, real columns, queryable with plain SQL (see ``_sqlcodec``).

The file runs in WAL mode with ``synchronous=NORMAL`` (see PRAGMAS): readers (reports, a
``sqlite3`` shell) do not block the crawler's writes, and a crash of the process loses
nothing; a power cut may lose the last transactions. Each write call is one transaction with one
``executemany`` per statement shape; upserts use ``INSERT ... ON CONFLICT DO UPDATE``
and update only the fields the incoming document has, like MongoDB's ``$set``.
Sighted backlinks and mentions set their indexed columns in a second statement, only
where they changed (see ``_sqlwrite.seen_upserts``): a re-sighting then rewrites no index.

Before every write the file is checked to still be the one opened (device and inode): a
file deleted under a running crawl is written back from the open connection, with an
error in the log, instead of the crawl writing on into a file nobody can see; a file
replaced by another is refused (StoreError).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from linkcrawl.errors import StoreError
from linkcrawl.store import _sqlcodec as sql
from linkcrawl.store import _sqlwrite as write
from linkcrawl.store.base import LIVE_LINK, LIVE_MENTION, Doc, Store
from linkcrawl.store.edgecount import count_batch
from linkcrawl.store.rollup import best_link_order_sql, rd_row
from linkcrawl.store.schema import (
    FIELDS,
    LIST,
    check_collection,
    prepare,
    prepare_backlink,
    prepare_mention,
    prepare_page,
    utc,
)
from linkcrawl.store.uri import mask_uri
from linkcrawl.vocab import NOT_COUNTED

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Measured on a 2-core machine with 1000-link batches: the commit (writing the touched
# index pages to the WAL, fsync at checkpoints) is most of a write's cost, so pages are
# bigger and checkpoints rarer than SQLite's defaults (1000 pages of 4 KB): ~2x faster.
PRAGMAS: tuple[str, ...] = (
    "PRAGMA page_size=8192",  # only takes effect on a new file, before WAL is switched on
    "PRAGMA journal_mode=WAL",  # readers never block the crawler's writes
    "PRAGMA synchronous=NORMAL",  # safe in WAL mode; a power cut may lose the last commits
    "PRAGMA cache_size=-65536",  # 64 MB of page cache, for the backlinks indexes
    "PRAGMA wal_autocheckpoint=4000",  # checkpoint every ~32 MB of WAL
    "PRAGMA journal_size_limit=67108864",  # and truncate the WAL file back to 64 MB
)
# backlinks that count in referring_domains (NULL status counts: an old row, live)
_COUNTED = ("coalesce(b.status, '') NOT IN ("
            + ", ".join(f"'{status}'" for status in NOT_COUNTED) + ")")
P = ParamSpec("P")
R = TypeVar("R")


def _wrap_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Turn sqlite3 errors (locked, read-only, disk full ...) into one-line StoreErrors; a
    value SQLite cannot bind or hold (DataError, InterfaceError) is the document's fault,
    not the store's, and becomes a ValueError (the crawl quarantines that document)."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlite3.DataError, sqlite3.InterfaceError) as exc:
            raise ValueError(f"SQLite cannot store a value: {exc}") from None
        except sqlite3.Error as exc:
            store = args[0]
            assert isinstance(store, SQLiteStore)
            raise StoreError(f"SQLite store {store.masked_uri} failed: {exc}") from None

    return wrapper


class SQLiteStore(Store):
    """Store on a local SQLite file (or ``:memory:``); safe to share between threads."""

    def __init__(self, path: str, uri: str, *, timeout_ms: int = 5000) -> None:
        self.uri = uri
        self.path = path
        self._masked = mask_uri(uri)
        self._lock = threading.Lock()
        self._ident: tuple[int, int] | None = None
        self._db_timeout = timeout_ms / 1000
        try:
            self._db = sqlite3.connect(
                path, timeout=timeout_ms / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self._masked}: {exc}") from None
        try:
            self._setup_when_free(timeout_ms / 1000)
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"cannot open SQLite store {self._masked}: {exc}") from None
        self._ident = self._file_ident()

    def _setup_when_free(self, timeout: float) -> None:
        """:meth:`_setup`, again while another process holds the file: switching a new
        file to WAL fails at once ("database is locked", SQLite's busy handler is not asked)
        when a second writer is switching it too, as parallel archive scans do."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            try:
                self._setup()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)  # back-off between attempts, bounded by the open's timeout
            delay = min(delay * 2, 0.5)

    def _file_ident(self) -> tuple[int, int] | None:
        """(device, inode) of the database file; None for ``:memory:`` or a missing file."""
        if self.path in ("", ":memory:") or self.path.startswith("file:"):
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _check_file(self) -> None:
        """The file is still the one opened; restore it from the connection if deleted."""
        if getattr(self, "_ident", None) is None:
            return
        now = self._file_ident()
        if now == self._ident:
            return
        if now is not None:
            raise StoreError(f"SQLite store {self._masked}: the file was replaced by another "
                             "one while the crawl was writing to it; not writing to it")
        logger.error("SQLite store %s: the file was deleted while the crawl was writing to it;"
                     " writing it back from the open connection", self._masked)
        restore = f"{self.path}.restore"
        try:
            copy = sqlite3.connect(restore)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            self._db.close()
            for stale in (f"{self.path}-wal", f"{self.path}-shm"):  # the deleted file's
                if os.path.exists(stale):
                    os.unlink(stale)
            os.replace(restore, self.path)
            self._db = sqlite3.connect(self.path, timeout=self._db_timeout, isolation_level=None,
                                       check_same_thread=False)
            for pragma in PRAGMAS:
                self._db.execute(pragma)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"SQLite store {self._masked}: the file was deleted while the "
                             f"crawl was writing to it and cannot be written back: {exc}"
                             ) from None
        self._ident = self._file_ident()
        logger.error("SQLite store %s: written back from the open connection; nothing lost",
                     self._masked)

    def _setup(self) -> None:
        db = self._db
        for pragma in PRAGMAS:
            db.execute(pragma)
        with self._tx():
            for collection in FIELDS:
                db.execute(sql.create_table(collection))
                have = {row[1] for row in db.execute(f"PRAGMA table_info({collection})")}
                for name in FIELDS[collection]:
                    if name not in have:
                        db.execute(sql.add_column(collection, name))
            for statement in sql.INDEXES:
                db.execute(statement)
            # A real write, so a read-only file fails here and not in the middle of a crawl.
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def masked_uri(self) -> str:
        return self._masked

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._check_file()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- writes -------------------------------------------------------------------
    def _write(self, batches: Iterable[write.Batch]) -> None:
        with self._tx() as db:
            for statement, params in batches:
                db.executemany(statement, params)

    def _upsert_seen(
        self,
        collection: str,
        docs: Sequence[Mapping[str, Any]],
        prepare_doc: Callable[[Mapping[str, Any]], tuple[Doc, datetime]],
        **fields: Any,
    ) -> None:
        """Upsert sighted documents: ``last_seen`` moves, ``first_seen`` is set on insert.

        Backlinks and mentions take ``write.seen_upserts``'s fast path (the crawler's hot
        write), which falls back to this general one for unusual documents."""

        def general(raws: Sequence[Mapping[str, Any]]) -> Iterator[write.Batch]:
            rows = []
            for raw in raws:
                doc, seen = prepare_doc(raw)
                doc.update(last_seen=seen, **fields)
                doc["first_seen"] = doc.get("first_seen") or seen
                rows.append(doc)
            return write.upserts(collection, rows, frozenset({"first_seen"}))

        if collection not in write.FAST_SEEN:
            self._write(general(docs))
            return
        last_rowid = f"SELECT coalesce(max(rowid), 0) FROM {collection}"
        with self._tx() as db:
            for statement, params, fix in write.seen_upserts(collection, docs, fields, general):
                before = db.execute(last_rowid).fetchone()[0] if fix else 0
                db.executemany(statement, params)
                # Each inserted row takes max(rowid) + 1, so when the rowids grew by the
                # number of rows no row was updated and the indexed columns are all set.
                if fix and db.execute(last_rowid).fetchone()[0] - before != len(params):
                    db.executemany(fix[0], map(fix[1], params))

    @_wrap_errors
    def upsert_pages(self, pages: Sequence[Mapping[str, Any]]) -> None:
        self._upsert_seen("pages", pages, prepare_page)

    @_wrap_errors
    def upsert_backlinks(self, links: Sequence[Mapping[str, Any]]) -> None:
        self._upsert_seen("backlinks", links, prepare_backlink, **LIVE_LINK)

    @_wrap_errors
    def insert_backlinks(self, links: Sequence[Mapping[str, Any]]) -> int:
        rows = []
        for raw in links:
            doc, seen = prepare_backlink(raw)
            doc["first_seen"] = doc.get("first_seen") or seen
            doc["last_seen"] = doc.get("last_seen") or seen
            doc.setdefault("status", LIVE_LINK["status"])
            rows.append(doc)
        names = frozenset(name for row in rows for name in row)
        with self._tx() as db:
            before = db.total_changes
            for statement, params in write.upserts("backlinks", rows, names):
                db.executemany(statement, params)  # ON CONFLICT DO NOTHING: all insert-only
            return db.total_changes - before

    @_wrap_errors
    def add_domain_edges(
        self, edges: Mapping[tuple[str, str], int], seen_at: datetime, run_id: str,
        batch: tuple[str, int] | None = None, stored_upto: int = 0,
    ) -> None:
        seen = sql.encode("time", utc(seen_at))
        columns = ("links", "run_id", "writer", "batches_upto", "batches")
        select = (f"SELECT {', '.join(columns)} FROM domain_edges"
                  " WHERE source_domain = ? AND target_domain = ?")
        # One transaction (BEGIN IMMEDIATE): no other writer comes between the read of an
        # edge and its update, so count_batch sees what the update replaces.
        with self._tx() as db:
            params = []
            for (src, dst), n in edges.items():
                row = db.execute(select, (src, dst)).fetchone()
                stored = None if row is None else {
                    **dict(zip(columns, row, strict=True)), "batches": json.loads(row[4] or "[]")}
                after = count_batch(stored, run_id, int(n), batch, stored_upto)
                params.append((src, dst, after.links, seen, seen if after.counted else None,
                               run_id, after.writer, after.batches_upto,
                               sql.encode(LIST, list(after.batches))))
            db.executemany(
                "INSERT INTO domain_edges (source_domain, target_domain, links, first_seen,"
                " last_seen, run_id, writer, batches_upto, batches)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source_domain, target_domain) DO UPDATE SET"
                " links = excluded.links, last_seen = coalesce(excluded.last_seen, last_seen),"
                " run_id = excluded.run_id, writer = excluded.writer,"
                " batches_upto = excluded.batches_upto, batches = excluded.batches",
                params,
            )

    @_wrap_errors
    def refresh_referring_domains(self, pairs: Iterable[tuple[str, str]] | None = None) -> int:
        with self._tx() as db:
            join = ""
            if pairs is not None:
                db.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS rd_pairs"
                    " (t TEXT, s TEXT, PRIMARY KEY (t, s)) WITHOUT ROWID"
                )
                db.execute("DELETE FROM temp.rd_pairs")
                db.executemany("INSERT OR IGNORE INTO temp.rd_pairs VALUES (?, ?)", pairs)
                join = " JOIN temp.rd_pairs p ON p.t = b.target_domain AND p.s = b.source_domain"
            join += f" WHERE {_COUNTED}"  # not replaced by an edited link, not a mere claim
            # One GROUP BY over the affected pairs; lists are sorted and cleaned in rd_row.
            cursor = db.execute(
                "SELECT b.target_domain, b.source_domain, count(*),"
                " coalesce(sum(b.status = 'live'), 0),"
                " coalesce(sum(b.status = 'live' AND b.follow), 0),"
                " count(DISTINCT b.source_url),"
                " json_group_array(DISTINCT b.link_type) FILTER (WHERE b.status = 'live'),"
                " json_group_array(DISTINCT b.location) FILTER (WHERE b.status = 'live'),"
                " min(b.first_seen), max(b.last_seen)"
                f" FROM backlinks b{join} GROUP BY b.target_domain, b.source_domain"
            )
            aggregates = cursor.fetchall()
            best = {
                (t, s): {"source_url": url, "anchor_text": anchor}
                for t, s, url, anchor in db.execute(
                    "SELECT target_domain, source_domain, source_url, anchor_text FROM ("
                    " SELECT b.target_domain, b.source_domain, b.source_url, b.anchor_text,"
                    " row_number() OVER (PARTITION BY b.target_domain, b.source_domain"
                    f" ORDER BY {best_link_order_sql('b')}) AS rn"
                    f" FROM backlinks b{join}) WHERE rn = 1"
                )
            }
            rows = [
                rd_row(
                    (t, s), backlinks=n, live=live, followed=followed, pages=pages,
                    link_types=sql.decode_json(types), locations=sql.decode_json(locs),
                    first_seen=sql.decode_time(first), last_seen=sql.decode_time(last),
                    best=best.get((t, s)),
                )
                for t, s, n, live, followed, pages, types, locs, first, last in aggregates
            ]
            for statement, params in write.upserts("referring_domains", rows):
                db.executemany(statement, params)
            # Rows whose backlinks are gone are removed (backlinks are normally never deleted).
            scope = (
                " AND EXISTS (SELECT 1 FROM temp.rd_pairs p WHERE p.t = r.target_domain"
                " AND p.s = r.referring_domain)" if pairs is not None else ""
            )
            db.execute(
                "DELETE FROM referring_domains AS r WHERE NOT EXISTS (SELECT 1 FROM backlinks b"
                " WHERE b.target_domain = r.target_domain"
                f" AND b.source_domain = r.referring_domain AND {_COUNTED})"
                f"{scope}"
            )
        return len(rows)

    @_wrap_errors
    def upsert_mentions(self, mentions: Sequence[Mapping[str, Any]]) -> None:
        self._upsert_seen("mentions", mentions, prepare_mention, **LIVE_MENTION)

    @_wrap_errors
    def replace_placements(
        self, pairs: Iterable[tuple[str, str]], placements: Sequence[Mapping[str, Any]]
    ) -> None:
        rows = [prepare("placements", p) for p in placements]
        with self._tx() as db:
            db.executemany("DELETE FROM placements WHERE target_domain = ? AND source_domain = ?",
                           list(pairs))
            for statement, params in write.upserts("placements", rows):
                db.executemany(statement, params)

    @_wrap_errors
    def start_run(self, run: Mapping[str, Any]) -> None:
        doc = prepare("runs", run)
        doc["store_uri"] = mask_uri(doc.get("store_uri") or self.uri)
        self._write(write.upserts("runs", [doc]))

    @_wrap_errors
    def finish_run(
        self, run_id: str, *, finished_at: datetime, finish_reason: str, stats: Mapping[str, Any]
    ) -> None:
        doc = prepare("runs", {"run_id": run_id, "finished_at": finished_at,
                               "finish_reason": finish_reason, "stats": stats})
        self._write(write.upserts("runs", [doc]))

    @_wrap_errors
    def update_backlinks(self, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        docs = {
            key: prepare("backlinks", fields, frozenset({"key"}))
            for key, fields in key_to_fields.items()
        }
        self._write(write.updates("backlinks", docs))

    @_wrap_errors
    def update_mentions(self, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        docs = {
            key: prepare("mentions", fields, frozenset({"key"}))
            for key, fields in key_to_fields.items()
        }
        self._write(write.updates("mentions", docs))

    @_wrap_errors
    def set_domain_scores(self, scores: Mapping[str, Mapping[str, Any]]) -> int:
        kinds = FIELDS["referring_domains"]
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for domain, fields in scores.items():
            names = tuple(sorted(fields))
            for name in names:
                if name not in kinds or name in ("target_domain", "referring_domain"):
                    raise ValueError(f"not a score field of referring_domains: {name!r}")
            values = [sql.encode(kinds[n], fields[n]) for n in names]
            groups.setdefault(names, []).append([*values, domain])
        changed = 0
        with self._tx() as db:
            for names, params in groups.items():
                if not names:
                    continue
                sets = ", ".join(f"{n} = ?{i + 1}" for i, n in enumerate(names))
                cursor = db.executemany(
                    f"UPDATE referring_domains SET {sets} WHERE referring_domain = ?"
                    f"{len(names) + 1}",
                    params,
                )
                changed += cursor.rowcount
        return changed

    # --- reads --------------------------------------------------------------------
    @_wrap_errors
    def find(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        *,
        sort: Sequence[tuple[str, int]] = (),
        limit: int = 0,
    ) -> list[Doc]:
        columns = [*check_collection(collection), sql.EXTRA]
        clause, params = sql.where_sql(collection, where)
        statement = f"SELECT {', '.join(columns)} FROM {collection}{clause}"
        statement += sql.order_sql(collection, sort)
        if limit:
            statement += f" LIMIT {int(limit)}"
        decs = sql.decoders(collection, columns)
        with self._lock:
            rows = self._db.execute(statement, params).fetchall()
        return [sql.decode_row(columns, decs, row) for row in rows]

    @_wrap_errors
    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        check_collection(collection)
        clause, params = sql.where_sql(collection, where)
        with self._lock:
            row = self._db.execute(f"SELECT count(*) FROM {collection}{clause}", params).fetchone()
        return int(row[0])
