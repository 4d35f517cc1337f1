"""``linkcrawl scan ARCHIVE.warc[.gz]... --target T``: backlinks read from web archives."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from linkcrawl.errors import ConfigError

StoreUri = Callable[[argparse.Namespace], str]


def cmd_scan(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.config import setting_default
    from linkcrawl.navigate.seeds import load_targets
    from linkcrawl.sources.warcscan import SKIPS, scan_archives

    try:
        import warcio  # noqa: F401
    except ImportError:
        raise ConfigError("linkcrawl scan needs warcio: pip install 'linkcrawl[warc]'") from None
    targets = load_targets(args.target, None)
    if not targets:
        raise ConfigError("--target needs a domain")
    workers = args.workers if args.workers is not None else min(len(args.archives),
                                                                os.cpu_count() or 1)
    if workers < 1 or args.batch < 1:
        raise ConfigError("--workers and --batch must be at least 1")
    progress = (lambda line: print(line, flush=True)) if args.verbose else None
    min_pages = setting_default("LINKCRAWL_SITEWIDE_MIN_PAGES")
    if args.dask:
        try:
            import dask.distributed  # noqa: F401

            from linkcrawl.sources.daskscan import scan_with_dask
        except ImportError:
            raise ConfigError("--dask needs dask: pip install 'linkcrawl[dask]'") from None
        result = scan_with_dask(args.archives, targets, store_uri,
                                checkpoint_dir=args.checkpoints, address=args.dask,
                                workers=workers, batch_pages=args.batch, min_pages=min_pages,
                                progress=progress)
    else:
        result = scan_archives(args.archives, targets, store_uri,
                               checkpoint_dir=args.checkpoints, workers=workers,
                               batch_pages=args.batch, min_pages=min_pages, progress=progress)
    for f in result.files:
        skipped = ", ".join(f"{k} {f.skipped[k]}" for k in SKIPS if f.skipped[k])
        resumed = f" (resumed at offset {f.resumed_at})" if f.resumed_at else ""
        print(f"{f.path}{resumed}: {f.records} records, {f.pages} HTML pages analysed, "
              f"{f.backlinks} backlinks" + (f"; skipped {skipped}" if skipped else ""))
    cpu = sum(f.seconds for f in result.files)
    pages = result.total("pages")
    per_core = f"{pages / cpu:.0f} pages/s per core" if cpu > 0 and pages else "no pages"
    print(f"scanned {len(result.files)} archives with {result.workers} workers in "
          f"{result.wall_seconds:.1f}s: {pages} pages, {result.total('backlinks')} backlinks; "
          f"{per_core} ({cpu:.1f}s CPU)", flush=True)
    return 0


def add_command(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("scan", help="read backlinks to targets from WARC archives")
    cmd.add_argument("archives", nargs="+", metavar="ARCHIVE", help=".warc or .warc.gz file(s)")
    cmd.add_argument("--target", required=True, help="target domain(s), comma-separated")
    cmd.add_argument("--store", help=store_help)
    cmd.add_argument("--workers", type=int, help="processes, one file each (default: one per "
                                                 "file, at most the number of cores)")
    cmd.add_argument("--batch", type=int, default=200,
                     help="records per store write and checkpoint (default 200)")
    cmd.add_argument("--checkpoints", default="var/scan-checkpoints", metavar="DIR",
                     help="per-file checkpoints, for resuming (default var/scan-checkpoints)")
    cmd.add_argument("--dask", metavar="ADDRESS",
                     help="run as a Dask job, one task per file: 'local' (a local cluster of "
                          "--workers processes) or a scheduler address")
    cmd.add_argument("-v", "--verbose", action="store_true", help="a line per checkpoint")
    cmd.set_defaults(func=lambda a: cmd_scan(a, store_uri(a)))
