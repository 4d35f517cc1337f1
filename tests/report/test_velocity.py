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
        {"period": "2026-01", "new": 2, "lost": 0, "net": 2},
        {"period": "2026-02", "new": 0, "lost": 0, "net": 0},
        {"period": "2026-03", "new": 1, "lost": 1, "net": 0},
    ]


def test_weekly_velocity_uses_iso_weeks() -> None:
    rows = velocity(domain_events(LINKS), "week")
    # 2026-01-05 is a Monday (ISO week 2); 2026-03-30 is the Monday of week 14
    assert rows[0] == {"period": "2026-W02", "new": 2, "lost": 0, "net": 2}
    assert rows[-1] == {"period": "2026-W14", "new": 1, "lost": 0, "net": 1}
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
