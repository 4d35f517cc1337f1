"""How a crawl ended beyond Scrapy's finish reason, for the exit code of ``scrapy crawl``.

Scrapy exits 0 whenever the engine stopped in order, even when documents were
quarantined or could not be made durable. Components report such endings here (one
``scrapy crawl`` runs one crawler per process); the crawl command exits with the highest
code reported (see docs/cli.md).
"""

from __future__ import annotations

import threading

__all__ = ["exit_code", "report", "reset"]

_lock = threading.Lock()
_codes: dict[int, str] = {}


def report(code: int, why: str) -> None:
    """Ask for a non-zero exit code ``code`` for ``why`` (the first reason per code is kept)."""
    with _lock:
        _codes.setdefault(code, why)


def exit_code() -> tuple[int, str]:
    """The highest code reported and its reason; (0, "") when the crawl ended well."""
    with _lock:
        if not _codes:
            return 0, ""
        code = max(_codes)
        return code, _codes[code]


def reset() -> None:
    with _lock:
        _codes.clear()
