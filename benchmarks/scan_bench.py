"""Throughput of ``linkcrawl scan`` per core, against the crawl's page analysis on the same pages.

Usage (from the repository root)::

    .venv/bin/python benchmarks/scan_bench.py [--copies 40] [--workers 1]

Records the demo web (``data/demo-web``, served on loopback) into one gzipped WARC, the
whole web ``--copies`` times (each copy under its own capture dates, so every record is
analysed; the keys repeat, as rescanning a site's monthly captures would). Then it times:

- ``iterate (warcio)`` and ``iterate (fastwarc)``: reading every record and every HTML body,
  nothing else (the archive library's share);
- ``analysis only``: :class:`linkcrawl.analysis.page.PageAnalyzer` plus link typing on the same
  HTML bodies, held in memory (what a crawl's analysis worker does per page);
- ``scan``: the whole ``scan_archives`` into a fresh SQLite store (read, analyse, write,
  checkpoint), with ``--workers`` processes over ``--workers`` copies of the file.

Figures are CPU seconds of the process (``time.process_time``) and pages per CPU-second,
i.e. pages/s per core; wall time is printed for the scan too.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from linkcrawl.analysis.links import split_backlinks  # noqa: E402
from linkcrawl.analysis.page import AnalysisSetup, PageAnalyzer, classify_page_links  # noqa: E402
from linkcrawl.ops.localweb import DEMO_WEB_DIR  # noqa: E402
from linkcrawl.sources.warcscan import iter_records, scan_archives  # noqa: E402
from tests.warcs import record_web, web_urls  # noqa: E402

TARGETS = ("acme-widgets.test", "rival-gadgets.test")


def _html_urls() -> list[str]:
    return [u for u in web_urls(DEMO_WEB_DIR) if u.endswith((".html", ".php"))]


def time_warcio(path: Path) -> tuple[float, list[tuple[str, bytes, dict[str, str]]]]:
    pages = []
    start = time.process_time()
    with path.open("rb") as fh:
        for record in iter_records(fh):
            if not record.skip:
                pages.append((record.url, record.body, record.headers))
    return time.process_time() - start, pages


def time_fastwarc(path: Path) -> float | None:
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError:
        return None
    start = time.process_time()
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
            if (record.http_content_type or "").startswith("text/html"):
                record.reader.read()
    return time.process_time() - start


def time_analysis(pages: list[tuple[str, bytes, dict[str, str]]]) -> float:
    analyzer = PageAnalyzer(AnalysisSetup(targets=TARGETS, mentions=False))
    start = time.process_time()
    for url, body, headers in pages:
        page = analyzer.analyze(body, url, headers=headers)
        page.links, _ = split_backlinks(page, analyzer.matcher)
        classify_page_links(page)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="scan-bench-"))
    try:
        warc = work / "demo.warc.gz"
        responses = record_web(DEMO_WEB_DIR, warc, datetime(2025, 1, 1, tzinfo=UTC),
                               urls=_html_urls(), repeat=args.copies)
        print(f"archive: {responses} responses, {warc.stat().st_size / 1e6:.1f} MB gzipped")
        cpu, pages = time_warcio(warc)
        print(f"iterate (warcio):   {cpu:6.2f} s CPU  {len(pages) / cpu:8.0f} pages/s")
        fast = time_fastwarc(warc)
        if fast is not None:
            print(f"iterate (fastwarc): {fast:6.2f} s CPU  {len(pages) / fast:8.0f} pages/s")
        cpu = time_analysis(pages)
        print(f"analysis only:      {cpu:6.2f} s CPU  {len(pages) / cpu:8.0f} pages/s "
              f"({1000 * cpu / len(pages):.2f} ms/page)")
        files = [warc]
        for i in range(1, args.workers):
            files.append(work / f"demo-{i}.warc.gz")
            shutil.copy(warc, files[-1])
        result = scan_archives([str(f) for f in files], TARGETS,
                               f"sqlite:///{work / 'scan.db'}",
                               checkpoint_dir=str(work / "ck"), workers=args.workers)
        cpu = sum(f.seconds for f in result.files)
        total = result.total("pages")
        print(f"scan ({result.workers} workers):    {cpu:6.2f} s CPU  {total / cpu:8.0f} "
              f"pages/s per core; {total / result.wall_seconds:.0f} pages/s wall "
              f"({result.wall_seconds:.1f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
