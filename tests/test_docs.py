"""The README must match the code: settings, vocabularies, collections, commands."""

from __future__ import annotations

import re

import pytest

from linkcrawl.config import SETTINGS
from linkcrawl.store.base import COLLECTIONS
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


def test_quick_start_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make \w+$", quick, flags=re.M)
    assert commands == ["make demo", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M)
