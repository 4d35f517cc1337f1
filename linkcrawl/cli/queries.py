"""``linkcrawl queries``: the analyst questions as SQL for sqlite3 or as mongosh code."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from linkcrawl.cli.common import emit, targets_arg

FIELDS = ("name", "question", "collection", "dialect", "query")


def run(args: argparse.Namespace) -> int:
    from linkcrawl.report.queries import QUESTIONS, mongosh_text, sql_text

    (target,) = targets_arg(args.target, "--target")[:1]
    competitor = (targets_arg(args.competitor, "--competitor")[0].domain if args.competitor
                  else "competitor.example")
    since = datetime.now(UTC) - timedelta(days=args.days)
    params = {"target": target.domain, "competitor": competitor, "since": since}
    fmt = args.format
    dialect = args.dialect or (fmt if fmt in ("sql", "mongo") else "sql")  # the older spelling
    if fmt in ("sql", "mongo"):
        fmt = "table"
    rows = [{"name": q.name, "question": q.question, "collection": q.collection,
             "dialect": dialect,
             "query": mongosh_text(q, params) if dialect == "mongo" else sql_text(q, params)}
            for q in QUESTIONS]
    emit(fmt, lambda: "\n\n".join(f"-- {r['name']}: {r['question']}\n{r['query']}"
                                  for r in rows) + "\n",
         lambda: {"target": target.domain, "competitor": competitor, "since": since,
                  "dialect": dialect, "rows": rows},
         lambda: rows, FIELDS)
    return 0
