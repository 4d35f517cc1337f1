"""Score page-type and link-type classification on the labeled pages in tests/fixtures/types.

Usage::

    .venv/bin/python benchmarks/type_eval.py [--fixtures DIR] [--errors] [--demo] [--real [DIR]]

Each page goes through the same path as a crawl (``linkcrawl.analysis.page.analyze_page`` then
``classify_page_links``); every labeled link is compared with the label written for it (see
tests/fixtures/types/README.md). Prints the link-type confusion matrix (rows: label, columns:
prediction), overall accuracy, recall and precision per link type, and page-type accuracy
with its own confusion list, and both accuracies per split ("dev": the pages the rules were
written against; "holdout": pages labeled after the rules were frozen). Exits 1 when a label
names no link on its page.

``--demo`` adds the demo web's own ground truth (data/demo-web/ground_truth.json, labeled by
its author without running linkcrawl): page types of every page and link types of every
labeled backlink, read from the files (no server, no crawl).

``--real`` adds a check on pages written by others (../shared/eval, real news and blog
articles with their gold article text): which page types they get (all are articles, so
anything else is an error or a borderline page), and which link types the links whose
anchor text (three words or more) occurs in the gold text get (expected: editorial).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkcrawl.analysis.page import analyze_page, classify_page_links
from linkcrawl.items import LinkItem, PageItem
from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.vocab import LINK_TYPES, PAGE_TYPES

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "types"
REAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "article-extraction-benchmark"


@dataclass
class Labeled:
    """One fixture page: its labels and what the classifiers said."""

    name: str
    label: dict[str, Any]
    page: PageItem

    def matches(self, spec: dict[str, str]) -> list[LinkItem]:
        """The page's links that a label entry names (by href, and anchor when given)."""
        return [
            link for link in self.page.links
            if link.href == spec["href"]
            and ("anchor" not in spec or link.anchor_text == spec["anchor"])
        ]

    def pairs(self) -> list[tuple[str, str, LinkItem | None]]:
        """(label, prediction, link) for every labeled link; prediction "" when missing."""
        out: list[tuple[str, str, LinkItem | None]] = []
        for spec in self.label["links"]:
            found = self.matches(spec)
            if not found:
                out.append((spec["link_type"], "", None))
            out.extend((spec["link_type"], link.link_type, link) for link in found)
        return out

    def unlabeled(self) -> list[LinkItem]:
        """Links of the page that no label names (every link should be labeled)."""
        named = {id(link) for spec in self.label["links"] for link in self.matches(spec)}
        return [link for link in self.page.links if id(link) not in named]


def load(path: Path) -> Labeled:
    """Run the analysis path over ``<name>.html`` with the URL from ``<name>.json``."""
    label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    page = analyze_page(path.read_bytes(), label["url"])
    classify_page_links(page)
    return Labeled(path.stem, label, page)


def load_all(directory: Path = DEFAULT_DIR) -> list[Labeled]:
    return [load(p) for p in sorted(directory.glob("*.html"))]


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  -  "


def report(pages: list[Labeled], show_errors: bool) -> int:
    confusion: Counter[tuple[str, str]] = Counter()
    missing: list[str] = []
    errors: list[str] = []
    for page in pages:
        for gold, predicted, link in page.pairs():
            if link is None:
                missing.append(f"{page.name}: no link for a {gold} label")
                continue
            confusion[gold, predicted] += 1
            if gold != predicted:
                errors.append(f"{page.name}: {link.href} gold={gold} got={predicted} "
                              f"loc={link.location} {list(link.evidence)}")
    total = sum(confusion.values())
    right = sum(n for (g, p), n in confusion.items() if g == p)
    columns = [t for t in LINK_TYPES if any(k[1] == t for k in confusion)] or list(LINK_TYPES)
    rows = [t for t in LINK_TYPES if any(k[0] == t for k in confusion)]
    short = {t: t[:7] for t in columns}
    print(f"Link types over {len(pages)} labeled pages, {total} labeled links")
    print(f"{'label/predicted':<16}" + "".join(f"{short[c]:>9}" for c in columns))
    for gold in rows:
        print(f"{gold:<16}" + "".join(f"{confusion[gold, c]:>9}" for c in columns))
    print(f"\naccuracy {_ratio(right, total)} ({right}/{total})")
    print(f"{'type':<16}{'recall':>8}{'precision':>11}{'support':>9}")
    for kind in rows:
        support = sum(n for (g, _), n in confusion.items() if g == kind)
        predicted = sum(n for (_, p), n in confusion.items() if p == kind)
        hit = confusion[kind, kind]
        print(f"{kind:<16}{_ratio(hit, support):>8}{_ratio(hit, predicted):>11}{support:>9}")

    page_hits = sum(1 for p in pages if p.page.page_type == p.label["page_type"])
    print(f"\npage-type accuracy {_ratio(page_hits, len(pages))} ({page_hits}/{len(pages)})")
    per_type: Counter[str] = Counter(p.label["page_type"] for p in pages)
    for kind in PAGE_TYPES:
        if per_type[kind]:
            hits = sum(1 for p in pages
                       if p.label["page_type"] == kind == p.page.page_type)
            print(f"  {kind:<14} {hits}/{per_type[kind]}")
    for split in ("dev", "holdout"):
        part = [p for p in pages if p.label.get("split", "dev") == split]
        links = [(g, q) for p in part for g, q, link in p.pairs() if link is not None]
        hits = sum(1 for g, q in links if g == q)
        typed = sum(1 for p in part if p.page.page_type == p.label["page_type"])
        print(f"  split {split:<8} links {_ratio(hits, len(links))} ({hits}/{len(links)})"
              f"  pages {_ratio(typed, len(part))} ({typed}/{len(part)})")
    for p in pages:
        if p.page.page_type != p.label["page_type"]:
            print(f"  {p.name}: gold={p.label['page_type']} got={p.page.page_type} "
                  f"{p.page.page_type_evidence}")
    if show_errors and errors:
        print("\nlink errors:")
        print("\n".join(f"  {e}" for e in errors))
    for line in missing:
        print(f"MISSING {line}")
    return 1 if missing else 0


