"""``linkcrawl disavow``: write a disavow file for review from explicit rules."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from linkcrawl.cli.common import add_format, emit, note, targets_arg
from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def add_parser(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("disavow", help="write a disavow file for review (never applied)")
    cmd.add_argument("--target", required=True, help="your domain")
    cmd.add_argument("--keywords", help="money keywords for exact-match anchors (comma-separated)")
    cmd.add_argument("--rules", metavar="FILE", help="TOML file with rule thresholds")
    cmd.add_argument("--out", metavar="FILE", help="where to write (default: disavow-TARGET.txt)")
    cmd.add_argument("--store", help=store_help)
    add_format(cmd, help_text="what is printed about the file written: table (a summary "
                              "line, default), json or csv (every line listed, why, by "
                              "which rule)")
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
    summary = (f"wrote {out}: {domains} domains and {len(listings) - domains} pages for review "
               "(nothing is applied; read every line before uploading it anywhere)")
    warning = (f"warning: {left_out} entries left out to stay under 100,000 lines and 2 MB"
               if left_out else "")
    rows = [{"kind": x.kind, "value": x.value, "rule": x.rule, "why": x.why} for x in listings]
    if args.format != "table":  # stdout is the data
        note(summary)
        if warning:
            note(warning)
    emit(args.format, lambda: "\n".join(filter(None, (summary, warning))),
         lambda: {"target": target, "file": str(out), "domains": domains,
                  "pages": len(listings) - domains, "left_out": left_out, "rows": rows},
         lambda: rows, ("kind", "value", "rule", "why"))
    return 0
