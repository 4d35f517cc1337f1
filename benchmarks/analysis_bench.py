"""Per-page cost of linkcrawl's page analysis against the lxml parse floor.

Usage (from the repository root)::

    .venv/bin/python benchmarks/analysis_bench.py [--repeat 5] [--eval-dir DIR] [--demo-dir DIR]

For every page of (a) the article-extraction benchmark (88 real pages, ``html/*.html.gz``,
URLs from ``ground-truth.json``) and (b) the demo web under ``data/demo-web`` (every
``*.html`` file, URL rebuilt from its path), it times, best of ``--repeat`` runs each:

- ``lxml``: ``lxml.html.document_fromstring`` on the same bytes (the floor),
- ``parse``: ``encoding.parse_document``,
- ``read_page``, ``extract_links`` (location included), ``page_type``
  (``pagetype.detect_page_type``), ``normalize`` (``links.normalize_page_links``), each on a
  tree parsed beforehand (``extract_links`` mutates <noscript>, so each run gets a fresh tree),
- ``analysis``: ``read_page`` + ``extract_links`` + ``detect_page_type`` (issue #7's
  "extract + location + type", every link located),
- ``analysis_lazy``: the same as a crawl runs it on a page without backlinks
  (``read_links``: no link located unless page typing asks for one),
- ``analyze_page``: the whole ``analyze.analyze_page`` (parse included).

It prints median and mean ms/page per step and per corpus, and the ratios ``analysis ÷ lxml``
and ``analyze_page ÷ lxml`` (median of per-page ratios, and ratio of the means). Timings are
the CPU time of the timing thread by default (``--clock cpu``: steadier than wall clock when
other processes share the machine; ``--clock wall`` for perf_counter); compare ratios, not
milliseconds, across machines.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linkcrawl.analysis import encoding, extract, links  # noqa: E402
from linkcrawl.analysis import page as analyze  # noqa: E402
from linkcrawl.classify import pagetype  # noqa: E402
from linkcrawl.items import PageItem  # noqa: E402

DEFAULT_EVAL = Path("/work/shared/eval/article-extraction-benchmark")
STEPS = ("lxml", "parse", "read_page", "extract_links", "page_type", "normalize", "analysis",
         "analysis_lazy", "analyze_page")


CLOCK: Callable[[], float] = time.thread_time


def _best(repeat: int, fn: Callable[[], object], setup: Callable[[], object] | None = None,
          ) -> float:
    """Fastest of ``repeat`` timed calls in ms; ``setup`` (untimed) feeds ``fn`` when given."""
    best = float("inf")
    for _ in range(repeat):
        arg = setup() if setup else None
        gc.disable()
        start = CLOCK()
        fn(arg) if setup else fn()  # type: ignore[call-arg]
        elapsed = CLOCK() - start
        gc.enable()
        best = min(best, elapsed)
    return best * 1000.0


def real_pages(eval_dir: Path) -> list[tuple[str, bytes]]:
    truth = json.loads((eval_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((eval_dir / "html").glob("*.html.gz")):
        page_id = path.name.removesuffix(".html.gz")
        url = (truth.get(page_id) or {}).get("url") or f"http://{page_id}.invalid/"
        pages.append((url, gzip.decompress(path.read_bytes())))
    return pages


def demo_pages(demo_dir: Path) -> list[tuple[str, bytes]]:
    pages = []
    for path in sorted(demo_dir.rglob("*.html")):
        rel = path.relative_to(demo_dir)
        host, rest = rel.parts[0], "/".join(rel.parts[1:])
        url = f"http://{host}/" + ("" if rest == "index.html" else rest)
        pages.append((url, path.read_bytes()))
    return pages


def time_page(url: str, body: bytes, repeat: int) -> dict[str, float]:
    """ms per step for one page."""
    def parsed() -> object:
        root = encoding.parse_document(body)
        return root, extract.read_page(root, url, {})

    def with_links() -> object:
        root, facts = parsed()  # type: ignore[misc]
        return root, facts, extract.extract_links(root, facts)

    def page_item() -> PageItem:
        page = analyze.analyze_page(body, url)
        for link in page.links:
            link.normalized_url = ""
        return page

    def analysis(root: object) -> None:
        facts = extract.read_page(root, url, {})
        found = extract.extract_links(root, facts)
        pagetype.detect_page_type(root, facts, found)

    t = {
        "lxml": _best(repeat, lambda: lxml.html.document_fromstring(body)),
        "parse": _best(repeat, lambda: encoding.parse_document(body)),
        "read_page": _best(repeat, lambda a: extract.read_page(a, url, {}),
                           lambda: encoding.parse_document(body)),
        "extract_links": _best(repeat, lambda a: extract.extract_links(*a), parsed),
        "page_type": _best(repeat, lambda a: pagetype.detect_page_type(*a), with_links),
        "normalize": _best(repeat, links.normalize_page_links, page_item),
        "analyze_page": _best(repeat, lambda: analyze.analyze_page(body, url)),
    }
    def analysis_lazy(root: object) -> None:  # a crawl's page without backlinks
        facts = extract.read_page(root, url, {})
        found, details = extract.read_links(root, facts)
        pagetype.detect_page_type(root, facts, found, details)

    t["analysis"] = _best(repeat, analysis, lambda: encoding.parse_document(body))
    t["analysis_lazy"] = _best(repeat, analysis_lazy, lambda: encoding.parse_document(body))
    return t


def report(name: str, rows: list[dict[str, float]]) -> None:
    print(f"\n{name}: {len(rows)} pages (ms per page, best of the runs)")
    print(f"{'step':<15}{'median ms':>11}{'mean ms':>10}")
    for step in STEPS:
        values = [r[step] for r in rows]
        print(f"{step:<15}{statistics.median(values):>11.2f}{statistics.mean(values):>10.2f}")
    for step in ("analysis", "analysis_lazy", "analyze_page"):
        ratios = [r[step] / r["lxml"] for r in rows if r["lxml"] > 0]
        mean_ratio = statistics.mean(r[step] for r in rows) / statistics.mean(
            r["lxml"] for r in rows)
        print(f"{step} ÷ lxml parse: median {statistics.median(ratios):.2f}x, "
              f"mean {statistics.mean(ratios):.2f}x, ratio of means {mean_ratio:.2f}x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per step, best kept")
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--demo-dir", type=Path, default=ROOT / "data" / "demo-web")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="thread CPU time (default) or wall-clock time")
    args = ap.parse_args(argv)
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter
    corpora = []
    if (args.eval_dir / "ground-truth.json").exists():
        corpora.append(("real pages (article-extraction-benchmark)", real_pages(args.eval_dir)))
    else:
        print(f"skipped real pages: {args.eval_dir} not found")
    corpora.append(("demo web pages (data/demo-web)", demo_pages(args.demo_dir)))
    for name, pages in corpora:
        if args.limit:
            pages = pages[: args.limit]
        rows = [time_page(url, body, args.repeat) for url, body in pages]
        report(name, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
