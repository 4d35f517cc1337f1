"""Domain authority (0-100) from the crawl's own domain graph, and public ranks from a file.

Method (``linkcrawl authority``):

1. The graph: one node per registrable domain in ``domain_edges``; one edge per
   (linking domain, linked domain) pair, however many links it has (a domain votes once
   for each domain it links to, as "referring domains" count), self-links ignored.
2. PageRank with damping 0.85 over that graph; the rank of domains that link nowhere is
   spread evenly over all domains. Iterates until the ranks move less than 1e-12 in total.
3. Log scaling: ``authority = 100 * (ln(pr) - ln(pr_min)) / (ln(pr_max) - ln(pr_min))``,
   so the best-linked domain of the crawl scores 100, a domain nobody links to scores 0,
   and each step up the scale needs a multiple of the rank, as with the big tools' scores.

The scores are relative to what was crawled: crawl more of the web and they mean more.
"""

from __future__ import annotations

import gzip
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import IO

DAMPING = 0.85
TOLERANCE = 1e-12
MAX_ITERATIONS = 200

Edge = tuple[str, str]


def build_graph(edges: Iterable[Edge]) -> dict[str, set[str]]:
    """Domain -> the distinct domains it links to (every domain seen is a key)."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(target, set())
        out = graph.setdefault(source, set())
        if source != target:
            out.add(target)
    return graph


def pagerank(graph: Mapping[str, set[str]], damping: float = DAMPING) -> dict[str, float]:
    """PageRank of every node; the values sum to 1."""
    nodes = sorted(graph)
    n = len(nodes)
    if not n:
        return {}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        dangling = sum(rank[v] for v in nodes if not graph[v])
        base = (1.0 - damping) / n + damping * dangling / n
        new = dict.fromkeys(nodes, base)
        for v in nodes:
            out = graph[v]
            if out:
                share = damping * rank[v] / len(out)
                for w in out:
                    new[w] += share
        delta = sum(abs(new[v] - rank[v]) for v in nodes)
        rank = new
        if delta < TOLERANCE:
            break
    return rank


def log_scale(values: Mapping[str, float]) -> dict[str, float]:
    """0-100 on a log scale between the smallest and the largest value (all 0 if equal)."""
    positive = {k: v for k, v in values.items() if v > 0}
    if not positive:
        return dict.fromkeys(values, 0.0)
    low, high = math.log(min(positive.values())), math.log(max(positive.values()))
    span = high - low
    return {
        k: round(100.0 * (math.log(v) - low) / span, 2) if span > 0 and v > 0 else 0.0
        for k, v in values.items()
    }


def authority_scores(edges: Iterable[Edge]) -> dict[str, float]:
    """Domain -> authority 0-100 (see the module docstring for the method)."""
    return log_scale(pagerank(build_graph(edges)))


# --- public rank files -------------------------------------------------------------------

def _open_text(path: Path) -> IO[str]:
    raw = path.open("rb")
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    stream = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace")


def _unreverse(host_rev: str) -> str:
    return ".".join(reversed(host_rev.strip().lower().split(".")))


def read_ranks(path: Path, wanted: set[str] | None = None) -> Iterator[tuple[str, int]]:
    """(domain, rank) pairs from a ranking file, streamed (the real files are gigabytes).

    Formats, told apart by the first line:

    - Common Crawl web-graph ranks (``cc-main-*-domain-ranks.txt.gz``): tab-separated with a
      header ``#harmonicc_pos #harmonicc_val #pr_pos #pr_val #host_rev ...``; the rank is
      ``harmonicc_pos`` and ``host_rev`` is the reversed domain (``com.example``);
    - a plain list ``rank,domain`` per line (Tranco, Majestic-style CSVs without header).

    Raises ValueError for a file in neither shape.
    """
    with _open_text(path) as text:
        first = text.readline()
        if first.startswith("#"):
            columns = [c.strip().lstrip("#") for c in first.split("\t")]
            try:
                pos, rev = columns.index("harmonicc_pos"), columns.index("host_rev")
            except ValueError:
                raise ValueError(
                    f"{path}: header has no harmonicc_pos/host_rev columns: {first.strip()!r}"
                ) from None
            lines: Iterable[str] = text
            split, start = "\t", 2
        else:
            pos, rev, split, start = 0, 1, ",", 1
            lines = chain([first], text)
        shape = "harmonicc_pos ... host_rev (tab-separated)" if split == "\t" else "rank,domain"
        ranked = 0
        for number, line in enumerate(lines, start=start):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split(split)
            if len(parts) <= max(pos, rev) or "\x00" in line:
                raise ValueError(f"{path} line {number}: not a ranking line (expected {shape})")
            try:
                rank = int(parts[pos])
            except ValueError:
                if number == 1:  # a "rank,domain" header
                    continue
                raise ValueError(
                    f"{path} line {number}: rank {parts[pos]!r} is not a number"
                ) from None
            ranked += 1
            domain = _unreverse(parts[rev]) if split == "\t" else parts[rev].strip().lower()
            if wanted is None or domain in wanted:
                yield domain, rank
        if not ranked:
            raise ValueError(f"{path}: no ranks in the file (expected {shape} lines)")


# The grades analysts' guides use for a 0-100 domain score: the report's authority bands.
AUTHORITY_BANDS = (("top", 60.0), ("decent", 40.0), ("weak", 0.0))
UNSCORED = "unscored"
BAND_LABELS = {"top": "top (60–100)", "decent": "decent (40–59)", "weak": "weak (below 40)",
               UNSCORED: "unscored"}


def authority_band(authority: float | None) -> str:
    """``top`` (>= 60), ``decent`` (>= 40), ``weak`` or ``unscored`` (no score yet)."""
    if authority is None:
        return UNSCORED
    return next(name for name, floor in AUTHORITY_BANDS if authority >= floor or floor == 0.0)
