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


class FrontierError(LinkcrawlError):
    """The shared Redis frontier cannot be used: unreachable, wrong password, bad database."""

    exit_code = 3
