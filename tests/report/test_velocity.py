"""Velocity: new and lost referring domains per period, from hand-made backlinks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkcrawl.report.velocity import DomainEvents, domain_events, period_of, velocity


def t(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


LINKS = [
    # a.test: two links, one lost; still live -> new in Jan, never lost
    {"source_domain": "a.test", "first_seen": t("2026-01-05"), "status": "live"},
    {"source_domain": "a.test", "first_seen": t("2026-01-20"), "status": "lost",
     "lost_at": t("2026-02-02")},
    # b.test: new in Jan, both links lost -> lost at the later lost_at (March)
    {"source_domain": "b.test", "first_seen": t("2026-01-07"), "status": "lost",
     "lost_at": t("2026-02-10")},
    {"source_domain": "b.test", "first_seen": t("2026-01-09"), "status": "lost",
     "lost_at": t("2026-03-03")},
    # c.test: new in March
    {"source_domain": "c.test", "first_seen": t("2026-03-30"), "status": "live"},
]


def test_domain_events() -> None:
    assert domain_events(LINKS) == {
        "a.test": DomainEvents(t("2026-01-05"), None),
        "b.test": DomainEvents(t("2026-01-07"), t("2026-03-03")),
        "c.test": DomainEvents(t("2026-03-30"), None),
    }


def test_monthly_velocity_fills_gaps() -> None:
    assert velocity(domain_events(LINKS), "month") == [
        {"period": "2026-01", "new": 2, "lost": 0, "net": 2, "cumulative": 2,
         "trailing_median": None, "spike": False},
        {"period": "2026-02", "new": 0, "lost": 0, "net": 0, "cumulative": 2,
         "trailing_median": 2.0, "spike": False},
        {"period": "2026-03", "new": 1, "lost": 1, "net": 0, "cumulative": 2,
         "trailing_median": 1.0, "spike": False},
    ]


def test_weekly_velocity_uses_iso_weeks() -> None:
    rows = velocity(domain_events(LINKS), "week")
    # 2026-01-05 is a Monday (ISO week 2); 2026-03-30 is the Monday of week 14
    assert rows[0] == {"period": "2026-W02", "new": 2, "lost": 0, "net": 2, "cumulative": 2,
                       "trailing_median": None, "spike": False}
    # b.test was lost in W10: 2 - 1 + 1 live domains; the six weeks before had no new ones
    assert rows[-1] == {"period": "2026-W14", "new": 1, "lost": 0, "net": 1, "cumulative": 2,
                        "trailing_median": 0.0, "spike": False}
    assert [r["period"] for r in rows] == [f"2026-W{w:02d}" for w in range(2, 15)]
    assert {r["period"]: r["lost"] for r in rows if r["lost"]} == {"2026-W10": 1}


@pytest.mark.parametrize(("day", "period", "expected"), [
    ("2026-01-01", "week", "2026-W01"),
    ("2027-01-01", "week", "2026-W53"),
    ("2026-12-31", "month", "2026-12"),
])
def test_period_of(day: str, period: str, expected: str) -> None:
    assert period_of(t(day), period) == expected


def test_no_links_no_rows() -> None:
    assert velocity({}, "week") == []
    with pytest.raises(ValueError):
        period_of(t("2026-01-01"), "day")


def _monthly(new_per_month: list[int]) -> list[dict]:
    events = {}
    for month, count in enumerate(new_per_month, start=1):
        for i in range(count):
            events[f"m{month}-{i}.test"] = DomainEvents(t(f"2025-{month:02d}-10"), None)
    return velocity(events, "month")


def test_a_burst_of_new_referring_domains_is_flagged() -> None:
    rows = _monthly([1, 2, 1, 1, 2, 1, 10])
    assert [(r["period"], r["trailing_median"], r["spike"]) for r in rows][-2:] == [
        ("2025-06", 1.0, False), ("2025-07", 1.0, True)]
    assert rows[-1]["cumulative"] == 18


def test_small_jumps_and_steady_growth_are_not_spikes() -> None:
    assert not any(r["spike"] for r in _monthly([1, 1, 1, 4]))  # under 5 new: never
    assert not any(r["spike"] for r in _monthly([5, 6, 7, 8, 9, 10, 12]))
