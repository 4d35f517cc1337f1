"""Page typing on real pages of seven kinds that nobody here labelled for it (wcxb-dev).

Usage (from the repository root)::

    .venv/bin/python benchmarks/pagetype_eval.py [--eval-dir DIR] [--examples N]

Link types lean on the page type: a thread makes its links ``forum``, a directory makes its
entries ``directory``, a sponsors page makes its logos ``acknowledgment``. The WCXB pages carry
their own page kind (article, forum, product, collection, listing, documentation, service),
given by the benchmark's authors for another purpose, so they check page typing out of sample:

- forum pages should be typed ``forum_thread`` or ``forum_index`` (recall of forums);
- article pages should be ``article``, ``guest_post`` or ``press_release``;
- no page of another kind should be typed a forum, a directory, a sponsors or a partners page:
  each such verdict would type every link on the page wrongly. Product, collection, listing,
  service and documentation pages are shops, catalogues and manuals, not web directories, so
  ``directory`` on them is counted as a false verdict (a few listings could be argued either
  way: ``--examples`` prints them to look at).

None of linkcrawl's rules were written against these pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkcrawl.analysis.page import analyze_lazily

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "wcxb-dev"
ARTICLE_TYPES = {"article", "guest_post", "press_release"}
FORUM_TYPES = {"forum_thread", "forum_index"}
# verdicts that retype every link on a page: wrong on a page of another kind
STRONG = {"forum": FORUM_TYPES, "directory": {"directory"},
          "sponsors/partners": {"sponsors", "partners"}}


def kinds(eval_dir: Path) -> dict[str, str]:
    """Page id -> WCXB page kind (metadata first, the ground-truth file's own label else)."""
    meta = json.loads((eval_dir / "metadata.json").read_text(encoding="utf-8"))["files"]
    out = {pid: info.get("page_type") or "" for pid, info in meta.items()}
    for path in sorted((eval_dir / "ground-truth").glob("*.json")):
        if not out.get(path.stem):
            truth = json.loads(path.read_text(encoding="utf-8"))
            primary = ((truth.get("_internal") or {}).get("page_type") or {}).get("primary")
            out[path.stem] = primary or ""
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--examples", type=int, default=0,
                        help="print N pages of each false strong verdict")
    args = parser.parse_args(argv)
    if not (args.eval_dir / "metadata.json").is_file():
        print(f"pagetype_eval: error: no WCXB pages at {args.eval_dir} (the real pages live in "
              "../shared/eval, outside the repository)", file=sys.stderr)
        return 2
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for pid, kind in sorted(kinds(args.eval_dir).items()):
        html = args.eval_dir / "html" / f"{pid}.html.gz"
        truth_path = args.eval_dir / "ground-truth" / f"{pid}.json"
        if not kind or not html.is_file() or not truth_path.is_file():
            continue
        url = json.loads(truth_path.read_text(encoding="utf-8")).get("url") or (
            f"http://{pid}.invalid/")
        page, _ = analyze_lazily(gzip.decompress(html.read_bytes()), url)
        by_kind[kind][page.page_type] += 1
        for name, types in STRONG.items():
            if page.page_type in types and not (name == "forum" and kind == "forum"):
                examples[name].append(f"{pid} ({kind}) {url}")
    print(f"{'kind':<14} {'pages':>5}  verdicts")
    for kind in sorted(by_kind):
        counts = by_kind[kind]
        shown = ", ".join(f"{t} {n}" for t, n in counts.most_common())
        print(f"{kind:<14} {sum(counts.values()):>5}  {shown}")
    forums = by_kind.get("forum", Counter())
    articles = by_kind.get("article", Counter())
    print()
    print(f"forum pages typed as forums:      {sum(forums[t] for t in FORUM_TYPES)}"
          f"/{sum(forums.values())}")
    print(f"article pages typed as articles:  {sum(articles[t] for t in ARTICLE_TYPES)}"
          f"/{sum(articles.values())}")
    others = {k: c for k, c in by_kind.items() if k != "forum"}
    total_other = sum(sum(c.values()) for c in others.values())
    for name, types in STRONG.items():
        wrong = sum(c[t] for k, c in by_kind.items() for t in types
                    if not (name == "forum" and k == "forum"))
        base = total_other if name == "forum" else sum(sum(c.values()) for c in by_kind.values())
        print(f"false {name + ' pages:':<24} {wrong}/{base}")
        for line in examples[name][:args.examples]:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
