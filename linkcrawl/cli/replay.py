"""``linkcrawl replay``: write a spill file left by a store outage into the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from linkcrawl.cli.common import store_uri
from linkcrawl.errors import ConfigError


def run(args: argparse.Namespace) -> int:
    from linkcrawl.ops.spill import replay
    from linkcrawl.store import open_store

    path = Path(args.spillfile)
    if not path.is_file():
        raise ConfigError(f"no spill file at {args.spillfile!r}")
    with open_store(store_uri(args)) as store:
        counts = replay(path, store)
        where = store.masked_uri
    print(f"replayed {counts.pages} pages, {counts.backlinks} backlinks, {counts.edges} domain "
          f"edges and {counts.runs} run records into {where}; ", end="")
    if counts.stale:
        print(f"left out {counts.stale} documents the store has newer data for; ", end="")
    if counts.torn:
        lines = ", ".join(map(str, counts.torn))
        print(f"skipped {len(counts.torn)} torn record{'s' if len(counts.torn) > 1 else ''} "
              f"(line {lines}); kept the file as {path}.torn")
    else:
        print(f"removed {path}")
    return 0
