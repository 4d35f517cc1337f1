"""An append-only journal of the requests a job has taken on and not yet finished.

Scrapy's ``JOBDIR`` keeps the dupe filter's fingerprints on disk line by line, but writes
its request queue's index only on a clean close: after a kill (SIGKILL, OOM, power cut)
every queued or in-flight request is in ``requests.seen`` and in no queue, so a restart
never fetches it. This journal closes that gap. Lines, in ``JOBDIR/requests.journal``:

- ``req FP {json}``: a request entered the scheduler (``json`` is enough to rebuild it);
- ``done FP``: everything the request led to is durable (its items stored or spilled,
  the requests it yielded journaled);
- ``open`` when a run starts, ``clean`` when it closes normally (the queue is then on
  disk and trustworthy).

No Scrapy here: :mod:`linkcrawl.ops.journal_middleware` drives it from signals.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

__all__ = ["FILE_NAME", "Journal"]

logger = logging.getLogger(__name__)

FILE_NAME = "requests.journal"
Spec = dict[str, Any]


class Journal:
    """Pending request fingerprints, mirrored to an append-only file.

    Memory: one fingerprint per request taken on and not finished (the frontier).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: set[str] = set()
        #: requests unfinished when the last run stopped, fp -> spec (empty after a clean stop)
        self.unfinished: dict[str, Spec] = {}
        #: True when there was no journal or the last run closed cleanly
        self.clean = True
        if path.exists():
            self._load()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")
        self._write("open")

    def _load(self) -> None:
        specs: dict[str, Spec] = {}
        last = ""
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.endswith("\n"):  # torn by a kill while it was written
                    break
                kind, _, rest = line.rstrip("\n").partition(" ")
                last = kind
                if kind == "req":
                    fp, _, raw = rest.partition(" ")
                    try:
                        specs[fp] = json.loads(raw)
                    except json.JSONDecodeError:
                        continue
                elif kind == "done":
                    specs.pop(rest, None)
        self.pending = set(specs)
        self.clean = last in ("clean", "")
        if not self.clean:
            self.unfinished = specs

    def _write(self, line: str) -> None:
        # One write per line, flushed to the OS: a killed process loses nothing written.
        self._file.write(line + "\n")
        self._file.flush()

    def want(self, fp: str, spec: Spec) -> bool:
        """Record a request taken on; False if it is already pending."""
        if fp in self.pending:
            return False
        self.pending.add(fp)
        self._write(f"req {fp} {json.dumps(spec, ensure_ascii=False, separators=(',', ':'))}")
        return True

    def finish(self, fp: str) -> None:
        if fp in self.pending:
            self.pending.discard(fp)
            self._write(f"done {fp}")

    def sync(self) -> None:
        """Make what was written survive a power cut too (called after store writes)."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self, *, clean: bool) -> None:
        if self._file.closed:
            return
        if clean:
            self._write("clean")
        self.sync()
        self._file.close()
