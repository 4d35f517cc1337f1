"""``linkcrawl disavow``: write a disavow file for review from explicit rules."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from linkcrawl.cli.common import targets_arg
from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def add_parser(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("disavow", help="write a disavow file for review (never applied)")
    cmd.add_argument("--target", required=True, help="your domain")
    cmd.add_argument("--keywords", help="money keywords for exact-match anchors (comma-separated)")
    cmd.add_argument("--rules", metavar="FILE", help="TOML file with rule thresholds")
    cmd.add_argument("--out", metavar="FILE", help="where to write (default: disavow-TARGET.txt)")
    cmd.add_argument("--store", help=store_help)
    cmd.set_defaults(func=lambda a: run(a, store_uri(a)))


def run(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.report.disavow import disavow_text, load_rules, suspect_links
    from linkcrawl.store import open_store

    target = targets_arg(args.target, "--target")[0].domain  # read as a crawl reads it
    rules = load_rules(Path(args.rules) if args.rules else None)
    with open_store(store_uri, create=False) as store:
        keywords = [k.strip() for k in (args.keywords or "").split(",") if k.strip()]
        listings = suspect_links(store, target, rules, keywords)
    text, left_out = disavow_text(listings, target, datetime.now(UTC).strftime("%Y-%m-%d"))
    out = Path(args.out or f"disavow-{target}.txt")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {out}: {exc.strerror or exc}") from None
    domains = sum(1 for x in listings if x.kind == "domain")
    print(f"wrote {out}: {domains} domains and {len(listings) - domains} pages for review "
          "(nothing is applied; read every line before uploading it anywhere)")
    if left_out:
        print(f"warning: {left_out} entries left out to stay under 100,000 lines and 2 MB")
    return 0
