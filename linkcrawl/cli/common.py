"""What the subcommands share: where the store is, opening it to read, notes, argument types.

Errors are LinkcrawlErrors (one line, an exit code); :func:`linkcrawl.cli.main.main` prints
them. Notes (an input that was reduced, an empty answer) go to stderr, never to stdout, so
that stdout stays the command's data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from linkcrawl.config import DEFAULT_STORE_URI, parse_list, setting_defaults
from linkcrawl.errors import ConfigError
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from linkcrawl.web.targets import Target, parse_target

DEMO_TARGETS = ("acme-widgets.test", "rival-gadgets.test")


def store_uri(args: argparse.Namespace) -> str:
    return args.store or setting_defaults()["LINKCRAWL_STORE_URI"] or DEFAULT_STORE_URI


def open_existing_store(args: argparse.Namespace) -> Store:
    """The store a read command works on; a store that does not exist is an error (exit 3),
    and nothing is created."""
    return open_store(store_uri(args), create=False)


def note(message: str) -> None:
    print(f"linkcrawl: note: {message}", file=sys.stderr, flush=True)


def targets_arg(value: str | None, option: str) -> list[Target]:
    """The targets of a ``--target``/``--targets`` option (comma-separated), each parsed
    as a crawl parses it; what was reduced is said in a note."""
    texts = parse_list(value)
    if not texts:
        raise ConfigError(f"{option} needs a domain, e.g. {option} example.com")
    found: dict[str, Target] = {}
    for text in texts:
        target = parse_target(text)
        if target.note:
            note(target.note)
        found.setdefault(target.host, target)
    return list(found.values())


def positive_int(value: str) -> int:
    """argparse type for counts that must be at least 1 (``--limit``)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


FORMAT_HELP = ("table (default: for reading, cut to --limit rows), json (one JSON document, "
               "every row) or csv (a header line and every row)")


def add_format(parser: argparse.ArgumentParser, extra: tuple[str, ...] = (),
               help_text: str = FORMAT_HELP) -> None:
    """The ``--format table|json|csv`` option of a read command (a bad value is argparse's
    one-line error, exit 2)."""
    from linkcrawl.report.output import FORMATS

    parser.add_argument("--format", choices=(*FORMATS, *extra), default="table",
                        help=help_text)


def emit(fmt: str, table: Callable[[], str], document: Callable[[], Mapping[str, Any]],
         rows: Callable[[], Sequence[Mapping[str, Any]]], columns: Sequence[str]) -> None:
    """Print the command's answer in ``fmt``: the table text, the JSON document, or the
    rows as CSV. Only the chosen one is computed."""
    from linkcrawl.report.output import csv_text, json_text

    if fmt == "json":
        print(json_text(document()))
    elif fmt == "csv":
        print(csv_text(rows(), columns))
    else:
        print(table())
