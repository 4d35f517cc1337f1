"""``linkcrawl prospects --cc-hostgraph VERTICES EDGES --target T [--competitor C...]``:
hosts that link to you or your competitors and were never crawled, as a seed file."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def cmd_prospects(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.navigate.seeds import load_targets
    from linkcrawl.sources.hostgraph import find_prospects, write_seeds
    from linkcrawl.store import open_store

    targets = load_targets(args.target, None)
    competitors = load_targets(args.competitor, None)
    if not targets:
        raise ConfigError("--target needs a domain")
    vertices = [Path(p) for p in args.vertices]
    edges = [Path(p) for p in args.edges]
    with open_store(store_uri) as store:
        crawled = {d["host"] for d in store.find("pages") if d.get("host")}
        crawled |= {d["source_host"] for d in store.find("backlinks") if d.get("source_host")}
    prospects, counts = find_prospects(vertices, edges, targets, competitors, crawled)
    if args.limit:
        prospects = prospects[: args.limit]
    out = Path(args.out)
    write_seeds(out, prospects, targets,
                f"linkcrawl prospects: hosts linking to {', '.join(targets)}"
                + (f" or competitors {', '.join(competitors)}" if competitors else "")
                + f"\nfrom {', '.join(p.name for p in vertices)} / "
                  f"{', '.join(p.name for p in edges)}; not crawled yet")
    print(f"host graph: {counts.vertices} vertices, {counts.edges} edges; "
          f"{counts.watched_hosts} hosts of the targets and competitors, "
          f"{counts.linking_hosts} hosts linking to them, {counts.crawled} already crawled")
    print(f"wrote {len(prospects)} prospects to {out}; crawl them with: "
          f"scrapy crawl sites -a seeds_file={out} -a targets={','.join(targets)}")
    return 0


def add_command(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("prospects", help="hosts linking to targets or competitors that were "
                                           "never crawled, from the Common Crawl host graph")
    cmd.add_argument("--cc-hostgraph", nargs=2, required=True, metavar=("VERTICES", "EDGES"),
                     help="vertices and edges files (gzip or plain; a comma-separated list "
                          "for the split files)")
    cmd.add_argument("--target", required=True, help="target domain(s), comma-separated")
    cmd.add_argument("--competitor", action="append",
                     help="competitor domain(s), comma-separated or repeated")
    cmd.add_argument("--out", default="var/prospects.txt", help="seed file to write")
    cmd.add_argument("--limit", type=int, default=0, help="at most this many prospects")
    cmd.add_argument("--store", help=store_help)
    cmd.set_defaults(func=lambda a: cmd_prospects(_split(a), store_uri(a)))


def _split(args: argparse.Namespace) -> argparse.Namespace:
    vertices, edges = args.cc_hostgraph
    args.vertices = [p for p in vertices.split(",") if p]
    args.edges = [p for p in edges.split(",") if p]
    args.competitor = ",".join(args.competitor or [])
    return args
