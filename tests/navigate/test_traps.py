"""The URL trap policy: what is stripped, what is refused, and why."""

from __future__ import annotations

from datetime import date

import pytest

from linkcrawl.navigate.traps import TrapPolicy, check_url, is_calendar, page_number, strip_params

POLICY = TrapPolicy(max_url_length=200, max_query_params=5, max_page_number=50,
                    max_offset=1000, today=date(2026, 11, 26))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.test/x?PHPSESSID=abc&id=3", "http://a.test/x?id=3"),
        ("http://a.test/x;jsessionid=0AF3C9?id=3", "http://a.test/x?id=3"),
        ("http://a.test/x;type=a;jsessionid=0AF3", "http://a.test/x;type=a"),
        ("http://a.test/viewtopic.php?f=2&t=1&sid=0123456789abcdef0123456789abcdef",
         "http://a.test/viewtopic.php?f=2&t=1"),
        # vBulletin session in s=, but WordPress search in s= stays
        ("http://a.test/showthread.php?s=0123456789abcdef0123456789abcdef&t=9",
         "http://a.test/showthread.php?t=9"),
        ("http://a.test/?s=widgets", "http://a.test/?s=widgets"),
        ("http://a.test/list?sort=price&order=asc&page=2", "http://a.test/list?page=2"),
        ("http://a.test/f?sk=t&sd=d&st=0&start=25", "http://a.test/f?start=25"),
        ("http://a.test/shop?filter_color=red&orderby=date&p=3", "http://a.test/shop?p=3"),
        ("http://a.test/forum/3-x/?sortby=title&sortdirection=asc", "http://a.test/forum/3-x/"),
        ("http://a.test/a?ASPSESSIONIDQQGGQ=XYZ&b=1", "http://a.test/a?b=1"),
        ("http://a.test/plain", "http://a.test/plain"),
    ],
)
def test_strip_params(url: str, expected: str) -> None:
    assert strip_params(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://a.test/?q=" + "x" * 300, "url_too_long"),
        ("http://a.test/?a=1&b=2&c=3&d=4&e=5&f=6", "too_many_params"),
        ("http://a.test/?a=1&a=2&a=3&a=4", "repeated_params"),
        ("http://a.test/a/b/a/b/a/b/a/b/", "repeating_path"),
        ("http://a.test/archive/page/51/", "deep_pagination"),
        ("http://a.test/list?page=51", "deep_pagination"),
        ("http://a.test/viewforum.php?f=2&start=1025", "deep_pagination"),
        ("http://a.test/threads/x.7/page-51", "deep_pagination"),
        ("http://a.test/calendar/2035/01/", "calendar_out_of_range"),
        ("http://a.test/events/?month=3&year=1999", "calendar_out_of_range"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    verdict = check_url(url, POLICY)
    assert verdict.refused
    assert verdict.reason == reason


@pytest.mark.parametrize(
    ("url", "cleaned", "calendar"),
    [
        ("http://a.test/archive/page/50/", "http://a.test/archive/page/50/", False),
        ("http://a.test/calendar/2026/12/", "http://a.test/calendar/2026/12/", True),
        ("http://a.test/events/?date=2024-05-01", "http://a.test/events/?date=2024-05-01", True),
        ("http://a.test/2024/03/best-widgets/", "http://a.test/2024/03/best-widgets/", False),
        ("http://a.test/x?sort=a&PHPSESSID=1&a=1&b=2&c=3&d=4&e=5",
         "http://a.test/x?a=1&b=2&c=3&d=4&e=5", False),  # counted after stripping
    ],
)
def test_allowed(url: str, cleaned: str, calendar: bool) -> None:
    verdict = check_url(url, POLICY)
    assert not verdict.refused
    assert verdict.url == cleaned
    assert verdict.calendar is calendar


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.test/category/x/page/3/", ("page", 3)),
        ("http://a.test/?paged=4", ("page", 4)),
        ("http://a.test/viewtopic.php?t=1&start=50", ("offset", 50)),
        ("http://a.test/threads/x.7/page-2", ("page", 2)),
        ("http://a.test/t/x/42?page=2", ("page", 2)),
        ("http://a.test/pages/about/", None),
        ("http://a.test/?page=last", None),
    ],
)
def test_page_number(url: str, expected: tuple[str, int] | None) -> None:
    assert page_number(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.test/calendar/", True),
        ("http://a.test/de/kalender/2024/", True),
        ("http://a.test/events/?month=5", True),
        ("http://a.test/events/widget-fair/", False),
        ("http://a.test/blog/2024/05/", False),
    ],
)
def test_is_calendar(url: str, expected: bool) -> None:
    assert is_calendar(url) is expected


@pytest.mark.parametrize(
    "url",
    ["http://a.test/x?PHPSESSID=abc&id=3", "http://a.test/list?sort=price&page=2",
     "http://a.test/x;jsessionid=1?a=b", "http://a.test/"],
)
def test_stripping_twice_changes_nothing(url: str) -> None:
    once = strip_params(url)
    assert strip_params(once) == once


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LINKCRAWL_MAX_URL_LENGTH", 0, "LINKCRAWL_MAX_URL_LENGTH must be >= 1, got 0"),
        ("LINKCRAWL_MAX_QUERY_PARAMS", -1, "LINKCRAWL_MAX_QUERY_PARAMS must be >= 1, got -1"),
        ("LINKCRAWL_MAX_PAGE_NUMBER", 0, "LINKCRAWL_MAX_PAGE_NUMBER must be >= 1, got 0"),
        ("LINKCRAWL_MAX_CALENDAR_PAGES", -1, "LINKCRAWL_MAX_CALENDAR_PAGES and"),
    ],
)
def test_trap_settings_are_checked(name: str, value: int, message: str) -> None:
    from scrapy.settings import Settings

    from linkcrawl.config import LinkcrawlConfig
    from linkcrawl.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        LinkcrawlConfig.from_settings(Settings({name: value}))
