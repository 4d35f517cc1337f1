"""``linkcrawl authority``: score referring domains from the crawl's domain graph, and
attach public ranks from a ranking file. The ranking file is read to the end before
anything is written, so a bad file changes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from linkcrawl.cli.common import emit, note, open_existing_store
from linkcrawl.errors import ConfigError


def run(args: argparse.Namespace) -> int:
    from linkcrawl.crawl.terminal import TerminalLine
    from linkcrawl.report.authority import authority_scores, read_ranks

    path = Path(args.import_file) if args.import_file else None
    if path is not None and not path.is_file():
        raise ConfigError(f"cannot read ranking file {args.import_file!r}: no such file")
    with open_existing_store(args) as store:
        ranks: dict[str, int] = {}
        wanted = {r["referring_domain"] for r in store.find("referring_domains")}
        if path is not None:
            try:
                ranks = dict(read_ranks(path, wanted))
            except (ValueError, OSError, EOFError) as exc:
                raise ConfigError(f"cannot import {args.import_file}: {exc}") from None
        line = TerminalLine()
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
        summary = (f"authority: {len(scores)} domains scored from {len(edges)} domain links; "
                   f"{matched} referring-domain rows updated")
        rank_line = None
        if path is not None:
            ranked = store.set_domain_scores({d: {"public_rank": r} for d, r in ranks.items()})
            rank_line = (f"public rank: {len(ranks)} of {len(wanted)} referring domains found "
                         f"in {path.name}; {ranked} rows updated")
    rows = [{"domain": d, "authority": s, "public_rank": ranks.get(d)}
            for d, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
    fmt = getattr(args, "format", "table")
    if fmt != "table":  # stdout is the data
        note(summary)
        if rank_line:
            note(rank_line)

    def table() -> str:
        lines = [summary, *(f"  {r['authority']:6.2f}  {r['domain']}"
                            for r in rows[:getattr(args, "limit", 10)])]
        return "\n".join([*lines, *([rank_line] if rank_line else [])])

    emit(fmt, table,
         lambda: {"domains_scored": len(scores), "domain_links": len(edges),
                  "rows_updated": matched, "public_ranks_found": len(ranks) if path else None,
                  "rows": rows},
         lambda: rows, ("domain", "authority", "public_rank"))
    return 0
