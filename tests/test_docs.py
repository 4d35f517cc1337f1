"""The README must match the code: settings, vocabularies, collections, commands."""

from __future__ import annotations

import argparse
import re

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from linkcrawl.cli.main import build_parser
from linkcrawl.config import SETTINGS
from linkcrawl.crawl import settings as project_settings
from linkcrawl.store.base import COLLECTIONS
from linkcrawl.store.schema import FIELDS
from linkcrawl.vocab import LINK_TYPES, LOCATIONS, PAGE_TYPES
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    default = SETTINGS[name][0]
    rows = [line for line in README.splitlines() if line.startswith(f"| `{name}`")]
    assert rows, f"{name} missing from the README settings table"
    shown = "[]" if default == [] else str(default)
    assert shown in rows[0], f"{name}: README row does not show the default {shown!r}"


@pytest.mark.parametrize("value", LOCATIONS + LINK_TYPES + PAGE_TYPES)
def test_every_vocabulary_value_is_documented(value: str) -> None:
    assert re.search(rf"`{value}`", README), value


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_is_documented(collection: str) -> None:
    assert f"### `{collection}`" in README


def _section(heading: str) -> str:
    return README.split(heading + "\n", 1)[1].split("\n#", 1)[0]


@pytest.mark.parametrize(("collection", "field"),
                         [(c, f) for c, fields in FIELDS.items() for f in fields])
def test_every_stored_field_is_documented_in_its_collection(collection: str, field: str) -> None:
    assert f"`{field}`" in _section(f"### `{collection}`")


SPIDERS = SpiderLoader.from_settings(
    Settings({"SPIDER_MODULES": project_settings.SPIDER_MODULES})).list()


def test_the_spiders_are_found() -> None:
    assert "sites" in SPIDERS


@pytest.mark.parametrize("spider", SPIDERS)
def test_every_spider_is_documented(spider: str) -> None:
    assert f"| `{spider}` |" in _section("## Spiders")


SUBCOMMANDS = next(a for a in build_parser()._actions
                   if isinstance(a, argparse._SubParsersAction)).choices


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"| `linkcrawl {command}" in _section("### The `linkcrawl` command")


def test_quick_start_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make \w+$", quick, flags=re.M)
    assert commands == ["make demo", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: .*\n\t\$\(BIN\)/linkcrawl demo$", makefile, flags=re.M)
    assert re.search(r"^test: .*\n\t\$\(BIN\)/python -m pytest$", makefile, flags=re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M)
    install = re.search(r"^apt-get install .*$", ci.replace("\\\n", " "), flags=re.M)
    assert install and {"make", "chromium", "redis-server"} <= set(install.group().split())
