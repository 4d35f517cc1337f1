"""A status line on the terminal for long work (crawls, rechecks, scoring, exports).

It is written to stderr and rewritten in place with ``\\r``, and only when stderr is a
terminal: in a log file, a pipe or under Scrapyd nothing is written at all, so logs keep
their periodic ``progress:`` lines and nothing else.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["TerminalLine", "elapsed_text"]


def elapsed_text(seconds: float) -> str:
    """``42s``, ``3:05`` or ``1:02:03``: what a glance at a running job needs."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}" if minutes else f"{secs}s"


class TerminalLine:
    """One line rewritten in place; a no-op unless ``stream`` is a TTY."""

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.2) -> None:
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.enabled = bool(self.stream.isatty())
        except (AttributeError, ValueError):  # a closed or odd stream is not a terminal
            self.enabled = False
        self.min_interval = min_interval
        self.started = time.monotonic()
        self._shown = 0  # characters on the line now
        self._at = float("-inf")

    def elapsed(self) -> str:
        return elapsed_text(time.monotonic() - self.started)

    def show(self, text: str, force: bool = False) -> None:
        """Replace the line with ``text`` (at most every ``min_interval`` s unless forced)."""
        now = time.monotonic()
        if not self.enabled or (not force and now - self._at < self.min_interval):
            return
        self._at = now
        pad = max(self._shown - len(text), 0)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._shown = len(text)

    def done(self, text: str | None = None) -> None:
        """The last state, then a newline so the next output starts on its own line."""
        if text is not None:
            self.show(text, force=True)
        if self.enabled and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = 0
