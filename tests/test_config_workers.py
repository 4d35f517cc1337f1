"""LINKCRAWL_ANALYSIS_WORKERS (a number or "auto") and LINKCRAWL_SEEN_SETS as parsed."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from linkcrawl.config import LinkcrawlConfig, auto_workers, usable_cores
from linkcrawl.errors import ConfigError


@pytest.mark.parametrize(("cores", "workers"), [(1, 0), (2, 0), (3, 1), (4, 2), (6, 2), (64, 2)])
def test_auto_workers(cores: int, workers: int) -> None:
    assert auto_workers(cores) == workers


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), ("", 0), (0, 0), ("2", 2), (3, 3), ("auto", None), (" AUTO ", None)],
)
def test_workers_setting(value: object, expected: int | None) -> None:
    settings = Settings({} if value is None else {"LINKCRAWL_ANALYSIS_WORKERS": value})
    workers = LinkcrawlConfig.from_settings(settings).analysis_workers
    assert workers == (auto_workers(usable_cores()) if expected is None else expected)


@pytest.mark.parametrize(("value", "message"), [("many", "whole number or auto"), (-1, ">= 0")])
def test_bad_workers_setting(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        LinkcrawlConfig.from_settings(Settings({"LINKCRAWL_ANALYSIS_WORKERS": value}))


@pytest.mark.parametrize(("value", "expected"), [(None, "bloom"), ("Exact", "exact")])
def test_seen_sets_setting(value: str | None, expected: str) -> None:
    settings = Settings({} if value is None else {"LINKCRAWL_SEEN_SETS": value})
    assert LinkcrawlConfig.from_settings(settings).seen_sets == expected


def test_bad_seen_sets_setting() -> None:
    with pytest.raises(ConfigError, match="bloom or exact"):
        LinkcrawlConfig.from_settings(Settings({"LINKCRAWL_SEEN_SETS": "redis"}))
