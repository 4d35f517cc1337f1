"""Seen sets: no URL added is ever reported unseen, the false-positive rate stays under the
stated bound as the Bloom filter grows by slices, and both kinds answer alike."""

from __future__ import annotations

import pytest

from linkcrawl.navigate import seen
from linkcrawl.navigate.seen import FALSE_POSITIVE_BOUND, BloomSet, ExactSet, seen_set


@pytest.mark.parametrize("make", [BloomSet, ExactSet, lambda: BloomSet(first_bits=12)])
@pytest.mark.parametrize(
    ("keys", "new"),
    [
        (["http://a.test/"], [True]),
        (["http://a.test/", "http://a.test/"], [True, False]),
        (["http://a.test/x", "http://a.test/X", "http://a.test/x"], [True, True, False]),
        (["http://a.test/é", "http://a.test/e"], [True, True]),
        ([b"\x00" * 20, b"\x00" * 19, b"\x00" * 20], [True, True, False]),
    ],
)
def test_add_says_whether_new(make, keys: list[str | bytes], new: list[bool]) -> None:
    s = make()
    assert [s.add(k) for k in keys] == new
    assert all(k in s for k in keys)
    assert len(s) == sum(new)


def test_no_false_negatives_and_bounded_false_positives_across_slices() -> None:
    s = BloomSet(first_bits=14)  # 16 kbit first slice: 682 keys, so 20,000 keys need slices
    added = [f"http://site{i % 37}.test/page/{i}" for i in range(20_000)]
    s.update(added)
    assert s.slices >= 4
    assert all(u in s for u in added)
    probes = 200_000
    false = sum(f"http://other{i}.test/p" in s for i in range(probes))
    # the bound is 1e-4: 20 expected at most; 60 would be a 3x miss, not noise
    assert false <= 3 * FALSE_POSITIVE_BOUND * probes


def test_slice_errors_sum_under_the_bound() -> None:
    assert sum(seen.slice_error(i) for i in range(64)) < FALSE_POSITIVE_BOUND
    assert seen.slice_capacity(0) == (1 << 23) // 24


def test_memory_per_key() -> None:
    s = BloomSet()
    s.update(f"http://a.test/{i}" for i in range(300_000))
    assert s.slices == 1 and s.nbytes == 1 << 20  # 300,000 URLs in 1 MB: 3.5 bytes a URL


@pytest.mark.parametrize(("kind", "cls"), [("bloom", BloomSet), ("exact", ExactSet)])
def test_seen_set_kinds(kind: str, cls: type) -> None:
    assert isinstance(seen_set(kind), cls)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="bloom, exact"):
        seen_set("redis")


def test_non_key_is_not_seen() -> None:
    s = BloomSet()
    s.add("1")
    assert 1 not in s and None not in s
