"""Link velocity: new and lost referring domains per week or month.

A referring domain is *new* in the period of its first backlink's ``first_seen``, and
*lost* in the period in which its last live backlink was lost (the latest ``lost_at`` of
its backlinks, once none of them is live). Weeks are ISO weeks (``2026-W07``), months
``2026-02``. Periods without events between the first and the last are listed with zeros.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from linkcrawl.vocab import NOT_COUNTED

PERIODS = ("week", "month")
# A period whose new referring domains exceed this multiple of the median of the periods
# before it is a spike: search engines describe sudden link bursts as a sign of bought or
# automated links, so the report flags it for a look (with the figures, not a verdict).
SPIKE_MULTIPLE = 3.0
SPIKE_WINDOW = 6  # trailing periods the median is taken over
SPIKE_MIN_NEW = 5  # fewer new domains than this is never a spike (small sites jump 1 -> 4)


@dataclass(frozen=True, slots=True)
class DomainEvents:
    first_seen: datetime
    lost_at: datetime | None  # None while any backlink of the domain is live


def domain_events(backlinks: Iterable[Mapping[str, Any]]) -> dict[str, DomainEvents]:
    """Referring domain -> when it first linked, and when it was lost (if it was)."""
    first: dict[str, datetime] = {}
    lost: dict[str, datetime | None] = {}
    live: set[str] = set()
    for link in backlinks:
        if link.get("status") in NOT_COUNTED:  # continued by its edited successor, or a claim
            continue
        domain = link.get("source_domain") or ""
        seen = link.get("first_seen")
        if seen is not None and (domain not in first or seen < first[domain]):
            first[domain] = seen
        if link.get("status") == "live":
            live.add(domain)
            continue
        at = link.get("lost_at") or link.get("last_seen")
        if at is not None and (lost.get(domain) is None or at > lost[domain]):
            lost[domain] = at
    return {
        d: DomainEvents(first[d], None if d in live else lost.get(d)) for d in first
    }


def period_of(moment: datetime | date, period: str) -> str:
    if period == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{moment.year}-{moment.month:02d}"
    raise ValueError(f"period must be one of {PERIODS}, not {period!r}")


def _period_range(start: date, end: date, period: str) -> list[str]:
    out: list[str] = []
    day = start
    step = timedelta(days=7 if period == "week" else 1)
    while day <= end:
        key = period_of(day, period)
        if not out or out[-1] != key:
            out.append(key)
        day += step
    last = period_of(end, period)
    if out[-1] != last:
        out.append(last)
    return out


def velocity(events: Mapping[str, DomainEvents], period: str = "month") -> list[dict[str, Any]]:
    """Rows ``{"period", "new", "lost", "net", "cumulative", "trailing_median", "spike"}``
    in time order, gaps filled with zeros: ``cumulative`` is the running count of live
    referring domains, ``spike`` flags new domains over :data:`SPIKE_MULTIPLE` times the
    median of the :data:`SPIKE_WINDOW` periods before (at least :data:`SPIKE_MIN_NEW`)."""
    new: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    moments: list[datetime] = []
    for ev in events.values():
        new[period_of(ev.first_seen, period)] += 1
        moments.append(ev.first_seen)
        if ev.lost_at is not None:
            lost[period_of(ev.lost_at, period)] += 1
            moments.append(ev.lost_at)
    if not moments:
        return []
    keys = _period_range(min(moments).date(), max(moments).date(), period)
    rows: list[dict[str, Any]] = []
    total = 0
    for i, k in enumerate(keys):
        total += new[k] - lost[k]
        before = sorted(new[p] for p in keys[max(0, i - SPIKE_WINDOW):i])
        median = _median(before) if before else None
        rows.append({"period": k, "new": new[k], "lost": lost[k], "net": new[k] - lost[k],
                     "cumulative": total, "trailing_median": median,
                     "spike": median is not None and new[k] >= SPIKE_MIN_NEW
                     and new[k] > SPIKE_MULTIPLE * median})
    return rows


def _median(values: list[int]) -> float:
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
