"""The ``linkcrawl`` command: its parser, and the one place errors become one line.

Each subcommand lives in its own module (``linkcrawl/cli/demo.py``, ``extract.py``,
``report.py``, ``recheck.py``, ``authority.py``, ``queries.py``, ``replay.py``,
``schedule.py``), imported only when it runs, so ``linkcrawl --help`` stays fast. Every user
error ends as one ``linkcrawl: error: ...`` line, the last on stderr, with exit 2 (bad input)
or 3 (an unusable store); never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from linkcrawl.cli import broken, disavow, gap, import_cmd, prospects, scan, serve, show
from linkcrawl.cli.common import add_format, positive_int, store_uri
from linkcrawl.config import DEFAULT_STORE_URI
from linkcrawl.errors import LinkcrawlError

# the row lists of `report --format csv --section NAME` (linkcrawl.report.output.SECTIONS)
REPORT_SECTIONS = ("referring_domains", "backlinks", "new", "lost", "restored", "broken",
                   "anchors", "top_pages", "tld", "language", "network", "placements",
                   "mentions", "velocity_month", "velocity_week", "lost_and_restored")
SUBCOMMANDS = ("demo", "extract", "report", "recheck", "authority", "queries", "replay",
               "schedule")


class Parser(argparse.ArgumentParser):
    """argparse with linkcrawl's error line: ``linkcrawl: error: ...`` last, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"linkcrawl: error: {message}\n")


def _command(name: str) -> object:
    def run(args: argparse.Namespace) -> int:
        module = importlib.import_module(f"linkcrawl.cli.{name}")
        return int(module.run(args))

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="linkcrawl", description="Self-hosted backlink discovery crawler.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    store_help = f"store URI (default: $LINKCRAWL_STORE_URI or {DEFAULT_STORE_URI})"

    demo = sub.add_parser("demo", help="crawl the bundled demo web and print a summary")
    demo.add_argument("--store", help=store_help)
    demo.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")

    extract = sub.add_parser("extract", help="analyse one saved page, print one JSON per link")
    extract.add_argument("page", help="saved HTML file")
    extract.add_argument("--url", required=True, help="the URL the page was fetched from")
    extract.add_argument("--targets", help="only links to these domains (comma-separated)")
    extract.add_argument("--max-size", type=positive_int, metavar="BYTES",
                         help="largest page analysed (default: DOWNLOAD_MAXSIZE, 10 MB)")

    report = sub.add_parser("report", help="referring domains and backlinks of a target")
    report.add_argument("--target", required=True, help="target domain(s), comma-separated")
    report.add_argument("--store", help=store_help)
    report.add_argument("--csv", metavar="DIR", help="write CSV files into DIR")
    report.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    report.add_argument("--brand", help="brand terms for anchor classes (comma-separated)")
    report.add_argument("--keywords", help="target keywords for anchor classes (comma-separated)")
    report.add_argument("--limit", type=positive_int, default=20,
                        help="rows per terminal table (at least 1; default 20)")
    report.add_argument("--competitor", help="competitor domains for the HTML report's "
                        "competitor gap (comma-separated)")
    add_format(report)
    report.add_argument("--section", choices=REPORT_SECTIONS, default="referring_domains",
                        help="the rows --format csv prints (default: referring_domains)")

    recheck = sub.add_parser("recheck", help="re-fetch known source pages: live or lost, and why")
    recheck.add_argument("--store", help=store_help)
    recheck.add_argument("--target", help="only backlinks to these domains (comma-separated)")
    recheck.add_argument("--status", choices=("all", "live", "lost", "claimed"),
                         help="default: all (claimed: imported links not confirmed yet)")
    recheck.add_argument("--older-than", type=float, metavar="DAYS",
                         help="only links not checked for DAYS days")
    recheck.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                         help="a crawl setting (repeatable), as scrapy crawl -s")
    recheck.add_argument("--demo", action="store_true",
                         help="fetch through the bundled demo web (after `linkcrawl demo`)")
    recheck.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")

    authority = sub.add_parser("authority", help="score referring domains 0-100 from the crawl")
    authority.add_argument("--store", help=store_help)
    authority.add_argument("--import", dest="import_file", metavar="FILE",
                           help="attach public ranks from a ranking file (Common Crawl "
                                "domain ranks .txt.gz, or rank,domain CSV)")
    authority.add_argument("--limit", type=positive_int, default=10,
                           help="domains in the terminal list (at least 1; default 10)")
    add_format(authority)

    queries = sub.add_parser("queries", help="print the analyst questions as MongoDB or SQL")
    queries.add_argument("--target", default="example.com", help="target domain to fill in")
    queries.add_argument("--competitor", help="competitor domain for the link-gap question")
    queries.add_argument("--days", type=positive_int, default=30,
                         help="'since' = this many days ago")
    queries.add_argument("--dialect", choices=("sql", "mongo"),
                         help="SQL for sqlite3 (default) or mongosh code")
    add_format(queries, extra=("sql", "mongo"),
               help_text="table (the questions as text), json or csv; `sql`/`mongo` are the "
                         "older spelling of --dialect (printed as text)")

    replay = sub.add_parser("replay", help="write a spill file left by a store outage to the store")
    replay.add_argument("spillfile", help="the .jsonl file named in the crawl's warning")
    replay.add_argument("--store", help=store_help)

    schedule = sub.add_parser(
        "schedule", help="submit the due jobs of a schedule file to Scrapyd (for cron/timers)"
    )
    schedule.add_argument("file", help="schedule file (TOML), e.g. data/schedule.example.toml")
    schedule.add_argument("--scrapyd", help="Scrapyd URL (default: the file's, or :6800)")
    schedule.add_argument("--project", help="Scrapyd project (default: the file's, or linkcrawl)")
    schedule.add_argument("--state", help="state file (default: FILE.state.json)")
    schedule.add_argument("--user", help="Scrapyd user (default: $SCRAPYD_USERNAME)")
    schedule.add_argument(
        "--password", help="Scrapyd password (default: $SCRAPYD_PASSWORD, which ps cannot see)"
    )
    schedule.add_argument("--dry-run", action="store_true", help="show what is due, submit nothing")

    for name in SUBCOMMANDS:
        sub.choices[name].set_defaults(func=_command(name))
    for module in (gap, disavow, serve, broken):  # these register their own parsers
        module.add_parser(sub, store_help, store_uri)
    for module in (import_cmd, scan, prospects, show):  # issue 21: one module per source command
        module.add_command(sub, store_help, store_uri)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except LinkcrawlError as exc:
        from linkcrawl.ops.logmask import mask_text  # an error may quote a URI with a password

        sys.stdout.flush()
        print(f"linkcrawl: error: {mask_text(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("linkcrawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
