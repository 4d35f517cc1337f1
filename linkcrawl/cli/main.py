"""The ``linkcrawl`` command: demo, extract, report, recheck, authority, queries, replay,
schedule.

Every user error ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from linkcrawl.cli import broken, disavow, gap, import_cmd, prospects, scan, serve
from linkcrawl.cli.reports import add_commands, add_report_options
from linkcrawl.config import DEFAULT_STORE_URI, setting_defaults
from linkcrawl.errors import ConfigError, LinkcrawlError

DEMO_TARGETS = ("acme-widgets.test", "rival-gadgets.test")


def _store_uri(args: argparse.Namespace) -> str:
    return args.store or setting_defaults()["LINKCRAWL_STORE_URI"] or DEFAULT_STORE_URI


def cmd_demo(args: argparse.Namespace) -> int:
    from linkcrawl.crawl.runner import run_crawl
    from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
    from linkcrawl.report.build import summary_text
    from linkcrawl.store import open_store

    seeds_file = DEMO_WEB_DIR.parent / "seeds" / "demo.txt"
    if not seeds_file.is_file():
        raise ConfigError(f"demo seeds not found at {seeds_file}: run from a linkcrawl checkout")
    store_uri = _store_uri(args)
    with LocalWeb(DEMO_WEB_DIR) as web:
        print(f"demo web: {len(web.hosts)} sites served on {web.proxy_url}", flush=True)
        print(f"crawling with spider 'sites' into {store_uri} ...", flush=True)
        stats = run_crawl(
            "sites",
            {"seeds_file": str(seeds_file), "targets": ",".join(DEMO_TARGETS)},
            {
                "LINKCRAWL_STORE_URI": store_uri,
                "LINKCRAWL_HTTP_PROXY": web.proxy_url,
                "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True,
                "LOG_LEVEL": "INFO" if args.verbose else "WARNING",
            },
        )
    print(
        f"crawled {stats.get('linkcrawl/pages', 0)} pages, "
        f"{stats.get('linkcrawl/links_found', 0)} links, "
        f"{stats.get('linkcrawl/backlinks_stored', 0)} backlinks stored, "
        f"{stats.get('linkcrawl/page_errors', 0)} errors, "
        f"{stats.get('linkcrawl/robots_blocked', 0)} URLs blocked by robots.txt "
        f"(run {stats.get('linkcrawl/run_id', '?')})\n"
    )
    with open_store(store_uri) as store:
        print(summary_text(store, list(DEMO_TARGETS)))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from linkcrawl.analysis.links import TargetMatcher, split_backlinks
    from linkcrawl.analysis.page import analyze_page, classify_page_links
    from linkcrawl.history.documents import link_json
    from linkcrawl.navigate.seeds import check_url, load_targets

    check_url(args.url, what="--url")
    try:
        body = Path(args.page).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {args.page!r}: {exc.strerror or exc}") from None
    page = analyze_page(body, args.url)
    if args.targets:
        page.links, _ = split_backlinks(page, TargetMatcher(load_targets(args.targets, None)))
    classify_page_links(page)
    out = sys.stdout
    for link in page.links:
        out.write(json.dumps(link_json(link), ensure_ascii=False) + "\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from linkcrawl.cli.reports import cmd_report as run_report

    return run_report(args, _store_uri(args))


def cmd_schedule(args: argparse.Namespace) -> int:
    import os

    from linkcrawl.ops.schedule import run_schedule

    user = args.user or os.environ.get("SCRAPYD_USERNAME", "")
    password = os.environ.get("SCRAPYD_PASSWORD", "") if args.password is None else args.password
    return run_schedule(
        Path(args.file),
        scrapyd=args.scrapyd,
        project=args.project,
        state_path=Path(args.state) if args.state else None,
        auth=(user, password) if user else None,
        dry_run=args.dry_run,
        out=sys.stdout,
    )


def cmd_replay(args: argparse.Namespace) -> int:
    from linkcrawl.ops.spill import replay
    from linkcrawl.store import open_store

    path = Path(args.spillfile)
    if not path.is_file():
        raise ConfigError(f"no spill file at {args.spillfile!r}")
    with open_store(_store_uri(args)) as store:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkcrawl", description="Self-hosted backlink discovery crawler."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    store_help = f"store URI (default: $LINKCRAWL_STORE_URI or {DEFAULT_STORE_URI})"

    demo = sub.add_parser("demo", help="crawl the bundled demo web and print a summary")
    demo.add_argument("--store", help=store_help)
    demo.add_argument("-v", "--verbose", action="store_true", help="show the crawl log")
    demo.set_defaults(func=cmd_demo)

    extract = sub.add_parser("extract", help="analyse one saved page, print one JSON per link")
    extract.add_argument("page", help="saved HTML file")
    extract.add_argument("--url", required=True, help="the URL the page was fetched from")
    extract.add_argument("--targets", help="only links to these domains (comma-separated)")
    extract.set_defaults(func=cmd_extract)

    report = sub.add_parser("report", help="referring domains and backlinks of a target")
    report.add_argument("--target", required=True, help="target domain(s), comma-separated")
    report.add_argument("--store", help=store_help)
    add_report_options(report)
    report.set_defaults(func=cmd_report)

    replay = sub.add_parser("replay", help="write a spill file left by a store outage to the store")
    replay.add_argument("spillfile", help="the .jsonl file named in the crawl's warning")
    replay.add_argument("--store", help=store_help)
    replay.set_defaults(func=cmd_replay)
    add_commands(sub, store_help, _store_uri)
    gap.add_parser(sub, store_help, _store_uri)
    disavow.add_parser(sub, store_help, _store_uri)
    serve.add_parser(sub, store_help, _store_uri)
    broken.add_parser(sub, store_help, _store_uri)
    for module in (import_cmd, scan, prospects):  # issue 21: one module per source command
        module.add_command(sub, store_help, _store_uri)

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
    schedule.set_defaults(func=cmd_schedule)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except LinkcrawlError as exc:
        from linkcrawl.ops.logmask import mask_text  # an error may quote a URI with a password

        print(f"linkcrawl: error: {mask_text(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("linkcrawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
