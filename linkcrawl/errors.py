"""Errors that the command line turns into one clear line on stderr and a non-zero exit."""

from __future__ import annotations


class LinkcrawlError(Exception):
    """Base for every error that a user can cause and fix (bad input, unreachable store)."""

    exit_code = 2


class ConfigError(LinkcrawlError):
    """Bad arguments or settings: no targets, invalid seed URL, unreadable seeds file."""


class StoreError(LinkcrawlError):
    """The store cannot be used: unknown scheme, unreachable MongoDB, unwritable SQLite file."""

    exit_code = 3


class DurabilityError(LinkcrawlError):
    """What a crawl found cannot be made durable: neither the store nor the spill file
    takes it (full disk), the store file vanished, or JOBDIR is unwritable. The crawl
    stops rather than go on losing pages."""

    exit_code = 6


#: exit code of a crawl that finished but quarantined documents it could not store
QUARANTINED_EXIT_CODE = 5


class FrontierError(LinkcrawlError):
    """The shared Redis frontier cannot be used: unreachable, wrong password, bad database."""

    exit_code = 3