def real_check(directory: Path) -> None:
    """Page and in-text link types on real article pages (see the module docstring)."""
    gold = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages: Counter[str] = Counter()
    in_text: Counter[str] = Counter()
    odd: list[str] = []
    for key, entry in sorted(gold.items()):
        body = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
        page = analyze_page(body, entry["url"])
        classify_page_links(page)
        pages[page.page_type] += 1
        if page.page_type != "article":
            odd.append(f"  {page.page_type}: {entry['url'][:90]} {page.page_type_evidence}")
        text = _norm(entry["articleBody"])
        for link in page.links:
            anchor = _norm(link.anchor_text)
            if len(anchor.split()) >= 3 and anchor in text:
                in_text[link.link_type] += 1
    total = sum(pages.values())
    print(f"\nreal article pages ({directory.name}): {total}")
    print(f"  typed article {_ratio(pages['article'], total)}; all: {dict(pages.most_common())}")
    print("\n".join(odd))
    links = sum(in_text.values())
    print(f"  links in the gold text typed editorial {_ratio(in_text['editorial'], links)}; "
          f"all: {dict(in_text.most_common())}")


def demo_check(show_errors: bool) -> None:
    """Page and link types against the demo web's ground truth (see the module docstring)."""
    web = LocalWeb(DEMO_WEB_DIR)
    gold = json.loads((DEMO_WEB_DIR / "ground_truth.json").read_text(encoding="utf-8"))
    cache: dict[str, PageItem | None] = {}

    def page_at(url: str) -> PageItem | None:
        if url not in cache:
            parts = urlsplit(url)
            found = web.resolve(parts.hostname or "", parts.path + (
                f"?{parts.query}" if parts.query else ""))
            cache[url] = None
            if found.file is not None:
                page = analyze_page(found.file.read_bytes(), url, headers=found.headers)
                classify_page_links(page)
                cache[url] = page
        return cache[url]

    wrong_pages = [(u, t, p.page_type if p else None) for u, t in gold["page_types"].items()
                   if (p := page_at(u)) is None or p.page_type != t]
    hits, errors = 0, []
    for entry in gold["backlinks"]:
        page = page_at(entry["source_url"])
        found = [link for link in (page.links if page else [])
                 if link.normalized_url == entry["target_url"]
                 and " ".join(link.anchor_text.split()) == entry["anchor_text"]]
        got = found[0].link_type if found else None
        hits += got == entry["link_type"]
        if got != entry["link_type"]:
            errors.append(f"  {entry['source_url']} {entry['anchor_text']!r}: "
                          f"gold={entry['link_type']} got={got}")
    pages, links = len(gold["page_types"]), len(gold["backlinks"])
    print(f"\ndemo web ground truth: page types {_ratio(pages - len(wrong_pages), pages)} "
          f"({pages - len(wrong_pages)}/{pages}), link types {_ratio(hits, links)} "
          f"({hits}/{links})")
    for url, want, got in wrong_pages:
        print(f"  page {url}: gold={want} got={got}")
    if show_errors:
        print("\n".join(errors))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--errors", action="store_true", help="list every misclassified link")
    parser.add_argument("--demo", action="store_true", help="also score the demo web")
    parser.add_argument("--real", type=Path, nargs="?", const=REAL_DIR, default=None,
                        help="also check real article pages (default: %(const)s)")
    args = parser.parse_args(argv)
    status = report(load_all(args.fixtures), args.errors)
    if args.demo:
        demo_check(args.errors)
    if args.real is not None:
        real_check(args.real)
    return status


if __name__ == "__main__":
    sys.exit(main())
