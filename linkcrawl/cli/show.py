"""``linkcrawl show BACKLINK``: a backlink's archived page, with the link marked.

BACKLINK is the stored ``key`` (the "Backlink key" column of ``linkcrawl report --csv``), or
``--source URL --target URL`` (every backlink from that page to that URL). The snapshot is
read from the WARC file the crawl wrote (``LINKCRAWL_ARCHIVE_DIR``); ``--all`` shows every
snapshot the backlink keeps, newest first.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from linkcrawl.errors import LinkcrawlError

StoreUri = Callable[[argparse.Namespace], str]


class ShowError(LinkcrawlError):
    """What ``show`` cannot show (exit 2)."""


def find_backlinks(store: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.backlink:
        found = store.find("backlinks", {"key": args.backlink})
        if not found:
            raise ShowError(f"no backlink with key {args.backlink!r} in {store.masked_uri}")
        return found
    from linkcrawl.web.urls import normalize_url

    source, target = args.source.strip(), args.target.strip()
    wanted = {target, normalize_url(target) or target}
    found = [d for d in store.find("backlinks", {"source_url": [source, normalize_url(source)
                                                                or source]})
             if d.get("target_url") in wanted or d.get("url") in wanted]
    if not found:
        raise ShowError(f"no backlink from {source} to {target} in {store.masked_uri}")
    return sorted(found, key=lambda d: (d.get("anchor_text") or "", d["key"]))


def relocated(snapshot: Mapping[str, Any], folder: str | None) -> Mapping[str, Any]:
    """The snapshot with its file looked up by name in ``folder`` (an archive moved since
    the crawl), when it is not at its stored path."""
    from linkcrawl.history.snapshots import file_name

    path = str(snapshot.get("file") or "")
    if folder and path and not Path(path).exists():
        moved = Path(folder) / file_name(path)
        if moved.exists():
            return {**snapshot, "file": str(moved)}
    return snapshot


def snapshot_text(doc: Mapping[str, Any], snapshot: Mapping[str, Any], context: int) -> str:
    """The lines for one snapshot: where it is, then the HTML around the link."""
    from linkcrawl.ops.archive import decode_body, excerpt, find_link, read_snapshot

    record = read_snapshot(snapshot)
    head = (f"snapshot {snapshot.get('captured_at')}  {snapshot.get('file')}  "
            f"offset {snapshot.get('offset')}  ({record.status}, {len(record.body)} bytes)")
    page = decode_body(record.body, record.headers)
    span = find_link(page, str(doc.get("href") or doc.get("url") or ""),
                     str(doc.get("anchor_text") or ""))
    if span is None:
        return f"{head}\n(the link's href is not in this snapshot's HTML)"
    return f"{head}\n{excerpt(page, span, context)}"


def run_show(args: argparse.Namespace, store_uri: str) -> int:
    from linkcrawl.ops.archive import SnapshotError, warcio_missing
    from linkcrawl.store import open_store

    if bool(args.backlink) == bool(args.source or args.target) or (
            not args.backlink and not (args.source and args.target)):
        raise ShowError("give a BACKLINK key, or --source URL and --target URL")
    missing = warcio_missing()
    if missing:
        raise ShowError("linkcrawl show needs warcio: pip install 'linkcrawl[warc]'")
    with open_store(store_uri, create=False) as store:
        docs = find_backlinks(store, args)
    blocks = []
    for doc in docs:
        title = (f"backlink {doc['key']}\n{doc['source_url']} -> {doc['target_url']}  "
                 f"anchor {doc.get('anchor_text') or ''!r}  {doc.get('status') or ''}")
        snaps = [s for s in (doc.get("snapshots") or []) if s] if args.all else []
        if not snaps and doc.get("snapshot"):
            snaps = [doc["snapshot"]]
        if not snaps:
            raise ShowError(f"backlink {doc['key']} has no snapshot (LINKCRAWL_ARCHIVE_DIR was "
                            f"off when its page was crawled)")
        parts, errors = [title], []
        for snap in snaps:
            try:
                parts.append(snapshot_text(doc, relocated(snap, args.archive_dir),
                                           args.context))
            except SnapshotError as exc:
                errors.append(str(exc))
                parts.append(f"snapshot {snap.get('captured_at')}  {snap.get('file')}: {exc}")
        if len(errors) == len(snaps):  # nothing to show: the reason is the error
            raise ShowError(errors[0])
        blocks.append("\n\n".join(parts))
    print("\n\n".join(blocks))
    return 0


def add_command(sub: argparse._SubParsersAction, store_help: str, store_uri: StoreUri) -> None:
    cmd = sub.add_parser("show", help="print a backlink's archived page around the link")
    cmd.add_argument("backlink", nargs="?", metavar="BACKLINK",
                     help="the backlink's key (the CSV export's 'Backlink key' column)")
    cmd.add_argument("--source", metavar="URL", help="the linking page's URL (with --target)")
    cmd.add_argument("--target", metavar="URL", help="the linked URL (with --source)")
    cmd.add_argument("--all", action="store_true",
                     help="every snapshot the backlink keeps, newest first")
    cmd.add_argument("--context", type=int, default=300, metavar="CHARS",
                     help="characters of HTML either side of the link (default 300)")
    cmd.add_argument("--archive-dir", metavar="DIR",
                     help="where the WARC files are now, if moved since the crawl "
                          "(looked up by file name)")
    cmd.add_argument("--store", help=store_help)
    cmd.set_defaults(func=lambda a: run_show(a, store_uri(a)))
