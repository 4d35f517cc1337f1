"""Press-release wire rules: release and newsroom URLs, dates in URLs, the `since` cut."""

from __future__ import annotations

from datetime import date

import pytest

from linkcrawl.navigate.wires import before, classify_wire_url, url_date

W = "http://w.test"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/releases/2024/02/acme-widgets-launches-sprocket-pro.html", "release"),
        ("/news/2024/05/acme-expands.html", "release"),
        ("/news-release/2024/03/04/2840123/0/en/Acme-Wins.html", "release"),
        ("/release/rival-factory-tour", "release"),
        ("/releases/", "newsroom"),
        ("/releases/page/2/", "newsroom"),
        ("/newsroom/page/2/", "newsroom"),
        ("/", "newsroom"),
        ("/subscribe/", "skip"),
        ("/account/login", "skip"),
        ("/about.html", "other"),
    ],
)
def test_classify_wire_url(path: str, expected: str) -> None:
    assert classify_wire_url(W + path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/news/2024/05/x.html", date(2024, 5, 1)),
        ("/news-release/2024/03/04/123/x.html", date(2024, 3, 4)),
        ("/pr/2023-11-02-rival-q3", date(2023, 11, 2)),
        ("/pr/20231102-rival-q3", date(2023, 11, 2)),
        ("/story/acme-award", None),
        ("/product/2024/99/x", None),
    ],
)
def test_url_date(path: str, expected: date | None) -> None:
    assert url_date(W + path) == expected


@pytest.mark.parametrize(
    ("when", "since", "month_only", "expected"),
    [
        (date(2023, 12, 31), date(2024, 1, 1), False, True),
        (date(2024, 1, 1), date(2024, 1, 1), False, False),
        (date(2024, 1, 1), date(2024, 1, 15), True, False),  # same month: fetch and look
        (date(2023, 12, 1), date(2024, 1, 15), True, True),
        (None, date(2024, 1, 1), False, False),
        (date(2020, 1, 1), None, False, False),
    ],
)
def test_before(when: date | None, since: date | None, month_only: bool, expected: bool) -> None:
    assert before(when, since, month_only=month_only) is expected
