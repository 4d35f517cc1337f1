"""Score link type and link location on real-types-dev (real pages labelled by others).

Usage::

    .venv/bin/python benchmarks/real_types_eval.py [--dir DIR] [--half dev|heldout|all]
        [--errors] [--fixtures] [--pages NAME,...]

Follows the scoring rules of ../shared/eval/real-types-dev/README.md: in scope is every
link whose resolved host equals a target or ends with ``.target``; a label entry matches a
link whose anchor (the README's anchor rule) equals the entry's ``anchor`` and whose raw or
resolved URL contains ``url_contains``; identical entries are matched greedily in document
order; a label is a list of acceptable answers (lenient), its first item the preferred one
(strict). Each page goes through the crawl's own path (``analyze_page`` then
``classify_page_links``).

Besides link-type accuracy with the location linkcrawl found, link types are scored a
second time with each link's location replaced by the gold (preferred) location before the
link typer runs ("oracle location"): the difference separates link-type rule errors from
location errors.

Validation: the pages are split into two halves by site before any rule was written against
them (``half_of``): "dev" is the half the rules were developed on, "heldout" the other,
reported as out-of-sample. ``--fixtures`` also runs benchmarks/type_eval.py on
tests/fixtures/types and the demo web, so nothing regresses there.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkcrawl.analysis.page import analyze_lazily, classify_page_links
from linkcrawl.classify.linktype import classify_link
from linkcrawl.items import LinkItem
from linkcrawl.verdict import Verdict
from linkcrawl.vocab import LINK_TYPES, LOCATIONS
from linkcrawl.web.domains import host_of
from linkcrawl.web.urls import resolve_href

# ../shared next to the checkout (/work/main -> /work/shared), or one level further up for a
# clone inside a lab folder (/work/lab/<clone> -> /work/shared).
DEFAULT_DIR = next((d for d in (p / "shared" / "eval" / "real-types-dev"
                                for p in Path(__file__).resolve().parents[2:4]) if d.is_dir()),
                   Path(__file__).resolve().parents[2] / "shared" / "eval" / "real-types-dev")
_WS = re.compile(r"\s+")


def site_of_name(name: str) -> str:
    """The site a page comes from: the second part of its name ("pr_cryptoslate_anaxi")."""
    parts = name.split("_")
    return parts[1] if len(parts) > 1 else name


def half_of(names: list[str]) -> dict[str, str]:
    """Page name -> "dev" or "heldout": within each prefix, sites sorted by name alternate
    dev, heldout, dev, ...; all pages of one site fall in the same half. Fixed before any
    rule was written against the set (issue 15)."""
    out: dict[str, str] = {}
    by_prefix: dict[str, list[str]] = {}
    for name in sorted(names):
        sites = by_prefix.setdefault(name.split("_", 1)[0], [])
        if site_of_name(name) not in sites:
            sites.append(site_of_name(name))
    for name in names:
        sites = by_prefix[name.split("_", 1)[0]]
        out[name] = "dev" if sites.index(site_of_name(name)) % 2 == 0 else "heldout"
    return out


def _collapse(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def readme_anchor(el: etree._Element) -> str:
    """The anchor as the labels computed it (README "Anchor text rule")."""
    text = _collapse(el.text_content()) if hasattr(el, "text_content") else ""
    if text:
        return text
    for img in el.iter("img"):
        alt = _collapse(img.get("alt"))
        if alt:
            return alt
    for attr in ("title", "aria-label"):
        value = _collapse(el.get(attr))
        if value:
            return value
    for img in el.iter("img"):
        value = _collapse(img.get("title"))
        if value:
            return value
    for node in el.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        for attr in ("aria-label", "title"):
            value = _collapse(node.get(attr))
            if value:
                return value
    return ""


def _host(url: str) -> str:
    return (host_of(url) or "").lower().rstrip(".")


@dataclass
class Scored:
    """One labelled link and what linkcrawl said about it."""

    page: str
    half: str
    spec: dict[str, Any]
    link: LinkItem | None
    oracle_type: str = ""

    @property
    def types(self) -> list[str]:
        return list(self.spec["link_type"])

    @property
    def locations(self) -> list[str]:
        return list(self.spec["location"])


@dataclass
class PageResult:
    name: str
    half: str
    page_type: str
    scored: list[Scored] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # in-scope links with no label


def _page_url(truth: dict[str, Any]) -> str:
    """The page's URL; where it is unknown, its path in the source repository on a host of
    its own (``.invalid``), so the URL shape still reads as the site's."""
    return truth.get("url") or "https://unknown-site.invalid/" + truth["source"]["path"]


