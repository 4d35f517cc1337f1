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

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from linkcrawl import __version__
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
    "COLLECTIONS", "DEFAULT_STORE_URI", "Doc", "MongoOptions", "MongoStore", "SQLiteStore",
    "Store", "mask_uri", "open_store",
]

# The ``var/`` folder is git-ignored.
DEFAULT_STORE_URI = "sqlite:///var/linkcrawl.db"


def open_store(
    uri: str,
    *,
    timeout_ms: int | None = None,
    mongo_timeout_ms: int | None = None,
    write_concern: str | None = None,
    create: bool = True,
) -> Store:
    """Open (and for SQLite create) the store at ``uri``.

    ``create=False`` is for readers (reports, recheck, authority): a SQLite file that does
    not exist is a StoreError, and nothing (no file, no folder) is created.

    ``timeout_ms`` bounds how long opening waits for a MongoDB server (and each connection
    attempt) and for a locked SQLite file; ``mongo_timeout_ms`` bounds every later MongoDB
    operation, waiting for a server and retries included (pymongo's ``timeoutMS``);
    ``write_concern`` is MongoDB's ``w``. Left out, each is its setting's default
    (LINKCRAWL_MONGO_CONNECT_TIMEOUT_MS, LINKCRAWL_MONGO_TIMEOUT_MS,
    LINKCRAWL_MONGO_WRITE_CONCERN); an option the URI itself sets wins. MongoDB is pinged
    on open, so an unreachable server fails here.
    Raises :class:`StoreError` with a one-line message naming the masked URI.
    """
    defaults = MongoOptions()
    if timeout_ms is None:
        timeout_ms = defaults.connect_timeout_ms
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
        options = MongoOptions(
            connect_timeout_ms=timeout_ms,
            timeout_ms=defaults.timeout_ms if mongo_timeout_ms is None else int(mongo_timeout_ms),
            write_concern=str(write_concern or defaults.write_concern),
        )
        return _open_mongo(uri, mongo_db_name(uri), options)
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


@dataclass(frozen=True, slots=True)
class MongoOptions:
    """The client options linkcrawl sets (see :func:`open_store`). The defaults are those of
    the LINKCRAWL_MONGO_* settings (linkcrawl.config, which the store may not import; a
    test keeps the two equal), for commands that open a store without Scrapy settings."""

    connect_timeout_ms: int = 5000
    timeout_ms: int = 10000
    write_concern: str = "majority"

    def client_kwargs(self, uri: str) -> dict[str, Any]:
        """pymongo keyword options; those the URI's query already sets are left to it."""
        given = {name.lower() for name in parse_qs(uri.partition("?")[2])}
        w: int | str = int(self.write_concern) if self.write_concern.isdigit() \
            else self.write_concern
        if w == 0:
            raise StoreError("LINKCRAWL_MONGO_WRITE_CONCERN must not be 0: unacknowledged "
                             "writes cannot tell the crawl that a batch was lost")
        if self.timeout_ms < 0 or self.connect_timeout_ms < 1:
            raise StoreError("LINKCRAWL_MONGO_TIMEOUT_MS must be >= 0 (0 = no limit) and "
                             "LINKCRAWL_MONGO_CONNECT_TIMEOUT_MS >= 1")
        wanted: dict[str, Any] = {
            "appname": f"linkcrawl/{__version__}",
            "serverSelectionTimeoutMS": self.connect_timeout_ms,
            "connectTimeoutMS": self.connect_timeout_ms,
            "timeoutMS": self.timeout_ms or None,
            "retryWrites": True,
            "w": w,
        }
        kwargs = {name: value for name, value in wanted.items() if name.lower() not in given}
        kwargs["tz_aware"] = True
        return kwargs


def _open_mongo(uri: str, db_name: str, options: MongoOptions) -> MongoStore:
    """One client for the store's whole life (every write and read goes through it)."""
    import pymongo
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    masked, secret = mask_uri(uri), _password(uri)
    kwargs = options.client_kwargs(uri)
    try:
        client: MongoClient[dict] = MongoClient(uri, **kwargs)
    except (PyMongoError, ValueError, TypeError) as exc:
        raise StoreError(f"bad store URI {masked}: {one_line(exc, secret)}") from None
    try:
        # With timeoutMS set, pymongo waits that long (not serverSelectionTimeoutMS) for a
        # server; opening is bounded by the connect timeout, so a dead server fails fast.
        with pymongo.timeout(options.connect_timeout_ms / 1000):
            client.admin.command("ping")
    except PyMongoError as exc:
        client.close()
        raise StoreError(f"cannot reach MongoDB at {masked}: {one_line(exc, secret)}") from None
    return MongoStore(client, db_name, uri, secret=secret)
