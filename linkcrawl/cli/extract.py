"""``linkcrawl extract``: analyse one saved page as a crawl would, one JSON line per link.

The page is refused when it cannot be an HTML page (empty, binary) or is larger than a
crawl would download (``DOWNLOAD_MAXSIZE``, or ``--max-size``), so that a wrong file is
said, not answered with silence or minutes of work.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from linkcrawl.cli.common import note, targets_arg
from linkcrawl.errors import ConfigError

# Bytes a text file does not contain (C0 controls except tab, newline, form feed, return).
_BINARY = bytes(c for c in range(32) if c not in (9, 10, 12, 13))
_SNIFF = 8192


def max_size_default() -> int:
    from linkcrawl.crawl.settings import DOWNLOAD_MAXSIZE

    return int(DOWNLOAD_MAXSIZE)


def read_page(name: str, max_size: int) -> bytes:
    """The bytes of the saved page; ConfigError when it is missing, empty, too large or
    binary data rather than a page."""
    path = Path(name)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ConfigError(f"cannot read {name!r}: not a file")
        if size > max_size:
            raise ConfigError(
                f"{name!r} is {size / 1e6:.1f} MB, more than the {max_size / 1e6:.1f} MB a "
                "crawl downloads (DOWNLOAD_MAXSIZE): pass --max-size BYTES to analyse it")
        body = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    if not body.strip():
        raise ConfigError(f"{name!r} is empty: nothing to analyse")
    head = body[:_SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs: not binary
        return body
    controls = sum(head.count(bytes([c])) for c in _BINARY)
    if controls > len(head) // 100:
        raise ConfigError(f"{name!r} is binary data, not an HTML page")
    return body


def run(args: argparse.Namespace) -> int:
    from linkcrawl.analysis.links import TargetMatcher, split_backlinks
    from linkcrawl.analysis.page import analyze_page, classify_page_links
    from linkcrawl.history.documents import link_json
    from linkcrawl.navigate.seeds import check_url

    check_url(args.url, what="--url")
    targets = targets_arg(args.targets, "--targets") if args.targets is not None else []
    max_size = args.max_size if args.max_size is not None else max_size_default()
    body = read_page(args.page, max_size)
    page = analyze_page(body, args.url)
    found = len(page.links)
    if targets:
        page.links, _ = split_backlinks(page, TargetMatcher([t.host for t in targets]))
    classify_page_links(page)
    out = sys.stdout
    for link in page.links:
        out.write(json.dumps(link_json(link), ensure_ascii=False) + "\n")
    if not found:
        note(f"no links in {args.page}")
    elif not page.links:
        note(f"none of the {found} links in {args.page} points at "
             f"{', '.join(t.host for t in targets)}")
    return 0