def score_page(path: Path, half: str) -> PageResult:
    truth = json.loads(path.with_name(path.name.replace(".html", ".truth.json")).read_text(
        encoding="utf-8"))
    name = path.name.removesuffix(".html")
    page, details = analyze_lazily(path.read_bytes(), _page_url(truth))
    details.fill(page.links)
    classify_page_links(page)
    root = details.root
    targets = [t.strip().lower().rstrip(".") for t in truth["target"].split(",") if t.strip()]
    # The links linkcrawl kept are a subsequence of the tree's <a>/<area href> elements in
    # page order (read_links keeps those whose href resolves; normalization drops a few).
    base = page.final_url or page.url
    elements = [el for el in (root.iter("a", "area") if root is not None else ())
                if el.get("href") is not None and resolve_href(el.get("href"), base)]
    anchors: list[str] = []
    cursor = 0
    for link in page.links:
        while cursor < len(elements) and elements[cursor].get("href") != link.href:
            cursor += 1
        anchors.append(readme_anchor(elements[cursor]) if cursor < len(elements) else
                       _collapse(link.anchor_text))
        cursor += 1
    in_scope = [(link, anchor) for link, anchor in zip(page.links, anchors, strict=True)
                if (h := _host(link.url)) and any(h == t or h.endswith("." + t)
                                                  for t in targets)]
    result = PageResult(name, half, page.page_type)
    used: set[int] = set()
    page_verdict = Verdict(page.page_type, page.page_type_confidence,
                           tuple(page.page_type_evidence))
    for spec in truth["links"]:
        found = None
        for i, (link, anchor) in enumerate(in_scope):
            if i in used or anchor != spec["anchor"]:
                continue
            needle = spec.get("url_contains")
            if needle and needle not in link.href and needle not in link.url:
                continue
            found = i
            break
        if found is None:
            result.scored.append(Scored(name, half, spec, None))
            continue
        used.add(found)
        link = in_scope[found][0]
        oracle = _with_location(link, spec["location"][0])
        result.scored.append(Scored(name, half, spec, link,
                                    classify_link(oracle, page_verdict).value))
    result.unmatched = [f"{a!r} {link.href}" for i, (link, a) in enumerate(in_scope)
                        if i not in used]
    return result


def _with_location(link: LinkItem, location: str) -> LinkItem:
    copy = LinkItem(**{k: getattr(link, k) for k in LinkItem.__dataclass_fields__})
    copy.location = location
    copy.location_evidence = list(link.location_evidence)
    copy.rel = list(link.rel)
    return copy


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  -  "


def _accuracy(rows: list[Scored], pick: str, strict: bool) -> tuple[int, int]:
    hits = 0
    for row in rows:
        got = _predicted(row, pick)
        gold = row.locations if pick == "location" else row.types
        hits += got == gold[0] if strict else got in gold
    return hits, len(rows)


def _predicted(row: Scored, pick: str) -> str:
    if row.link is None:
        return ""
    if pick == "location":
        return row.link.location
    if pick == "oracle":
        return row.oracle_type
    return row.link.link_type


def summary(rows: list[Scored], title: str) -> None:
    """Overall accuracy: type (actual / oracle location), location; strict and lenient."""
    print(f"\n== {title}: {len(rows)} labelled links")
    print(f"{'':<28}{'lenient':>12}{'strict':>12}")
    for label, pick in (("link_type", "type"), ("link_type (oracle location)", "oracle"),
                        ("location", "location")):
        le, n = _accuracy(rows, pick, False)
        st, _ = _accuracy(rows, pick, True)
        print(f"{label:<28}{_ratio(le, n):>12}{_ratio(st, n):>12}   ({le}/{n}, {st}/{n})")


def per_type(rows: list[Scored], pick: str, title: str) -> None:
    """Per preferred link type: lenient accuracy (recall), strict recall and precision."""
    print(f"\n-- per link type ({title}); rows by preferred label")
    print(f"{'type':<16}{'support':>8}{'lenient':>9}{'strict':>8}{'precision':>11}")
    kinds = [k for k in LINK_TYPES if any(r.types[0] == k for r in rows)]
    for kind in kinds:
        mine = [r for r in rows if r.types[0] == kind]
        le = sum(_predicted(r, pick) in r.types for r in mine)
        st = sum(_predicted(r, pick) == kind for r in mine)
        said = [r for r in rows if _predicted(r, pick) == kind]
        prec = sum(kind in r.types for r in said)
        print(f"{kind:<16}{len(mine):>8}{_ratio(le, len(mine)):>9}{_ratio(st, len(mine)):>8}"
              f"{_ratio(prec, len(said)):>11}")


