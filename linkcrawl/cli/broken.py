"""``linkcrawl broken``: check the pages the backlinks point to; list the links to reclaim."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from linkcrawl.config import parse_list
from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def add_parser(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("broken", help="fetch each linked target page once; list broken "
                                        "backlinks to reclaim")
    cmd.add_argument("--target", required=True, help="target domain(s), comma-separated")
    cmd.add_argument("--limit", type=int, default=20, help="rows in the terminal table")
    cmd.add_argument("--store", help=store_help)
    cmd.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")
    cmd.set_defaults(func=lambda a: run(a, store_uri(a)))


def run(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.crawl.runner import run_crawl
    from linkcrawl.report.build import build_report
    from linkcrawl.report.tables import format_table
    from linkcrawl.store import open_store

    targets = parse_list(args.target)
    if not targets:
        raise ConfigError("--target needs a domain")
    if args.limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {args.limit}")
    overrides = {"LINKCRAWL_STORE_URI": store_uri,
                 "LOG_LEVEL": "INFO" if args.verbose else "WARNING"}
    if os.environ.get("LINKCRAWL_HTTP_PROXY"):  # e.g. the demo web's
        overrides["LINKCRAWL_HTTP_PROXY"] = os.environ["LINKCRAWL_HTTP_PROXY"]
    stats = run_crawl("targets", {"target": ",".join(targets)}, overrides)
    states = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("targets/")}
    print(f"checked {sum(states.values())} target URLs: "
          + (", ".join(f"{n} {k}" for k, n in sorted(states.items())) or "none stored"))
    with open_store(store_uri) as store:
        for target in targets:
            rows = build_report(store, target).broken()
            print(f"\n{target}: {len(rows)} live backlinks point to broken or redirected pages")
            if rows:
                print(format_table(rows[:args.limit], (
                    "target_url", "target_reason", "source_url", "anchor_text")))
    return 0
