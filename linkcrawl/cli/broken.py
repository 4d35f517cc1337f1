"""``linkcrawl broken``: check the pages the backlinks point to; list the links to reclaim."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from linkcrawl.cli.common import add_format, emit, note, targets_arg
from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def add_parser(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("broken", help="fetch each linked target page once; list broken "
                                        "backlinks to reclaim")
    cmd.add_argument("--target", required=True, help="target domain(s), comma-separated")
    cmd.add_argument("--limit", type=int, default=20, help="rows in the terminal table")
    cmd.add_argument("--store", help=store_help)
    cmd.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")
    add_format(cmd)
    cmd.set_defaults(func=lambda a: run(a, store_uri(a)))


def run(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.crawl.runner import run_crawl
    from linkcrawl.report.build import build_report
    from linkcrawl.report.output import pick
    from linkcrawl.report.tables import format_table
    from linkcrawl.store import open_store

    targets = list(dict.fromkeys(t.domain for t in targets_arg(args.target, "--target")))
    if args.limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {args.limit}")
    open_store(store_uri, create=False).close()  # no store: an error, nothing created
    overrides = {"LINKCRAWL_STORE_URI": store_uri,
                 "LOG_LEVEL": "INFO" if args.verbose else "WARNING"}
    if os.environ.get("LINKCRAWL_HTTP_PROXY"):  # e.g. the demo web's
        overrides["LINKCRAWL_HTTP_PROXY"] = os.environ["LINKCRAWL_HTTP_PROXY"]
    stats = run_crawl("targets", {"target": ",".join(targets)}, overrides)
    states = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("targets/")}
    checked = (f"checked {sum(states.values())} target URLs: "
               + (", ".join(f"{n} {k}" for k, n in sorted(states.items())) or "none stored"))
    found: dict[str, list[dict[str, Any]]] = {}
    with open_store(store_uri) as store:
        for target in targets:
            report = build_report(store, target)
            authority = {d["referring_domain"]: d.get("authority") for d in report.domains}
            found[target] = [{**pick(b, ROW_FIELDS), "target_domain": target,
                              "authority": authority.get(b["source_domain"])}
                             for b in report.broken()]
    if args.format != "table":
        note(checked)  # stdout is the data

    def table() -> str:
        parts = [checked]
        for target, rows in found.items():
            parts.append(f"\n{target}: {len(rows)} live backlinks point to broken or "
                         "redirected pages")
            if rows:
                parts.append(format_table(rows[:args.limit], (
                    "target_url", "target_reason", "source_url", "anchor_text")))
        return "\n".join(parts)

    emit(args.format, table,
         lambda: {"checked": states, "targets": [{"target": t, "rows": rows}
                                                  for t, rows in found.items()]},
         lambda: [row for rows in found.values() for row in rows], CSV_FIELDS)
    return 0


# what a broken backlink row carries in --format json and csv
ROW_FIELDS = ("target_url", "target_state", "target_status", "target_reason",
              "target_final_url", "target_checked_at", "source_url", "source_domain",
              "anchor_text", "follow")
CSV_FIELDS = ("target_domain", *ROW_FIELDS, "authority")
