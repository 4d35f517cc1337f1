"""``linkcrawl serve``: browse a SQLite store in the browser (Datasette), read-only."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from linkcrawl.errors import ConfigError, StoreError

StoreUri = Callable[[argparse.Namespace], str]


def add_parser(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("serve", help="browse the store in a web browser (read-only)")
    cmd.add_argument("--store", help=store_help)
    cmd.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1: this machine only)")
    cmd.add_argument("--port", type=int, default=8001, help="port (default 8001; 0: any free)")
    cmd.set_defaults(func=lambda a: run(a, store_uri(a)))


def database_path(uri: str) -> Path:
    """The SQLite file of ``uri``; raises for other stores and for files that do not exist."""
    from linkcrawl.store.uri import scheme_of, sqlite_path

    if scheme_of(uri) != "sqlite":
        raise ConfigError("serve browses SQLite stores; with MongoDB use mongosh or MongoDB "
                          "Compass (`linkcrawl queries --format mongo` prints the questions)")
    path = Path(sqlite_path(uri))
    if str(path) == ":memory:" or not path.is_file():
        raise StoreError(f"no store at {path}: crawl first (make demo, or scrapy crawl ...)")
    return path


def run(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.report.browse import datasette_metadata

    path = database_path(store_uri)
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {args.port}")
    try:
        import datasette  # noqa: F401  (an optional dependency: `pip install linkcrawl[serve]`)
    except ImportError:
        raise ConfigError("serve needs Datasette: pip install 'linkcrawl[serve]'") from None
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}: anyone who can reach it can read the store",
              file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="linkcrawl-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(datasette_metadata(path.stem)), encoding="utf-8")
        cmd = [sys.executable, "-m", "datasette", "serve", "--immutable", str(path),
               "--metadata", str(meta), "--host", args.host, "--port", str(args.port),
               "--setting", "default_page_size", "50", "--setting", "sql_time_limit_ms", "5000",
               "--setting", "allow_download", "off"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        print(f"serving {path} read-only on http://{args.host}:{args.port}/ (Ctrl-C to stop)",
              flush=True)
        try:
            return subprocess.call(cmd, env=env)
        except KeyboardInterrupt:
            return 0
