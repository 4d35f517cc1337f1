"""``linkcrawl recheck``: fetch the stored source pages again; each backlink live or lost.

A host that does not answer is an outage: its links and pages stay as stored and are
counted as unreachable. ``--demo`` rechecks through the demo web (the demo's hosts exist
only there), the way ``linkcrawl demo`` crawls it.
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import UTC, datetime
from typing import Any

from linkcrawl.cli.common import open_existing_store, store_uri, targets_arg


def run(args: argparse.Namespace) -> int:
    from linkcrawl.crawl.runner import run_crawl
    from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb

    uri = store_uri(args)
    spargs: dict[str, Any] = {}
    if args.target:
        spargs["target"] = ",".join(t.host for t in targets_arg(args.target, "--target"))
    open_existing_store(args).close()  # a store that does not exist: error, nothing created
    if args.status:
        spargs["status"] = args.status
    if args.older_than is not None:
        spargs["older_than"] = args.older_than
    from linkcrawl.cli.import_cmd import setting_overrides

    overrides: dict[str, Any] = {"LINKCRAWL_STORE_URI": uri,
                                 "LOG_LEVEL": "INFO" if args.verbose else "WARNING",
                                 **setting_overrides(getattr(args, "set", None))}
    started = datetime.now(UTC)
    with LocalWeb(DEMO_WEB_DIR) if args.demo else contextlib.nullcontext() as web:
        if web is not None:
            overrides |= {"LINKCRAWL_HTTP_PROXY": web.proxy_url,
                          "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True}
        stats = run_crawl("recheck", spargs, overrides)
    lost = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("recheck/lost/")}
    live, unreachable = stats.get("recheck/live", 0), stats.get("recheck/unreachable", 0)
    took = (datetime.now(UTC) - started).total_seconds()
    print(f"rechecked {live + sum(lost.values()) + unreachable} backlinks in {took:.1f}s: "
          f"{live} live, {sum(lost.values())} lost"
          + (f" ({', '.join(f'{k} {v}' for k, v in sorted(lost.items()))})" if lost else ""))
    if unreachable:
        hint = "" if args.demo else "; the demo's hosts answer only with --demo"
        print(f"{unreachable} backlinks on hosts that did not answer: not recorded as lost "
              f"(an outage is not a removal), left as they were{hint}")
    claims = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("recheck/claims/")}
    if claims:  # imported claims were judged too: the per-tool table (linkcrawl import)
        from linkcrawl.sources.imports import SOURCES, claim_report, claim_report_text
        from linkcrawl.store import open_store

        print(f"judged {sum(claims.values())} imported claims: "
              + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(claims.items())))
        with open_store(uri) as store:
            targets = spargs.get("target", "").split(",") if spargs.get("target") else sorted(
                {d["target_domain"] for d in store.find("backlinks", {"source": list(SOURCES)})})
            print(claim_report_text(claim_report(store, targets)))
    return 0
