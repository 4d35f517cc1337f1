"""Authority on small graphs whose values are worked out by hand in the comments."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest

from linkcrawl.report.authority import (
    authority_scores,
    build_graph,
    log_scale,
    pagerank,
    read_ranks,
)

# a -> c, b -> c, c -> a (b has no inlinks). N = 3, d = 0.85, no dangling nodes:
#   PR(b) = 0.15/3                      = 0.05
#   PR(c) = 0.05 + 0.85 (PR(a) + PR(b)) = 0.0925 + 0.85 PR(a)
#   PR(a) = 0.05 + 0.85 PR(c)           = 0.128625 + 0.7225 PR(a)  =>  PR(a) = 0.128625 / 0.2775
TRIANGLE = [("a", "c"), ("b", "c"), ("c", "a")]
PR_A = 0.128625 / 0.2775  # 0.463514
PR_C = 0.0925 + 0.85 * PR_A  # 0.486486


def test_pagerank_matches_the_hand_computed_values() -> None:
    pr = pagerank(build_graph(TRIANGLE))
    assert pr == pytest.approx({"a": PR_A, "b": 0.05, "c": PR_C}, abs=1e-9)
    assert sum(pr.values()) == pytest.approx(1.0)


def test_authority_is_the_log_scaled_pagerank() -> None:
    # ln(0.05) = -2.995732, ln(PR_A) = -0.768900, ln(PR_C) = -0.720531
    # a: 100 * (-0.768900 + 2.995732) / (-0.720531 + 2.995732) = 97.87
    scores = authority_scores(TRIANGLE)
    assert scores == {"a": 97.87, "b": 0.0, "c": 100.0}


def test_dangling_rank_is_spread_evenly() -> None:
    # x -> y, y links nowhere. N = 2: each step y's rank is shared by both.
    #   PR(x) = 0.075 + 0.425 PR(y);  PR(y) = 0.075 + 0.425 PR(y) + 0.85 PR(x)
    #   with PR(x) + PR(y) = 1:  PR(x) = 0.075 + 0.425 (1 - PR(x)) => PR(x) = 0.5 / 1.425
    pr = pagerank(build_graph([("x", "y")]))
    assert pr["x"] == pytest.approx(0.5 / 1.425, abs=1e-9)
    assert pr["y"] == pytest.approx(1 - 0.5 / 1.425, abs=1e-9)


def test_a_domain_votes_once_and_self_links_do_not_count() -> None:
    assert build_graph([("a", "b"), ("a", "b"), ("a", "a")]) == {"a": {"b"}, "b": set()}


@pytest.mark.parametrize(("values", "expected"), [
    ({}, {}),
    ({"a": 1.0, "b": 1.0}, {"a": 0.0, "b": 0.0}),
    ({"a": 1.0, "b": math.e, "c": math.e**2}, {"a": 0.0, "b": 50.0, "c": 100.0}),
    ({"a": 0.0, "b": 2.0}, {"a": 0.0, "b": 0.0}),
])
def test_log_scale(values: dict[str, float], expected: dict[str, float]) -> None:
    assert log_scale(values) == expected


CC_HEADER = "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev\t#n_hosts\n"


def test_reads_a_common_crawl_domain_ranks_file(tmp_path: Path) -> None:
    # the shape of cc-main-*-domain-ranks.txt.gz: gzip, tab-separated, reversed domains
    path = tmp_path / "ranks.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(CC_HEADER)
        f.write("1\t3.2E7\t2\t0.0051\tcom.example\t120\n")
        f.write("2\t3.1E7\t1\t0.0060\tcom.widgetweekly\t3\n")
        f.write("3\t2.9E7\t5\t0.0010\tuk.co.shop\t1\n")
    assert dict(read_ranks(path)) == {"example.com": 1, "widgetweekly.com": 2, "shop.co.uk": 3}
    assert dict(read_ranks(path, wanted={"shop.co.uk"})) == {"shop.co.uk": 3}


def test_reads_a_plain_rank_domain_csv(tmp_path: Path) -> None:
    path = tmp_path / "top.csv"
    path.write_text("1,google.com\n2,Example.org\n", encoding="utf-8")
    assert list(read_ranks(path)) == [("google.com", 1), ("example.org", 2)]


@pytest.mark.parametrize("content", ["#pos\t#domain\n1\tcom.x\n", "one,example.com\n"])
def test_rejects_files_in_another_shape(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        list(read_ranks(path))
