"""``scrapy crawl`` with a preflight: bad input is one line on stderr and exit code 2; a
crawl that quarantined documents or could not make them durable exits non-zero too
(:mod:`linkcrawl.crawl.outcome`)."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from linkcrawl.crawl import outcome
from linkcrawl.crawl.preflight import preflight
from linkcrawl.errors import LinkcrawlError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spider_cls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                raise UsageError(f"unknown spider {args[0]!r}; see `scrapy list`") from None
            try:
                preflight(self.settings, spider_cls, dict(opts.spargs))
            except LinkcrawlError as exc:
                print(f"linkcrawl: error: {exc}", file=sys.stderr)
                self.exitcode = exc.exit_code
                return
        outcome.reset()
        super().run(args, opts)
        code, why = outcome.exit_code()
        if code and not self.exitcode:
            print(f"linkcrawl: {why} (exit code {code})", file=sys.stderr)
            self.exitcode = code
