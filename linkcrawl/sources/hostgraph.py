"""Prospects from the Common Crawl host-level web graph: hosts that link to your targets or
your competitors and that linkcrawl has not crawled yet, as a seed file for ``scrapy crawl
sites``.

Common Crawl publishes, per crawl, a host graph as two sets of gzipped text files:

- vertices: ``<id>\\t<reversed host>`` per line, sorted by id (``com.example.www`` for
  ``www.example.com``);
- edges: ``<from id>\\t<to id>`` per line, sorted by from id, one line per linked host pair.

The files are many GB, so they are streamed three times and filtered as early as possible:
(1) the vertices, keeping only the ids of the target and competitor hosts (and their
subdomains); (2) the edges, keeping only those into those ids, grouped by the linking id;
(3) the vertices again, naming only the linking ids kept. Memory is bounded by the number of
hosts linking to the sites asked about, never by the size of the graph.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from linkcrawl.errors import ConfigError
from linkcrawl.web.domains import registrable_domain


def reverse_host(host: str) -> str:
    """``www.example.com`` -> ``com.example.www`` (and back: the operation is its own inverse)."""
    return ".".join(reversed(host.strip(".").split(".")))


def _open_text(path: Path) -> TextIO:
    """A gzipped or plain text file, streamed."""
    if not path.is_file():
        raise ConfigError(f"cannot read host graph file {str(path)!r}: no such file")
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _lines(paths: Sequence[Path]) -> Iterator[tuple[str, str, Path, int]]:
    """(first field, second field, file, line number) of every data line of ``paths``."""
    for path in paths:
        with _open_text(path) as fh:
            for number, line in enumerate(fh, start=1):
                first, sep, rest = line.rstrip("\n").partition("\t")
                if not sep:
                    if not line.strip():
                        continue
                    raise ConfigError(f"{path} line {number}: expected two tab-separated "
                                      f"fields, got {line.strip()[:60]!r}")
                yield first, rest.split("\t", 1)[0], path, number


@dataclass
class Prospect:
    host: str
    links_to: set[str] = field(default_factory=set)  # the targets and competitors it links to

    def seed_line(self, targets: Iterable[str]) -> str:
        mine = sorted(self.links_to & set(targets))
        theirs = sorted(self.links_to - set(targets))
        parts = []
        if mine:
            parts.append(f"links to {', '.join(mine)}")
        if theirs:
            parts.append(f"links to competitor {', '.join(theirs)}")
        return f"http://{self.host}/  # {'; '.join(parts)}"


@dataclass
class GraphCounts:
    vertices: int = 0
    edges: int = 0
    watched_hosts: int = 0  # vertices of the targets and competitors
    linking_hosts: int = 0  # distinct hosts with an edge into them
    crawled: int = 0  # of those, already crawled (left out)


def watched_ids(vertex_files: Sequence[Path], sites: Sequence[str], counts: GraphCounts
                ) -> dict[int, str]:
    """Vertex id -> the site (target or competitor) whose host or subdomain it is."""
    reversed_sites = sorted(((reverse_host(s), s) for s in sites), key=lambda p: -len(p[0]))
    out: dict[int, str] = {}
    for ident, name, path, number in _lines(vertex_files):
        counts.vertices += 1
        for rev, site in reversed_sites:  # most specific first
            if name == rev or name.startswith(rev + "."):
                out[_int(ident, path, number)] = site
                break
    counts.watched_hosts = len(out)
    return out


def _int(value: str, path: Path, number: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{path} line {number}: expected a vertex id, got {value!r}") from None


def linking_ids(edge_files: Sequence[Path], watched: Mapping[int, str], counts: GraphCounts
                ) -> dict[int, set[str]]:
    """Linking vertex id -> the watched sites it links to (edges into the watched ids)."""
    out: dict[int, set[str]] = {}
    wanted = {str(i): site for i, site in watched.items()}  # compare text: no int() per edge
    for source, target, path, number in _lines(edge_files):
        counts.edges += 1
        site = wanted.get(target)
        if site is not None:
            out.setdefault(_int(source, path, number), set()).add(site)
    return out


def find_prospects(vertex_files: Sequence[Path], edge_files: Sequence[Path],
                   targets: Sequence[str], competitors: Sequence[str], crawled: set[str]
                   ) -> tuple[list[Prospect], GraphCounts]:
    """Hosts linking to ``targets`` or ``competitors`` that are not in ``crawled`` (hosts)
    and not part of a watched site itself; most watched sites linked first, then by host."""
    counts = GraphCounts()
    sites = list(dict.fromkeys([*targets, *competitors]))
    watched = watched_ids(vertex_files, sites, counts)
    linking = linking_ids(edge_files, watched, counts)
    counts.linking_hosts = len(linking)
    own = {registrable_domain(s) for s in sites}
    prospects: list[Prospect] = []
    remaining = dict(linking)
    for ident, name, path, number in _lines(vertex_files):
        if not remaining:
            break
        sites_linked = remaining.pop(_int(ident, path, number), None)
        if sites_linked is None:
            continue
        host = reverse_host(name)
        if registrable_domain(host) in own:
            continue  # the site's own hosts linking to each other
        if host in crawled or host.removeprefix("www.") in crawled:
            counts.crawled += 1
            continue
        prospects.append(Prospect(host, sites_linked))
    prospects.sort(key=lambda p: (-len(p.links_to), -len(p.links_to & set(targets)), p.host))
    return prospects, counts


def write_seeds(path: Path, prospects: Sequence[Prospect], targets: Sequence[str],
                header: str) -> None:
    """A seed file ``scrapy crawl sites -a seeds_file=PATH`` reads (comments after ``#``)."""
    with path.open("w", encoding="utf-8") as out:
        for line in header.splitlines():
            out.write(f"# {line}\n")
        for prospect in prospects:
            out.write(prospect.seed_line(targets) + "\n")
