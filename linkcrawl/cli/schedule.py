"""``linkcrawl schedule``: submit the due jobs of a schedule file to Scrapyd."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
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
