"""``scrapy crawl`` with a preflight: bad input is one line on stderr and exit code 2; a
crawl that quarantined documents or could not make them durable exits non-zero too
(:mod:`linkcrawl.crawl.outcome`).

The preflight runs in ``process_options``, before Scrapy creates its crawler process (which
logs its banner and versions), so a crawl that cannot run prints only its error line.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from linkcrawl.crawl import outcome
from linkcrawl.crawl.preflight import preflight
from linkcrawl.errors import LinkcrawlError


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return
        try:
            spider_cls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            raise UsageError(f"unknown spider {args[0]!r}; see `scrapy list`") from None
        try:
            preflight(self.settings, spider_cls, dict(opts.spargs))
        except LinkcrawlError as exc:
            print(f"linkcrawl: error: {exc}", file=sys.stderr)
            sys.exit(exc.exit_code)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        outcome.reset()
        super().run(args, opts)
        code, why = outcome.exit_code()
        if code and not self.exitcode:
            print(f"linkcrawl: {why} (exit code {code})", file=sys.stderr)
            self.exitcode = code
