"""``linkcrawl queries``: the analyst questions as SQL for sqlite3 or as mongosh code."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from linkcrawl.cli.common import targets_arg


def run(args: argparse.Namespace) -> int:
    from linkcrawl.report.queries import QUESTIONS, mongosh_text, sql_text

    (target,) = targets_arg(args.target, "--target")[:1]
    competitor = (targets_arg(args.competitor, "--competitor")[0].domain if args.competitor
                  else "competitor.example")
    since = datetime.now(UTC) - timedelta(days=args.days)
    params = {"target": target.domain, "competitor": competitor, "since": since}
    for q in QUESTIONS:
        print(f"-- {q.name}: {q.question}")
        print(mongosh_text(q, params) if args.format == "mongo" else sql_text(q, params))
        print()
    return 0
