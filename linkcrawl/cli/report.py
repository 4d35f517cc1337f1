"""``linkcrawl report``: what the store says about a target, as tables, CSV or HTML.

A target is parsed as a crawl parses it (:func:`linkcrawl.web.targets.parse_target`), so
``ACME.com``, ``www.acme.com`` and ``https://acme.com/page`` all report on ``acme.com``.
Backlinks are stored under the registrable domain of the page they point at, so a report
on ``blog.acme.com`` is the report on ``acme.com``, which a note says.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from linkcrawl.cli.common import emit, note, open_existing_store, targets_arg
from linkcrawl.config import parse_list
from linkcrawl.errors import ConfigError
from linkcrawl.store.base import Store


def run(args: argparse.Namespace) -> int:
    from linkcrawl.classify.anchors import AnchorRules
    from linkcrawl.crawl.terminal import TerminalLine
    from linkcrawl.report.build import build_report, report_text
    from linkcrawl.report.gap import link_gap
    from linkcrawl.report.output import SECTIONS, report_document, report_sections
    from linkcrawl.report.to_csv import write_csv
    from linkcrawl.report.to_html import write_html

    targets = targets_arg(args.target, "--target")
    for target in targets:
        if target.host != target.domain:
            note(f"backlinks are stored per registrable domain: the report on {target.host!r} "
                 f"is the report on {target.domain!r}")
    domains = list(dict.fromkeys(t.domain for t in targets))
    if (args.csv or args.html) and len(domains) > 1:
        raise ConfigError("--csv and --html take one --target at a time")
    fmt = getattr(args, "format", "table")
    if fmt != "table" and (args.csv or args.html):
        raise ConfigError(f"--format {fmt} prints the report on stdout; write files with "
                          "--csv or --html in a separate run")
    if fmt != "table" and len(domains) > 1:
        raise ConfigError(f"--format {fmt} takes one --target at a time")
    section = getattr(args, "section", "referring_domains")
    with open_existing_store(args) as store:
        for domain in domains:
            if not store.count("backlinks", {"target_domain": domain}):
                note(_nothing_stored(store, domain))
            rules = AnchorRules.for_target(domain, parse_list(args.brand),
                                           _keywords(args.keywords))
            report = build_report(store, domain, rules)
            if args.csv:
                count = CsvCount(TerminalLine())
                written = write_csv(report, Path(args.csv), progress=count)
                count.line.done()
                print(f"wrote {', '.join(f'{n} ({c} rows)' for n, c in written.items())} "
                      f"to {args.csv}")
            if args.html:
                competitors = [t.domain for t in targets_arg(args.competitor, "--competitor")
                               if t.domain != domain] if args.competitor else []
                gap = (competitors, link_gap(store, domain, competitors)) if competitors else None
                write_html(report, Path(args.html), gap=gap)
                print(f"wrote {args.html}")
            if not (args.csv or args.html):
                emit(fmt, lambda r=report: report_text(r, limit=args.limit) + "\n",
                     lambda r=report: report_document(r),
                     lambda r=report: report_sections(r)[section], SECTIONS[section])
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


def _nothing_stored(store: Store, domain: str) -> str:
    """Why a report is empty, with the targets the store's crawls did look for."""
    crawled: list[str] = []
    for run_doc in store.find("runs", sort=[("started_at", -1)], limit=50):
        for target in parse_list((run_doc.get("args") or {}).get("targets")):
            if target not in crawled:
                crawled.append(target)
    seen = f"; its crawls looked for {', '.join(crawled[:10])}" if crawled else ""
    return f"no backlinks to {domain} in {store.masked_uri}{seen}"


def _keywords(value: str | None) -> list[str]:
    """Keywords are phrases: comma-separated (spaces belong to the phrase)."""
    return [k.strip() for k in (value or "").split(",") if k.strip()]
