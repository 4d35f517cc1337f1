"""``linkcrawl report | recheck | authority | queries``: the backlink-intelligence commands.

Kept apart from :mod:`linkcrawl.cli.main` (which registers them through :func:`add_commands`)
so that the entry module stays small. Errors are LinkcrawlErrors: one line, an exit code.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from linkcrawl.config import parse_list
from linkcrawl.errors import ConfigError

logger = logging.getLogger(__name__)
StoreUri = Callable[[argparse.Namespace], str]


def cmd_report(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.classify.anchors import AnchorRules
    from linkcrawl.crawl.terminal import TerminalLine
    from linkcrawl.report.build import build_report, report_text
    from linkcrawl.report.gap import link_gap
    from linkcrawl.report.to_csv import write_csv
    from linkcrawl.report.to_html import write_html
    from linkcrawl.store import open_store

    targets = parse_list(args.target)
    if not targets:
        raise ConfigError("--target needs a domain")
    if (args.csv or args.html) and len(targets) > 1:
        raise ConfigError("--csv and --html take one --target at a time")
    with open_store(store_uri) as store:
        for target in targets:
            rules = AnchorRules.for_target(target, parse_list(args.brand),
                                           _keywords(args.keywords))
            report = build_report(store, target, rules)
            if args.csv:
                count = CsvCount(TerminalLine())
                written = write_csv(report, Path(args.csv), progress=count)
                count.line.done()
                print(f"wrote {', '.join(f'{n} ({c} rows)' for n, c in written.items())} "
                      f"to {args.csv}")
            if args.html:
                competitors = [c for c in parse_list(args.competitor) if c != target]
                gap = (competitors, link_gap(store, target, competitors)) if competitors else None
                write_html(report, Path(args.html), gap=gap)
                print(f"wrote {args.html}")
            if not (args.csv or args.html):
                print(report_text(report, limit=args.limit))
                print()
    return 0


class CsvCount:
    """Files and rows written so far, on the terminal line (nothing when not a TTY)."""

    def __init__(self, line: Any) -> None:
        self.line, self.files, self.rows = line, 0, 0

    def __call__(self, name: str, rows: int) -> None:
        self.files += 1
        self.rows += rows
        self.line.show(f"CSV: {self.files} files, {self.rows} rows (last {name}), "
                       f"{self.line.elapsed()}", force=True)


def _keywords(value: str | None) -> list[str]:
    """Keywords are phrases: comma-separated (spaces belong to the phrase)."""
    return [k.strip() for k in (value or "").split(",") if k.strip()]


def cmd_authority(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.crawl.terminal import TerminalLine
    from linkcrawl.report.authority import authority_scores, read_ranks
    from linkcrawl.store import open_store

    line = TerminalLine()
    with open_store(store_uri) as store:
        line.show("authority: reading domain links", force=True)
        edges = [(e["source_domain"], e["target_domain"]) for e in store.find("domain_edges")]
        line.show(f"authority: {len(edges)} domain links read, scoring, {line.elapsed()}",
                  force=True)
        scores = authority_scores(edges)
        line.show(f"authority: {len(scores)} domains scored, writing, {line.elapsed()}",
                  force=True)
        matched = store.set_domain_scores({d: {"authority": s} for d, s in scores.items()})
        line.done(f"authority: {len(scores)} domains scored, {matched} rows written, "
                  f"{line.elapsed()}")
        print(f"authority: {len(scores)} domains scored from {len(edges)} domain links; "
              f"{matched} referring-domain rows updated")
        top = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        for domain, score in top:
            print(f"  {score:6.2f}  {domain}")
        if args.import_file:
            wanted = {r["referring_domain"] for r in store.find("referring_domains")}
            path = Path(args.import_file)
            if not path.is_file():
                raise ConfigError(f"cannot read ranking file {args.import_file!r}")
            try:
                ranks = dict(read_ranks(path, wanted))
            except (ValueError, OSError, EOFError) as exc:
                raise ConfigError(f"cannot import {args.import_file}: {exc}") from None
            matched = store.set_domain_scores({d: {"public_rank": r} for d, r in ranks.items()})
            print(f"public rank: {len(ranks)} of {len(wanted)} referring domains found in "
                  f"{path.name}; {matched} rows updated")
    return 0


def cmd_recheck(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.crawl.runner import run_crawl

    spargs = {k: v for k, v in (("target", args.target), ("status", args.status),
                                ("older_than", args.older_than)) if v}
    from linkcrawl.cli.import_cmd import setting_overrides

    overrides = {"LINKCRAWL_STORE_URI": store_uri,
                 "LOG_LEVEL": "INFO" if args.verbose else "WARNING", **setting_overrides(args.set)}
    started = datetime.now(UTC)
    stats = run_crawl("recheck", spargs, overrides)
    lost = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("recheck/lost/")}
    took = (datetime.now(UTC) - started).total_seconds()
    print(f"rechecked {stats.get('recheck/live', 0) + sum(lost.values())} backlinks in "
          f"{took:.1f}s: {stats.get('recheck/live', 0)} live, {sum(lost.values())} lost"
          + (f" ({', '.join(f'{k} {v}' for k, v in sorted(lost.items()))})" if lost else ""))
    claims = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("recheck/claims/")}
    if claims:  # imported claims were judged too: the per-tool table (linkcrawl import)
        from linkcrawl.sources.imports import SOURCES, claim_report, claim_report_text
        from linkcrawl.store import open_store

        print(f"judged {sum(claims.values())} imported claims: "
              + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(claims.items())))
        with open_store(store_uri) as store:
            targets = parse_list(args.target) or sorted(
                {d["target_domain"] for d in store.find("backlinks", {"source": list(SOURCES)})})
            print(claim_report_text(claim_report(store, targets)))
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from linkcrawl.report.queries import QUESTIONS, mongosh_text, sql_text

    since = datetime.now(UTC) - timedelta(days=args.days)
    params = {"target": args.target, "competitor": args.competitor or "competitor.example",
              "since": since}
    for q in QUESTIONS:
        print(f"-- {q.name}: {q.question}")
        print(mongosh_text(q, params) if args.format == "mongo" else sql_text(q, params))
        print()
    return 0


def add_commands(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    """Register the commands on the ``linkcrawl`` parser."""
    recheck = sub.add_parser("recheck", help="re-fetch known source pages: live or lost, and why")
    recheck.add_argument("--store", help=store_help)
    recheck.add_argument("--target", help="only backlinks to these domains (comma-separated)")
    recheck.add_argument("--status", choices=("all", "live", "lost", "claimed"),
                         help="default: all (claimed: imported links not confirmed yet)")
    recheck.add_argument("--older-than", type=float, metavar="DAYS",
                         help="only links not checked for DAYS days")
    recheck.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                         help="a crawl setting (repeatable), as scrapy crawl -s")
    recheck.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")
    recheck.set_defaults(func=lambda a: cmd_recheck(a, store_uri(a)))

    authority = sub.add_parser("authority", help="score referring domains 0-100 from the crawl")
    authority.add_argument("--store", help=store_help)
    authority.add_argument("--import", dest="import_file", metavar="FILE",
                           help="attach public ranks from a ranking file (Common Crawl "
                                "domain ranks .txt.gz, or rank,domain CSV)")
    authority.set_defaults(func=lambda a: cmd_authority(a, store_uri(a)))

    queries = sub.add_parser("queries", help="print the analyst questions as MongoDB or SQL")
    queries.add_argument("--target", default="example.com", help="target domain to fill in")
    queries.add_argument("--competitor", help="competitor domain for the link-gap question")
    queries.add_argument("--days", type=int, default=30, help="'since' = this many days ago")
    queries.add_argument("--format", choices=("sql", "mongo"), default="sql")
    queries.set_defaults(func=cmd_queries)


def add_report_options(report: argparse.ArgumentParser) -> None:
    report.add_argument("--csv", metavar="DIR", help="write CSV files into DIR")
    report.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    report.add_argument("--brand", help="brand terms for anchor classes (comma-separated)")
    report.add_argument("--keywords", help="target keywords for anchor classes (comma-separated)")
    report.add_argument("--limit", type=int, default=20, help="rows per terminal table")
    report.add_argument("--competitor", help="competitor domains for the HTML report's "
                        "competitor gap (comma-separated)")
