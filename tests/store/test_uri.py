"""Store URIs: parsing, masking, and one-line errors for every way opening can fail."""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from linkcrawl.errors import StoreError
from linkcrawl.store import DEFAULT_STORE_URI, SQLiteStore, mask_uri, open_store
from linkcrawl.store.uri import mongo_db_name, sqlite_path


@pytest.mark.parametrize(
    ("uri", "masked"),
    [
        ("mongodb://bob:secret@db.test:27017/lc", "mongodb://bob:***@db.test:27017/lc"),
        ("mongodb+srv://bob:s%40cret@c.example.net/lc?retryWrites=true",
         "mongodb+srv://bob:***@c.example.net/lc?retryWrites=true"),
        ("mongodb://bob:se@cr/et@h1:1,h2:2/lc", "mongodb://bob:***@h1:1,h2:2/lc"),
        ("mongodb://bob@db.test/lc", "mongodb://bob@db.test/lc"),
        ("mongodb://db.test/lc?tls=true&tlsCertificateKeyFilePassword=secret",
         "mongodb://db.test/lc?tls=true&tlsCertificateKeyFilePassword=***"),
        ("sqlite:///var/linkcrawl.db", "sqlite:///var/linkcrawl.db"),
        ("not a uri:secret@x", "not a uri:secret@x"),
    ],
)
def test_mask_uri(uri: str, masked: str) -> None:
    assert mask_uri(uri) == masked


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("sqlite:///var/linkcrawl.db", "var/linkcrawl.db"),
        ("sqlite:////srv/data/lc.db", "/srv/data/lc.db"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite:///my%20data/lc.db", "my data/lc.db"),
    ],
)
def test_sqlite_path(uri: str, path: str) -> None:
    assert sqlite_path(uri) == path


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        ("mongodb://db.test/linkcrawl", "linkcrawl"),
        ("mongodb://bob:pw@h1:27017,h2:27018/lc?replicaSet=rs0", "lc"),
        ("mongodb+srv://bob:p/w@cluster.example.net/crawl?authSource=admin", "crawl"),
    ],
)
def test_mongo_db_name(uri: str, name: str) -> None:
    assert mongo_db_name(uri) == name


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("", "no store URI given"),
        ("postgres://bob:secret@db.test/lc", "unsupported store URI postgres://bob:***@"),
        ("db.sqlite", "unsupported store URI db.sqlite"),
        ("mongodb://bob:secret@127.0.0.1:1", "no database name"),
        ("mongodb://bob:secret@127.0.0.1:1/", "no database name"),
        ("mongodb://bob:secret@127.0.0.1:1/?authSource=admin", "no database name"),
        ("mongodb://bob:secret@127.0.0.1:1/bad.name", "invalid database name"),
        ("mongodb+srv://bob:secret@h1:1,h2:2/lc", "bad store URI mongodb+srv://bob:***@h1"),
        ("mongodb://bob:secret:x@127.0.0.1:1/lc", "must be escaped"),
        ("mongomock://", "use mongomock://DBNAME"),
        ("sqlite://", "SQLite URIs have no host"),
        ("sqlite://host/lc.db", "SQLite URIs have no host"),
        ("sqlite:///", "no database file"),
        ("sqlite:///var/?mode=ro", "take no query"),
        ("sqlite:////proc/linkcrawl/x/lc.db", "cannot create the folder for sqlite:////proc"),
    ],
)
def test_bad_uris_fail_with_one_clear_line(uri: str, message: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(uri, timeout_ms=200)
    text = str(info.value)
    assert message in text
    assert "\n" not in text and "secret" not in text


def test_unreachable_mongodb_fails_fast_without_the_password() -> None:
    uri = f"mongodb://bob:secret@127.0.0.1:{_closed_port()}/linkcrawl"
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        open_store(uri, timeout_ms=300)
    text = str(info.value)
    assert time.monotonic() - started < 5
    assert text.startswith("cannot reach MongoDB at mongodb://bob:***@127.0.0.1:")
    assert "\n" not in text and "secret" not in text


def test_sqlite_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"^cannot open SQLite store sqlite:///.*: unable"):
        open_store(f"sqlite:///{tmp_path}")


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("these are not the pages you are looking for\n" * 200)
    with pytest.raises(StoreError, match="file is not a database"):
        open_store(f"sqlite:///{tmp_path}/notes.db")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_sqlite_read_only_file(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path}/ro.db").close()
    (tmp_path / "ro.db").chmod(0o444)
    with pytest.raises(StoreError, match="readonly"):
        open_store(f"sqlite:///{tmp_path}/ro.db")


def test_relative_sqlite_path_creates_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///var/sub/lc.db") as store:
        assert isinstance(store, SQLiteStore)
    assert (tmp_path / "var" / "sub" / "lc.db").is_file()


def test_default_store_uri_is_a_git_ignored_sqlite_file() -> None:
    assert DEFAULT_STORE_URI == "sqlite:///var/linkcrawl.db"
    assert sqlite_path(DEFAULT_STORE_URI) == "var/linkcrawl.db"


def test_memory_sqlite_store_works() -> None:
    with open_store("sqlite:///:memory:") as store:
        store.add_domain_edges({("a.test", "t.test"): 2}, datetime.now(UTC), "r1")
        assert store.count("domain_edges") == 1


def _open_at_once(args: tuple[str, object]) -> str:
    uri, barrier = args
    barrier.wait()  # every process opens the new file at the same moment
    try:
        open_store(uri).close()
    except Exception as exc:  # reported to the parent, which asserts on it
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_processes_opening_a_new_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    """Switching a new file to WAL fails at once while another writer switches it too
    (parallel archive scans hit this): opening waits and tries again instead."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager, ctx.Pool(6) as pool:
        for attempt in range(3):  # the race is not hit every time: three new files
            uri = f"sqlite:///{tmp_path / f'race{attempt}.db'}"
            barrier = manager.Barrier(6)
            assert pool.map(_open_at_once, [(uri, barrier)] * 6) == ["ok"] * 6
