"""The link gap on a hand-made store, on every store of the contract, and through the CLI."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.report.gap import link_gap
from linkcrawl.store import Store, open_store
from tests.conftest import linkcrawl_cli
from tests.store.test_contract import store  # noqa: F401  (fixture)

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def bl(source: str, target: str, anchor: str = "a link", **fields: Any) -> dict[str, Any]:
    host = source.split("/")[2]
    return {"source_url": source, "source_host": host, "source_domain": host,
            "target_url": f"http://{target}/", "target_host": target, "target_domain": target,
            "anchor_text": anchor, "rel": [], "follow": True, "location": "content",
            "link_type": "editorial", "seen_at": T0, **fields}


LINKS = [
    # a.test: both competitors, not the target; its best link to c1 is the content one
    bl("http://a.test/links", "c1.test", "c1 partner", location="footer", link_type="partner"),
    bl("http://a.test/review", "c1.test", "c1 review"),
    bl("http://a.test/post", "c2.test"),
    bl("http://b.test/p", "c1.test"),  # one competitor, strongest
    bl("http://d.test/p", "c1.test"), bl("http://d.test/q", "t.test"),  # links to us too
    bl("http://e.test/p", "t.test"),  # only us: the reverse gap
    bl("http://f.test/p", "c2.test", rel=["nofollow"], follow=False),  # nofollow only
]


def fill(s: Store) -> None:
    s.upsert_backlinks(LINKS)
    s.refresh_referring_domains()
    s.set_domain_scores({"a.test": {"authority": 50.0}, "b.test": {"authority": 70.0},
                             "d.test": {"authority": 90.0}})


def names(rows: list) -> list[str]:
    return [r.referring_domain for r in rows]


def test_gap_ranks_by_authority_then_competitor_count(store: Store) -> None:  # noqa: F811
    fill(store)
    rows = link_gap(store, "t.test", ["c1.test", "c2.test"])
    assert names(rows) == ["b.test", "a.test", "f.test"]  # unscored f.test last
    a = rows[1]
    assert a.linked == ["c1.test", "c2.test"] and a.authority == 50.0
    assert a.best["c1.test"]["source_url"] == "http://a.test/review"  # content beats footer
    assert a.best["c2.test"]["anchor_text"] == "a link"


@pytest.mark.parametrize(("options", "expected"), [
    ({"min_competitors": 2}, ["a.test"]),
    ({"follow_only": True}, ["b.test", "a.test"]),
    ({"min_authority": 60}, ["b.test"]),
    ({"reverse": True}, ["e.test"]),
])
def test_gap_options(store: Store, options: dict, expected: list[str]) -> None:  # noqa: F811
    fill(store)
    assert names(link_gap(store, "t.test", ["c1.test", "c2.test"], **options)) == expected


def test_a_gap_without_competitors_is_refused(store: Store) -> None:  # noqa: F811
    with pytest.raises(ValueError, match="competitor"):
        link_gap(store, "t.test", ["t.test"])


def test_gap_command_prints_and_writes_csv(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'gap.db'}"
    with open_store(uri) as s:
        fill(s)
    out_csv = tmp_path / "gap.csv"
    done = linkcrawl_cli("gap", "--store", uri, "--target", "t.test",
                         "--competitor", "c1.test,c2.test", "--csv", str(out_csv))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("3 referring domains link to at least 1 of c1.test, c2.test and not "
                        "to t.test")
    assert [line.split()[0] for line in lines[3:6]] == ["b.test", "a.test", "f.test"]
    with out_csv.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["Referring domain"] for r in rows] == ["b.test", "a.test", "f.test"]
    assert rows[1]["c1.test best link URL"] == "http://a.test/review"
    assert rows[1]["t.test best link URL"] == ""


def test_gap_table_with_many_competitors_fits_100_columns(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'gap.db'}"
    with open_store(uri) as s:
        fill(s)
    others = [f"competitor-number-{k}.test" for k in range(1, 7)]  # no links: names only
    done = linkcrawl_cli("gap", "--store", uri, "--target", "t.test",
                         "--competitor", ",".join(["c1.test", "c2.test", *others]))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    rule = next(i for i, line in enumerate(lines) if line.startswith("----"))
    assert " ".join(lines[:rule - 1]) == (  # the headline, wrapped; then header and rule
        "3 referring domains link to at least 1 of c1.test, c2.test, "
        + ", ".join(others) + " and not to t.test")
    assert [line.split()[0] for line in lines[rule + 1:]] == ["b.test", "a.test", "f.test"]


def test_gap_command_refuses_bad_input(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'gap.db'}"
    open_store(uri).close()
    done = linkcrawl_cli("gap", "--store", uri, "--target", "t.test", "--competitor",
                         "c1.test", "--min-competitors", "3")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "linkcrawl: error: --min-competitors must be between 1 and 1, got 3")
