"""``linkcrawl prospects`` on a small host graph in Common Crawl's format (gzipped
``id<TAB>reversed host`` vertices, ``from<TAB>to`` edges). The graph and the expected
prospects are written by hand below."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from linkcrawl.errors import ConfigError
from linkcrawl.sources.hostgraph import GraphCounts, find_prospects, reverse_host, watched_ids
from linkcrawl.store import open_store
from tests.conftest import linkcrawl_cli

VERTICES = [  # sorted by id, as Common Crawl ships them
    (0, "com.acme"), (1, "com.acme.www"), (2, "com.acme.shop"), (3, "com.rival"),
    (4, "org.blog"), (5, "org.blog.news"), (6, "net.forum"), (7, "com.crawled"),
    (8, "com.acmeish"), (9, "com.other"), (10, "com.rival.www"), (11, "de.verzeichnis"),
]
EDGES = [  # sorted by from id
    (0, 1), (1, 4),  # acme's own hosts: never prospects
    (2, 0),
    (4, 1), (4, 3),  # blog.org links to acme and rival
    (5, 3),  # news.blog.org links to the competitor only
    (6, 0),  # forum.net links to acme
    (7, 1),  # crawled.com links to acme but was crawled already
    (8, 9),  # acmeish.com is not acme
    (9, 8),
    (10, 3),  # rival's own hosts
    (11, 10), (11, 2),  # verzeichnis.de links to both (subdomains count)
]


def _write(tmp_path: Path, split: bool = False) -> tuple[str, str]:
    def gz(name: str, rows: list[tuple[int, object]]) -> Path:
        path = tmp_path / name
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for a, b in rows:
                out.write(f"{a}\t{b}\n")
        return path

    if split:  # Common Crawl splits big graphs into numbered parts
        v = [gz("v-0.txt.gz", VERTICES[:6]), gz("v-1.txt.gz", VERTICES[6:])]
        e = [gz("e-0.txt.gz", EDGES[:5]), gz("e-1.txt.gz", EDGES[5:])]
        return ",".join(map(str, v)), ",".join(map(str, e))
    return str(gz("vertices.txt.gz", VERTICES)), str(gz("edges.txt.gz", EDGES))


@pytest.mark.parametrize(("host", "reversed_"), [
    ("www.example.com", "com.example.www"), ("example.com", "com.example"),
    ("a.b.c.co.uk", "uk.co.c.b.a"),
])
def test_reverse_host(host: str, reversed_: str) -> None:
    assert reverse_host(host) == reversed_
    assert reverse_host(reversed_) == host


def test_watched_ids_are_the_sites_and_their_subdomains_only(tmp_path: Path) -> None:
    vertices, _ = _write(tmp_path)
    counts = GraphCounts()
    assert watched_ids([Path(vertices)], ["acme.com", "rival.com"], counts) == {
        0: "acme.com", 1: "acme.com", 2: "acme.com", 3: "rival.com", 10: "rival.com"}
    assert counts.vertices == 12


@pytest.mark.parametrize("split", [False, True])
def test_prospects_and_their_order(tmp_path: Path, split: bool) -> None:
    vertices, edges = _write(tmp_path, split)
    prospects, counts = find_prospects(
        [Path(p) for p in vertices.split(",")], [Path(p) for p in edges.split(",")],
        ["acme.com"], ["rival.com"], crawled={"crawled.com"})
    assert [(p.host, sorted(p.links_to)) for p in prospects] == [
        ("blog.org", ["acme.com", "rival.com"]),
        ("verzeichnis.de", ["acme.com", "rival.com"]),
        ("forum.net", ["acme.com"]),
        ("news.blog.org", ["rival.com"]),
    ]
    assert (counts.edges, counts.crawled) == (len(EDGES), 1)


def test_the_command_writes_a_seed_file_the_sites_spider_reads(tmp_path: Path) -> None:
    from linkcrawl.navigate.seeds import load_seeds

    vertices, edges = _write(tmp_path)
    uri = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(uri) as store:  # forum.net was crawled: it is no prospect
        store.upsert_pages([{"url": "http://forum.net/", "host": "forum.net",
                             "domain": "forum.net", "status": 200}])
    out = tmp_path / "prospects.txt"
    result = linkcrawl_cli("prospects", "--cc-hostgraph", vertices, edges, "--target",
                           "acme.com", "--competitor", "rival.com", "--store", uri,
                           "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "12 vertices, 13 edges; 5 hosts of the targets and competitors, 8 hosts linking " \
           "to them, 1 already crawled" in result.stdout
    seeds = [s.url for s in load_seeds(None, str(out))]
    # crawled.com is not in this store: here it is a prospect
    assert seeds == ["http://blog.org/", "http://verzeichnis.de/", "http://crawled.com/",
                     "http://news.blog.org/"]
    text = out.read_text(encoding="utf-8")
    assert "http://blog.org/  # links to acme.com; links to competitor rival.com" in text
    assert "http://news.blog.org/  # links to competitor rival.com" in text


def test_a_malformed_graph_line_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "v.txt"
    bad.write_text("0\tcom.acme\nnot a graph line\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"v.txt line 2: expected two tab-separated fields"):
        watched_ids([bad], ["acme.com"], GraphCounts())
