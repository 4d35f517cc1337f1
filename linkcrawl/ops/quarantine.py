"""Documents no store can take, kept aside so that one bad page never loses a crawl.

A server can send anything: a status code of 10**21, text with lone surrogates (from a
broken ``\\ud800`` escape), an 8 MB ``href`` that a backlink carries three times. SQLite
stores integers of 64 bits and UTF-8 text, MongoDB documents of at most 16 MB: such a
document would fail its whole batch, again at every retry. :func:`unstorable` says why
a document cannot be stored (checked before it joins a batch); what slips past it is
found when the store rejects a batch (see :mod:`linkcrawl.ops.writer`). Either way the
document goes to the dead-letter file, ``LINKCRAWL_SPILL_DIR/../quarantine/<run_id>.jsonl``,
one checksummed record per document (the spill format): ``{"kind": "quarantined",
"collection", "reason", "doc"}``, and everything else of the crawl is stored.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from linkcrawl.ops.spill import append_records

__all__ = ["MAX_DOCUMENT_BYTES", "DeadLetters", "unstorable"]

logger = logging.getLogger(__name__)

INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # SQLite INTEGER, BSON int64
# MongoDB refuses documents over 16 MiB of BSON; field names and framing take some of it.
MAX_DOCUMENT_BYTES = 15 * 1024 * 1024


def _walk(value: Any, budget: list[int]) -> str | None:
    """Why ``value`` cannot be stored, or None; takes its size off ``budget[0]``."""
    kind = type(value)
    if kind is str:
        if value.isascii():  # the common case, without an encode
            budget[0] -= len(value) + 5
            return None
        try:
            budget[0] -= len(value.encode("utf-8")) + 5
        except UnicodeEncodeError as exc:
            return f"text not encodable as UTF-8 ({exc.reason} at {exc.start})"
        return None
    if kind is int:
        budget[0] -= 8
        return None if INT_MIN <= value <= INT_MAX else f"integer out of range: {value}"
    if kind is bool or kind is float or value is None:
        budget[0] -= 8
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            budget[0] -= len(key) + 2 if isinstance(key, str) else 8
            reason = _walk(item, budget)
            if reason is not None:
                return f"{key}: {reason}"
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            reason = _walk(item, budget)
            if reason is not None:
                return f"{index}: {reason}"
        return None
    if isinstance(value, int):  # an int subclass
        return _walk(int(value), budget)
    if isinstance(value, str):
        return _walk(str(value), budget)
    budget[0] -= 16
    return None


def unstorable(doc: Mapping[str, Any]) -> str | None:
    """Why ``doc`` cannot be stored, or None. Cheap: one walk over the document."""
    budget = [MAX_DOCUMENT_BYTES]
    reason = _walk(doc, budget)
    if reason is None and budget[0] < 0:
        reason = f"document too large (over {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB)"
    return reason


class DeadLetters:
    """The dead-letter file of one run; thread-safe. Logs the first document once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.reasons: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, collection: str, doc: Mapping[str, Any], reason: str) -> None:
        """Keep ``doc`` in the file (durably; raises SpillError when it cannot)."""
        record = {"kind": "quarantined", "collection": collection, "reason": reason,
                  "doc": _safe(doc)}
        with self._lock:
            append_records(self.path, [record])
            self.count += 1
            self.reasons[reason.split(":", 1)[0].split(" (", 1)[0]] += 1
            first = self.count == 1
        log = logger.warning if first else logger.debug
        log("quarantined a %s document the store cannot take (%s): %s; kept in %s",
            collection, reason, doc.get("url") or doc.get("source_url") or "?", self.path)

    def add_group(self, page: Mapping[str, Any] | None, links: list[dict[str, Any]],
                  mentions: list[dict[str, Any]], exc: BaseException) -> None:
        """A page with its backlinks and mentions that the store rejected together."""
        reason = f"rejected by the store: {type(exc).__name__}: {str(exc)[:200]}"
        if page is not None:
            self.add("pages", page, reason)
        for doc in links:
            self.add("backlinks", doc, reason)
        for doc in mentions:
            self.add("mentions", doc, reason)


def _safe(value: Any) -> Any:
    """``value`` with what JSON cannot hold (sets, odd objects) turned into lists and text;
    integers and lone surrogates survive (the spill format escapes them)."""
    if isinstance(value, Mapping):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value
    return repr(value)
