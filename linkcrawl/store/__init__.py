"""Open a store from a URI; the only door to SQLite and MongoDB in linkcrawl.

Supported URIs:

- ``sqlite:///relative/path.db`` (relative to the working folder), ``sqlite:////abs/path.db``,
  ``sqlite:///:memory:``; the folder is created when missing;
- ``mongodb://[user:password@]host[:port][,host...]/DBNAME[?options]`` and
  ``mongodb+srv://...``: the database name is the URI path and is required;
- ``mongomock://DBNAME``: an in-memory fake MongoDB (``mongomock_ng``) for tests only.
  Every open gets a new empty fake; it is slow, so keep its data small.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkcrawl.errors import StoreError
from linkcrawl.store.base import COLLECTIONS, Doc, Store
from linkcrawl.store.mongo import MongoStore, one_line
from linkcrawl.store.sqlite import SQLiteStore
from linkcrawl.store.uri import (
    SCHEMES,
    ensure_parent_dir,
    mask_uri,
    mongo_db_name,
    mongomock_db_name,
    scheme_of,
    sqlite_path,
)

__all__ = [
    "COLLECTIONS", "DEFAULT_STORE_URI", "Doc", "MongoStore", "SQLiteStore", "Store",
    "mask_uri", "open_store",
]

# The ``var/`` folder is git-ignored.
DEFAULT_STORE_URI = "sqlite:///var/linkcrawl.db"


def open_store(uri: str, *, timeout_ms: int = 5000, create: bool = True) -> Store:
    """Open (and for SQLite create) the store at ``uri``.

    ``create=False`` is for readers (reports, recheck, authority): a SQLite file that does
    not exist is a StoreError, and nothing (no file, no folder) is created.

    ``timeout_ms`` bounds how long to wait for MongoDB's server selection and for a
    locked SQLite file. MongoDB is pinged on open, so an unreachable server fails here.
    Raises :class:`StoreError` with a one-line message naming the masked URI.
    """
    uri = (uri or "").strip()
    if not uri:
        raise StoreError("no store URI given: use e.g. sqlite:///var/linkcrawl.db")
    scheme = scheme_of(uri)
    if scheme == "sqlite":
        path = sqlite_path(uri)
        if not create and path != ":memory:" and not Path(path).expanduser().is_file():
            raise StoreError(f"no store at {mask_uri(uri)}: nothing has been crawled into it "
                             "yet (run `linkcrawl demo` or a crawl first, or pass --store URI)")
        ensure_parent_dir(path, uri)
        return SQLiteStore(path, uri, timeout_ms=timeout_ms)
    if scheme in ("mongodb", "mongodb+srv"):
        return _open_mongo(uri, mongo_db_name(uri), timeout_ms)
    if scheme == "mongomock":
        try:
            import mongomock_ng  # a test dependency only
        except ImportError:
            raise StoreError(
                f"store URI {mask_uri(uri)} needs mongomock-ng, a test dependency"
            ) from None
        return MongoStore(mongomock_ng.MongoClient(tz_aware=True), mongomock_db_name(uri), uri)
    raise StoreError(
        f"unsupported store URI {mask_uri(uri)}: the scheme must be one of "
        + ", ".join(f"{s}://" for s in SCHEMES)
    )


def _password(uri: str) -> str:
    try:
        return unquote(urlsplit(uri.split("?", 1)[0]).password or "")
    except ValueError:
        return ""


def _open_mongo(uri: str, db_name: str, timeout_ms: int) -> MongoStore:
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    masked, secret = mask_uri(uri), _password(uri)
    try:
        client: MongoClient[dict] = MongoClient(
            uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms, tz_aware=True
        )
    except (PyMongoError, ValueError, TypeError) as exc:
        raise StoreError(f"bad store URI {masked}: {one_line(exc, secret)}") from None
    try:
        client.admin.command("ping")
    except PyMongoError as exc:
        client.close()
        raise StoreError(f"cannot reach MongoDB at {masked}: {one_line(exc, secret)}") from None
    return MongoStore(client, db_name, uri, secret=secret)
