"""``linkcrawl gap``: referring domains of the competitors that do not link to the target."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linkcrawl.cli.common import add_format, emit, note, targets_arg
from linkcrawl.errors import ConfigError
from linkcrawl.report.gap import GapRow
from linkcrawl.report.tables import TERMINAL_WIDTH, format_table

StoreUri = Callable[[argparse.Namespace], str]


def add_parser(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    gap = sub.add_parser(
        "gap", help="referring domains that link to competitors and not to the target")
    gap.add_argument("--target", required=True, help="your domain")
    gap.add_argument("--competitor", action="append", required=True, metavar="DOMAIN",
                     help="a competitor (repeat, or comma-separated)")
    gap.add_argument("--min-competitors", type=int, default=1, metavar="N",
                     help="link to at least N of the competitors (default 1)")
    gap.add_argument("--follow-only", action="store_true", help="count followed links only")
    gap.add_argument("--min-authority", type=float, metavar="X",
                     help="only referring domains with authority >= X (run linkcrawl authority)")
    gap.add_argument("--reverse", action="store_true",
                     help="what the target has that none of the competitors has")
    gap.add_argument("--csv", metavar="FILE", help="write every row to a CSV file")
    gap.add_argument("--limit", type=int, default=20, help="rows in the terminal table")
    gap.add_argument("--store", help=store_help)
    add_format(gap)
    gap.set_defaults(func=lambda a: run(a, store_uri(a)))


def run(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.report.gap import link_gap
    from linkcrawl.store import open_store

    target = targets_arg(args.target, "--target")[0].domain  # read as a crawl reads it
    competitors = [t.domain for value in args.competitor
                   for t in targets_arg(value, "--competitor")]
    competitors = [c for c in dict.fromkeys(competitors) if c != target]
    if not target or not competitors:
        raise ConfigError("gap needs --target and at least one --competitor other than it")
    if not 1 <= args.min_competitors <= len(competitors):
        raise ConfigError(f"--min-competitors must be between 1 and {len(competitors)}, "
                          f"got {args.min_competitors}")
    if args.limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {args.limit}")
    with open_store(store_uri, create=False) as store:
        rows = link_gap(store, target, competitors, min_competitors=args.min_competitors,
                        follow_only=args.follow_only, min_authority=args.min_authority,
                        reverse=args.reverse)
    domains = "1 referring domain links" if len(rows) == 1 else (
        f"{len(rows)} referring domains link")
    what = (f"{domains} to {target} and to none of {', '.join(competitors)}" if args.reverse
            else f"{domains} to at least {args.min_competitors} of {', '.join(competitors)} "
            f"and not to {target}")
    document = {"target": target, "competitors": competitors, "reverse": args.reverse,
                "min_competitors": args.min_competitors, "follow_only": args.follow_only,
                "min_authority": args.min_authority, "rows": [_json_row(r) for r in rows]}
    emit(args.format, lambda: _table(what, rows[:args.limit]), lambda: document,
         lambda: [c for r in rows for c in _csv_rows(r)], CSV_FIELDS)
    if args.csv:
        _write_csv(Path(args.csv), rows, [target, *competitors])
        message = f"wrote {len(rows)} rows to {args.csv}"
        if args.format == "table":
            print(message)
        else:  # stdout is the data
            note(message)
    return 0


BEST_FIELDS = ("source_url", "anchor_text", "link_type", "location")
# one CSV line per (referring domain, compared domain it links to)
CSV_FIELDS = ("referring_domain", "authority", "links_to", "followed", "domain", *BEST_FIELDS)


def _json_row(row: GapRow) -> dict[str, Any]:
    return {"referring_domain": row.referring_domain, "authority": row.authority,
            "links_to": row.linked, "followed": row.followed,
            "best": [{"domain": d, **{k: b.get(k) for k in BEST_FIELDS}}
                     for d, b in row.best.items()]}


def _csv_rows(row: GapRow) -> list[dict[str, Any]]:
    head = {"referring_domain": row.referring_domain, "authority": row.authority,
            "links_to": row.linked, "followed": row.followed}
    return [{**head, "domain": d, **{k: (row.best.get(d) or {}).get(k) for k in BEST_FIELDS}}
            for d in row.linked]


def _table(what: str, rows: list[GapRow]) -> str:
    # many competitors make the headline long: wrapped, like the table, to the terminal width
    what = textwrap.fill(what, TERMINAL_WIDTH, break_long_words=False, break_on_hyphens=False)
    table = []
    for row in rows:
        first = row.best.get(row.linked[0], {}) if row.linked else {}
        table.append({"referring domain": row.referring_domain, "authority": row.authority,
                      "links to": ", ".join(row.linked), "followed": row.followed,
                      "best link": first.get("source_url"),
                      "type/location": f"{first.get('link_type')}/{first.get('location')}"
                      if first else ""})
    if not table:
        return what
    return what + "\n" + format_table(table, ["referring domain", "authority", "links to",
                                               "followed", "type/location", "best link"],
                                       max_width=48)


def _write_csv(path: Path, rows: list[GapRow], domains: list[str]) -> None:
    """The big tools' gap export: one row per referring domain, a best-link column group per
    compared domain (empty where it does not link)."""
    from linkcrawl.report.to_csv import Column, write_rows

    def best(domain: str, key: str) -> Callable[[GapRow], object]:
        return lambda r: r.best.get(domain, {}).get(key)

    columns: list[Column] = [
        ("Referring domain", lambda r: r.referring_domain),
        ("Domain authority", lambda r: r.authority),
        ("Links to", lambda r: r.linked),
        ("Dofollow links", lambda r: r.followed),
    ]
    for domain in domains:
        columns += [(f"{domain} best link URL", best(domain, "source_url")),
                    (f"{domain} anchor", best(domain, "anchor_text")),
                    (f"{domain} link type", best(domain, "link_type")),
                    (f"{domain} link location", best(domain, "location"))]
    try:
        write_rows(path, columns, rows)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
