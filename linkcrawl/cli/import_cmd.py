"""``linkcrawl import FILE... --target T [--verify]``: vendor exports become claimed backlinks.

``--verify`` runs the ``recheck`` spider on the claims (``status=claimed``): each linking page
is fetched once, and the report says per tool how many claims were confirmed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def setting_overrides(pairs: list[str] | None) -> dict[str, Any]:
    """``-s NAME=VALUE`` options, as ``scrapy crawl -s`` takes them."""
    out: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"-s expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def cmd_import(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.navigate.seeds import load_targets
    from linkcrawl.sources.imports import claim_report, claim_report_text, import_exports
    from linkcrawl.store import open_store

    targets = load_targets(args.target, None)
    if len(targets) != 1:
        raise ConfigError("--target takes one domain (the site the export is about)")
    target = targets[0]
    overrides = setting_overrides(args.set)
    with open_store(store_uri) as store:
        for counts in import_exports(store, [Path(p) for p in args.files], target):
            skipped = ", ".join(f"{n} {why}" for why, n in sorted(counts.skipped.items()))
            print(f"{counts.path}: {counts.tool} ({counts.layout}): {counts.rows} rows, "
                  f"{counts.claims} new claims, {counts.known} already stored"
                  + (f"; skipped {skipped}" if skipped else ""))
    if args.verify:
        from linkcrawl.crawl.runner import run_crawl

        stats = run_crawl("recheck", {"target": target, "status": "claimed"},
                          {"LINKCRAWL_STORE_URI": store_uri,
                           "LOG_LEVEL": "INFO" if args.verbose else "WARNING", **overrides})
        checked = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                   if k.startswith("recheck/claims/")}
        print(f"verified {sum(checked.values())} claims: "
              + (", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(checked.items()))
                 or "none to check"))
    with open_store(store_uri) as store:
        print(claim_report_text(claim_report(store, [target])))
    return 0


def add_command(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("import", help="read backlink exports (Search Console, Ahrefs, Semrush, "
                                        "Majestic, Moz) as claims; --verify fetches them")
    cmd.add_argument("files", nargs="+", metavar="FILE", help="CSV export(s)")
    cmd.add_argument("--target", required=True, help="the site the exports are about")
    cmd.add_argument("--verify", action="store_true",
                     help="fetch every claimed linking page once and confirm or refute it")
    cmd.add_argument("--store", help=store_help)
    cmd.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                     help="a crawl setting for --verify (repeatable), e.g. "
                          "LINKCRAWL_HTTP_PROXY=http://127.0.0.1:8080")
    cmd.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")
    cmd.set_defaults(func=lambda a: cmd_import(a, store_uri(a)))
