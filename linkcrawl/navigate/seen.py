"""Seen sets whose memory does not grow a Python object per URL.

A crawl remembers every URL it requested, every canonical URL, every page it stored and
every request fingerprint. As Python sets of digests these cost 60–100 bytes an entry: about
1 GB at 10 million URLs, per set. :class:`BloomSet` keeps the same answers in about 3 bytes
an entry (a scalable Bloom filter) at the price of a stated false-positive rate: a key never
added is reported as seen with probability below :data:`FALSE_POSITIVE_BOUND`. In a crawl a
false positive means one URL never fetched (or one page not stored), never a URL fetched twice.
:class:`ExactSet` keeps exact answers for small crawls and tests
(``LINKCRAWL_SEEN_SETS=exact``).

The filter grows by slices: slice *i* has 2^(23+i) bits (1 MB, 2 MB, 4 MB, …) and takes
2^(23+i) / (24 + 3i) keys before the next slice starts, with :data:`HASHES` bit positions a key
by double hashing (a + i·b) of the key's 64-bit Python hash, which str and bytes objects
compute once and keep: a link URL tested and then added is hashed once. Python's string
hash is salted per process, so a filter is never saved; with ``JOBDIR`` Scrapy's fingerprint
file is read back into a new one. Slice *i* full has a false-positive rate of
(1 - e^(-8/(24+3i)))^8: 4.2e-5, 1.9e-5, 9.0e-6, … whose sum stays under 1e-4 however many
slices there are (8.0e-5). The first slice holds 349,525 keys in 1 MB; 10 million keys take
6 slices, 63 MB (a set of 12-byte digests: ~900 MB).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from typing import Protocol

__all__ = ["FALSE_POSITIVE_BOUND", "HASHES", "BloomSet", "ExactSet", "SeenSet", "seen_set"]

HASHES = 8  # bit positions per key
FIRST_SLICE_BITS = 23  # log2 of the first slice's size in bits (1 MB)
MAX_SLICE_BITS = 32  # slices stop growing at 2^32 bits (512 MB)
_ROUNDS = range(HASHES)
FALSE_POSITIVE_BOUND = 1e-4


class SeenSet(Protocol):
    """What the crawl needs of a seen set: add (True when the key is new), test, count."""

    def add(self, key: bytes | str) -> bool: ...

    def __contains__(self, key: object) -> bool: ...

    def __len__(self) -> int: ...


def _bytes(key: bytes | str) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8", "surrogatepass")


_U64 = (1 << 64) - 1
_U32 = (1 << 32) - 1


def _positions(key: bytes | str) -> tuple[int, int]:
    """(a, b) of the key's positions a + i·b (Kirsch and Mitzenmacher's double hashing)."""
    h = hash(key) & _U64
    return h & _U32, (h >> 32) | 1


def slice_capacity(index: int, first_bits: int = FIRST_SLICE_BITS) -> int:
    """Keys slice ``index`` takes before the next one starts (bits / (24 + 3 × index))."""
    bits = 1 << min(first_bits + index, MAX_SLICE_BITS)
    return bits // (24 + 3 * index)


def slice_error(index: int) -> float:
    """False-positive rate of slice ``index`` when full."""
    return (1.0 - math.exp(-HASHES / (24 + 3 * index))) ** HASHES


class _Slice:
    __slots__ = ("bits", "capacity", "count", "mask")

    def __init__(self, log2_bits: int, capacity: int) -> None:
        self.bits = bytearray(1 << (log2_bits - 3))
        self.mask = (1 << log2_bits) - 1
        self.capacity = capacity
        self.count = 0

    def has(self, positions: tuple[int, int]) -> bool:
        bits, mask = self.bits, self.mask
        p, step = positions
        for _ in _ROUNDS:
            p &= mask
            if not bits[p >> 3] & (1 << (p & 7)):
                return False
            p += step
        return True

    def set(self, positions: tuple[int, int]) -> None:
        bits, mask = self.bits, self.mask
        p, step = positions
        for _ in _ROUNDS:
            p &= mask
            bits[p >> 3] |= 1 << (p & 7)
            p += step
        self.count += 1


class BloomSet:
    """A scalable Bloom filter over bytes or str keys (see the module docstring for rates)."""

    def __init__(self, first_bits: int = FIRST_SLICE_BITS) -> None:
        self._first_bits = first_bits
        self._slices = [_Slice(first_bits, slice_capacity(0, first_bits))]
        self._len = 0

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, bytes | str):
            return False
        positions = _positions(key)
        for s in self._slices:  # noqa: SIM110 - a loop, not any(): ~0.3 µs a call, per link
            if s.has(positions):
                return True
        return False

    def add(self, key: bytes | str) -> bool:
        """Add ``key``; True when it was not (as far as the filter can tell) there before."""
        positions = _positions(key)
        for s in self._slices:
            if s.has(positions):
                return False
        last = self._slices[-1]
        if last.count >= last.capacity:
            index = len(self._slices)
            last = _Slice(min(self._first_bits + index, MAX_SLICE_BITS),
                          slice_capacity(index, self._first_bits))
            self._slices.append(last)
        last.set(positions)
        self._len += 1
        return True

    def update(self, keys: Iterable[bytes | str]) -> None:
        for key in keys:
            self.add(key)

    def __len__(self) -> int:
        """Keys added (a false positive at ``add`` is not counted)."""
        return self._len

    @property
    def nbytes(self) -> int:
        """Bytes of bit arrays allocated."""
        return sum(len(s.bits) for s in self._slices)

    @property
    def slices(self) -> int:
        return len(self._slices)


class ExactSet:
    """Exact answers: a set of 16-byte digests (about 90 bytes a key)."""

    def __init__(self) -> None:
        self._set: set[bytes] = set()

    @staticmethod
    def _digest(key: bytes | str) -> bytes:
        return hashlib.blake2b(_bytes(key), digest_size=16).digest()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes | str) and self._digest(key) in self._set

    def add(self, key: bytes | str) -> bool:
        digest = self._digest(key)
        if digest in self._set:
            return False
        self._set.add(digest)
        return True

    def update(self, keys: Iterable[bytes | str]) -> None:
        for key in keys:
            self.add(key)

    def __len__(self) -> int:
        return len(self._set)


SEEN_KINDS = ("bloom", "exact")


def seen_set(kind: str = "bloom") -> BloomSet | ExactSet:
    """A new seen set of ``kind`` (``LINKCRAWL_SEEN_SETS``): "bloom" or "exact"."""
    if kind == "exact":
        return ExactSet()
    if kind == "bloom":
        return BloomSet()
    raise ValueError(f"seen set kind must be one of {', '.join(SEEN_KINDS)}, got {kind!r}")