def per_location(rows: list[Scored]) -> None:
    print("\n-- location per preferred label")
    print(f"{'location':<16}{'support':>8}{'lenient':>9}{'strict':>8}")
    for kind in [k for k in LOCATIONS if any(r.locations[0] == k for r in rows)]:
        mine = [r for r in rows if r.locations[0] == kind]
        le = sum(_predicted(r, "location") in r.locations for r in mine)
        st = sum(_predicted(r, "location") == kind for r in mine)
        print(f"{kind:<16}{len(mine):>8}{_ratio(le, len(mine)):>9}{_ratio(st, len(mine)):>8}")


def confusion(rows: list[Scored], pick: str, title: str) -> None:
    """Rows: preferred label; columns: prediction; a lenient hit counts on the diagonal."""
    table: Counter[tuple[str, str]] = Counter()
    for row in rows:
        got = _predicted(row, pick) or "(none)"
        table[row.types[0], row.types[0] if got in row.types else got] += 1
    cols = [k for k in (*LINK_TYPES, "(none)") if any(c == k for _, c in table)]
    print(f"\n-- confusion ({title}; rows gold preferred, columns predicted, lenient hits on "
          "the diagonal)")
    print(f"{'':<15}" + "".join(f"{c[:7]:>8}" for c in cols))
    for gold in [k for k in LINK_TYPES if any(g == k for g, _ in table)]:
        print(f"{gold:<15}" + "".join(f"{table[gold, c]:>8}" for c in cols))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--half", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="list every wrong link")
    parser.add_argument("--pages", default="", help="only these pages (comma-separated)")
    parser.add_argument("--fixtures", action="store_true",
                        help="also run type_eval.py on tests/fixtures/types and the demo web")
    args = parser.parse_args(argv)
    if not (args.dir / "pages").is_dir():
        print(f"real_types_eval: error: no labelled pages at {args.dir} (real-types-dev lives in "
              "../shared/eval, outside the repository)", file=sys.stderr)
        return 2
    paths = sorted(p for p in (args.dir / "pages").glob("*.html"))
    halves = half_of([p.name.removesuffix(".html") for p in paths])
    wanted = {n for n in args.pages.split(",") if n}
    results = [score_page(p, halves[p.name.removesuffix(".html")]) for p in paths
               if (args.half == "all" or halves[p.name.removesuffix(".html")] == args.half)
               and (not wanted or p.name.removesuffix(".html") in wanted)]
    rows = [r for res in results for r in res.scored]
    status = 0
    for name in ("dev", "heldout"):
        part = [r for r in rows if r.half == name]
        if part and args.half == "all":
            summary(part, f"{name} half ({len({r.page for r in part})} pages)")
    summary(rows, f"{args.half} ({len(results)} pages)")
    per_type(rows, "type", "actual location")
    per_type(rows, "oracle", "oracle location")
    per_location(rows)
    confusion(rows, "type", "actual location")
    confusion(rows, "oracle", "oracle location")
    print("\n-- page types: " + ", ".join(f"{r.name}={r.page_type}" for r in results))
    for res in results:
        for row in res.scored:
            if row.link is None:
                status = 1
                print(f"MISSING {res.name}: no link for {row.spec['anchor']!r}")
        for line in res.unmatched:
            status = 1
            print(f"UNLABELLED {res.name}: {line}")
    if args.errors:
        print("\n-- errors (type or location outside the accepted lists)")
        for row in rows:
            if row.link is None:
                continue
            bad_type = row.link.link_type not in row.types
            bad_loc = row.link.location not in row.locations
            if bad_type or bad_loc:
                print(f"{row.half[:3]} {row.page}: {row.spec['anchor'][:40]!r} "
                      f"type {row.link.link_type}{'!' if bad_type else ''} gold {row.types} "
                      f"(oracle {row.oracle_type}) loc {row.link.location}"
                      f"{'!' if bad_loc else ''} gold {row.locations} "
                      f"ev={row.link.evidence[2:]} lev={row.link.location_evidence[:4]}")
    if args.fixtures:
        import type_eval  # a sibling script, imported only for this option

        print("\n== tests/fixtures/types and demo web (benchmarks/type_eval.py --demo)")
        status |= type_eval.main(["--demo"])
    return status


if __name__ == "__main__":
    sys.exit(main())
