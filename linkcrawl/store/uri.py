"""Parsing and masking of store URIs, without touching any database.

Every error message names the URI through :func:`mask_uri`, so a password typed on the
command line never reaches a log, a report or a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from linkcrawl.errors import StoreError

SCHEMES: tuple[str, ...] = ("sqlite", "mongodb", "mongodb+srv", "mongomock")

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# MongoDB forbids these characters in database names (MongoDB manual, "Naming Restrictions").
_BAD_DB_CHARS = frozenset('/\\. "$*<>:|?')
_MONGO_DB_NAME_MAX = 63


def scheme_of(uri: str) -> str:
    """The lower-cased scheme (``sqlite``, ``mongodb`` ...), or "" when there is none."""
    match = _SCHEME_RE.match(uri)
    return match.group(1).lower() if match else ""


def mask_uri(uri: str) -> str:
    """``uri`` with the password (and any ``*password*=`` query value) replaced by ``***``.

    The user name is kept, so the masked URI still says who connects where.
    """
    match = _SCHEME_RE.match(uri)
    if not match:
        return uri
    head, rest = uri[: match.end()], uri[match.end() :]
    query_at = rest.find("?")
    authority_and_path = rest if query_at < 0 else rest[:query_at]
    query = "" if query_at < 0 else rest[query_at:]
    # The last "@" before the query ends the user info, even if the password holds a raw "@".
    at = authority_and_path.rfind("@")
    if at >= 0:
        userinfo, after = authority_and_path[:at], authority_and_path[at:]
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        authority_and_path = userinfo + after
    if query:
        query = re.sub(r"(?i)([?&][^=&]*password[^=&]*=)[^&]*", r"\1***", query)
    return head + authority_and_path + query


def sqlite_path(uri: str) -> str:
    """The file path in ``sqlite:///relative.db``, ``sqlite:////abs.db`` or ``sqlite:///:memory:``.

    Raises :class:`StoreError` when the URI has a host, a query or no path.
    """
    rest = uri[len("sqlite://") :]
    if "?" in rest or "#" in rest:
        raise StoreError(f"bad store URI {mask_uri(uri)}: SQLite URIs take no query or fragment")
    if not rest.startswith("/"):
        raise StoreError(
            f"bad store URI {mask_uri(uri)}: SQLite URIs have no host; "
            "use sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    path = unquote(rest[1:])
    if not path or path.endswith("/"):
        raise StoreError(
            f"bad store URI {mask_uri(uri)}: no database file; "
            "use e.g. sqlite:///var/linkcrawl.db"
        )
    return path


def mongo_db_name(uri: str) -> str:
    """The database name from the path of a ``mongodb://``/``mongodb+srv://`` URI.

    Raises :class:`StoreError` when it is missing or not a valid MongoDB database name.
    """
    rest = uri[len(scheme_of(uri)) + 3 :]
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    # The user info may hold a raw "/" in the password: look for the path after the last "@".
    hosts_and_path = rest[rest.rfind("@") + 1 :]
    _, slash, path = hosts_and_path.partition("/")
    name = unquote(path) if slash else ""
    example = f"e.g. {scheme_of(uri)}://HOST/linkcrawl"
    if not name:
        raise StoreError(f"bad store URI {mask_uri(uri)}: no database name in the path ({example})")
    if set(name) & _BAD_DB_CHARS or len(name) > _MONGO_DB_NAME_MAX:
        raise StoreError(f"bad store URI {mask_uri(uri)}: invalid database name {name!r}")
    return name


def mongomock_db_name(uri: str) -> str:
    """The database name of a test-only ``mongomock://DBNAME`` URI."""
    name = uri[len("mongomock://") :].strip("/")
    if not name or set(name) & _BAD_DB_CHARS:
        raise StoreError(f"bad store URI {mask_uri(uri)}: use mongomock://DBNAME")
    return name


def ensure_parent_dir(path: str, uri: str) -> None:
    """Create the folder that will hold the SQLite file (``var/`` on a fresh checkout)."""
    if path == ":memory:":
        return
    try:
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StoreError(
            f"cannot create the folder for {mask_uri(uri)}: {reason}"
        ) from None
