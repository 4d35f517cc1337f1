"""The README and docs/ must match the code: settings, vocabularies, collections, commands,
and every relative link must lead somewhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

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

README_PATH = REPO / "README.md"
DOCS = REPO / "docs"
README = README_PATH.read_text(encoding="utf-8")
README_MAX_LINES = 300


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body under ``heading`` up to the next heading of any level."""
    assert heading + "\n" in text, f"heading {heading!r} missing"
    return text.split(heading + "\n", 1)[1].split("\n#", 1)[0]


CRAWLING = _doc("crawling.md")
CLASSIFIERS = _doc("classifiers.md")
COLLECTIONS_DOC = _doc("collections.md")
CLI_DOC = _doc("cli.md")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    default = SETTINGS[name][0]
    table = CRAWLING.split("<!-- settings-table -->", 1)[1].split("<!-- /settings-table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith(f"| `{name}`")]
    assert rows, f"{name} missing from the settings table in docs/crawling.md"
    shown = "[]" if default == [] else str(default)
    assert shown in rows[0], f"{name}: docs/crawling.md row does not show the default {shown!r}"


@pytest.mark.parametrize("value", LOCATIONS + LINK_TYPES + PAGE_TYPES)
def test_every_vocabulary_value_is_documented(value: str) -> None:
    assert re.search(rf"`{value}`", _section(CLASSIFIERS, "## Vocabularies")), value


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_is_documented(collection: str) -> None:
    assert f"### `{collection}`" in COLLECTIONS_DOC


@pytest.mark.parametrize(("collection", "field"),
                         [(c, f) for c, fields in FIELDS.items() for f in fields])
def test_every_stored_field_is_documented_in_its_collection(collection: str, field: str) -> None:
    assert f"`{field}`" in _section(COLLECTIONS_DOC, f"### `{collection}`")


SPIDERS = SpiderLoader.from_settings(
    Settings({"SPIDER_MODULES": project_settings.SPIDER_MODULES})).list()


def test_the_spiders_are_found() -> None:
    assert "sites" in SPIDERS


@pytest.mark.parametrize("spider", SPIDERS)
def test_every_spider_is_documented(spider: str) -> None:
    assert f"| `{spider}` |" in _section(CRAWLING, "## Spiders")


SUBCOMMANDS = next(a for a in build_parser()._actions
                   if isinstance(a, argparse._SubParsersAction)).choices


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"| `linkcrawl {command}" in _section(CLI_DOC, "### The `linkcrawl` command")


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


def test_the_readme_stays_short() -> None:
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


# --- links ---------------------------------------------------------------------------------

MARKDOWN = [README_PATH, *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def _prose(text: str) -> str:
    """The text outside fenced code blocks and inline code spans (links there are not links)."""
    kept, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line.lstrip()):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^#{1,6} (.+)$", line)):
            anchors.add(_slug(m.group(1)))
    return anchors


def _relative_links() -> list[tuple[str, str]]:
    found = []
    for path in MARKDOWN:
        for target in LINK.findall(_prose(path.read_text(encoding="utf-8"))):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
                found.append((str(path.relative_to(REPO)), target))
    return found


LINKS = _relative_links()


def test_the_docs_link_to_each_other() -> None:
    assert len(LINKS) > 20
    assert ("README.md", "docs/architecture.md") in LINKS


@pytest.mark.parametrize(("source", "target"), LINKS)
def test_every_relative_link_points_to_an_existing_file(source: str, target: str) -> None:
    base = (REPO / source).parent
    file_part, _, anchor = target.partition("#")
    dest = (base / file_part).resolve() if file_part else REPO / source
    assert dest.exists(), f"{source}: link to {target} leads nowhere"
    if anchor and dest.suffix == ".md":
        assert anchor in _anchors(dest), f"{source}: no heading for #{anchor} in {file_part}"


@pytest.mark.parametrize(("heading", "slug"), [
    ("Scheduling (cron / systemd timer)", "scheduling-cron--systemd-timer"),
    ("Spill files and `linkcrawl replay`", "spill-files-and-linkcrawl-replay"),
    ("What kind of link: `link_type`", "what-kind-of-link-link_type"),
    ("Recheck and lost links", "recheck-and-lost-links"),
])
def test_heading_anchors_follow_github(heading: str, slug: str) -> None:
    assert _slug(heading) == slug
