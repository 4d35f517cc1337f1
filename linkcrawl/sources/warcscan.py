"""``linkcrawl scan``: backlinks read from web archives (WARC files), with the crawl's analysis.

Each HTML response record goes through :class:`linkcrawl.analysis.page.PageAnalyzer`, as a
crawled page does; its links to the targets are located, typed and stored with the capture
date (``WARC-Date``) as the sighting time, ``source: scan:warc`` and the archive file and
record offset as provenance (``warc_file``, ``warc_offset``). Older captures never move a
stored link back (:mod:`linkcrawl.history.archive`).

Records are streamed (warcio reads one record at a time; an HTML body is read only up to
:data:`MAX_BODY`), so memory stays flat whatever the archive size. After every batch the
store is written first, then a per-file checkpoint (the offset of the next record and the
counts so far): a scan killed at any point resumes from its last checkpoint and re-reads at
most one batch, whose documents are upserts of the same keys, so nothing is stored twice.
Files are scanned in parallel by a process pool, one file per process at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from linkcrawl.analysis.links import split_backlinks
from linkcrawl.analysis.page import AnalysisSetup, PageAnalyzer, classify_page_links
from linkcrawl.errors import ConfigError
from linkcrawl.history.archive import newest_per_key, split_by_age
from linkcrawl.history.documents import backlink_doc, page_flags
from linkcrawl.history.refresh import refresh_derived
from linkcrawl.history.sightings import write_backlinks
from linkcrawl.store import open_store
from linkcrawl.store.base import Store

logger = logging.getLogger(__name__)

SOURCE = "scan:warc"
MAX_BODY = 10 * 1024 * 1024  # bytes of an HTML body read; a bigger one is skipped as too large
HTML_TYPES = ("text/html", "application/xhtml+xml")
# why a record is not analysed (the counts' keys)
SKIPS = ("not_response", "revisit", "truncated", "not_html", "not_ok", "too_large",
         "unreadable")


@dataclass
class FileCounts:
    """What one archive gave; kept in its checkpoint so a resumed scan counts exactly."""

    path: str
    records: int = 0
    pages: int = 0  # HTML responses analysed
    backlinks: int = 0  # backlink sightings written (before deduplication by key)
    skipped: Counter[str] = field(default_factory=Counter)
    done: bool = False
    resumed_at: int = 0  # the offset a resumed scan started from (0: from the start)
    seconds: float = 0.0  # processing time in this run (the throughput figure)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["skipped"] = dict(self.skipped)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileCounts:
        counts = cls(**{k: v for k, v in data.items() if k != "skipped"})
        counts.skipped = Counter(data.get("skipped") or {})
        return counts


@dataclass(frozen=True, slots=True)
class ScanJob:
    """Everything a worker process needs for one file (picklable)."""

    path: str
    targets: tuple[str, ...]
    store_uri: str
    checkpoint_dir: str
    batch_pages: int = 200
    run_id: str = ""
    min_pages: int = 3  # LINKCRAWL_SITEWIDE_MIN_PAGES, for the placements refresh


@dataclass(frozen=True, slots=True)
class Record:
    """One WARC response worth analysing, or the reason it is not."""

    offset: int
    end: int  # offset of the next record (a checkpoint after this record resumes there)
    url: str = ""
    captured: datetime | None = None
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    skip: str = ""


def checkpoint_path(checkpoint_dir: str, archive: str) -> Path:
    """One checkpoint per archive, named by its absolute path (two folders may hold files of
    the same name)."""
    digest = hashlib.sha1(str(Path(archive).resolve()).encode()).hexdigest()[:16]
    return Path(checkpoint_dir) / f"{Path(archive).name}.{digest}.json"


def _identity(path: str) -> dict[str, Any]:
    stat = os.stat(path)
    return {"size": stat.st_size, "mtime": int(stat.st_mtime)}


Pairs = set[tuple[str, str]]  # (target domain, referring domain) pairs written so far


def read_checkpoint(job: ScanJob) -> tuple[int, FileCounts, Pairs]:
    """(offset to start at, counts so far, pairs written so far: refreshed at the end even
    when written before a kill). A checkpoint of a file that changed since (size, mtime) is
    ignored: the file is scanned again from the start."""
    path = checkpoint_path(job.checkpoint_dir, job.path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0, FileCounts(job.path), set()
    if data.get("file") != _identity(job.path):
        return 0, FileCounts(job.path), set()
    counts = FileCounts.from_json(data["counts"])
    counts.resumed_at = int(data.get("offset", 0))
    counts.seconds = 0.0
    return counts.resumed_at, counts, {(t, r) for t, r in data.get("pairs", ())}


def write_checkpoint(job: ScanJob, offset: int, counts: FileCounts, pairs: Pairs) -> None:
    """Atomically: a kill while writing leaves the previous checkpoint whole."""
    path = checkpoint_path(job.checkpoint_dir, job.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"archive": str(Path(job.path).resolve()),
                               "file": _identity(job.path), "offset": offset,
                               "counts": counts.to_json(), "pairs": sorted(pairs)}),
                   encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def store_lock(checkpoint_dir: str) -> Iterator[None]:
    """One batch write at a time across the scan's processes: a batch reads the stored links
    of its pages and decides from their dates (:mod:`linkcrawl.history.archive`), so two
    files capturing the same page must not interleave read and write. Analysis, the bulk of
    the work, stays parallel."""
    import fcntl

    Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(checkpoint_dir) / ".store.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _capture_date(value: str) -> datetime | None:
    with contextlib.suppress(ValueError, AttributeError):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def _read_body(stream: BinaryIO) -> tuple[bytes, bool]:
    """At most MAX_BODY bytes; True when there was more."""
    body = stream.read(MAX_BODY + 1)
    return body[:MAX_BODY], len(body) > MAX_BODY


def iter_records(fh: BinaryIO) -> Iterator[Record]:
    """The records of an open WARC (plain or gzip per record) from its current position,
    each with the reason it is skipped or the HTML response to analyse."""
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(fh)
    for record in records:
        kind = record.rec_type
        headers = record.rec_headers
        skip = ""
        url, captured, status, http, body = "", None, 0, {}, b""
        if kind == "revisit":
            skip = "revisit"
        elif kind != "response":
            skip = "not_response"
        elif headers.get_header("WARC-Truncated"):
            skip = "truncated"
        elif record.http_headers is None:
            skip = "not_html"
        else:
            http = {k.lower(): v for k, v in record.http_headers.headers}
            status = int(record.http_headers.get_statuscode() or 0)
            mime = http.get("content-type", "").split(";", 1)[0].strip().lower()
            if mime not in HTML_TYPES:
                skip = "not_html"
            elif status != 200:
                skip = "not_ok"
            else:
                body, more = _read_body(record.content_stream())
                declared = http.get("content-length", "")
                plain = not http.get("transfer-encoding") and not http.get("content-encoding")
                if more:
                    skip = "too_large"
                elif plain and declared.isdigit() and len(body) < int(declared):
                    skip = "truncated"  # cut short without saying so (a broken capture)
                url = headers.get_header("WARC-Target-URI") or ""
                captured = _capture_date(headers.get_header("WARC-Date") or "")
                if not skip and (not url.startswith(("http://", "https://")) or not captured):
                    skip = "not_response"
        offset = records.get_record_offset()  # reads the rest of the record: after the body
        end = offset + records.get_record_length()
        yield Record(offset, end, url, captured, status, http, body if not skip else b"", skip)


def analyse_record(analyzer: PageAnalyzer, record: Record, archive: str, run_id: str
                   ) -> tuple[list[dict[str, Any]], Counter[tuple[str, str]]]:
    """The backlink documents and (source, target) domain edges of one HTML response
    record: the function a distributed job would map over records (no I/O)."""
    page = analyzer.analyze(record.body, record.url, status=record.status,
                            headers=record.headers, fetched_at=record.captured)
    page.spider = "scan"
    links, edges = split_backlinks(page, analyzer.matcher)
    page.links = links
    classify_page_links(page)
    docs, keys = [], set()
    flags = page_flags(page) if links else []
    for link in links:
        doc = backlink_doc(page, link, run_id, record.captured or page.fetched_at, flags)
        if doc["key"] in keys:  # the same link twice on a page is one backlink, as in a crawl
            continue
        keys.add(doc["key"])
        doc.update(source=SOURCE, warc_file=archive, warc_offset=record.offset)
        docs.append(doc)
    return docs, Counter({(page.domain, target): n for target, n in edges.items()})


def write_batch(store: Store, docs: Sequence[dict[str, Any]], edges: Counter[tuple[str, str]],
                run_id: str) -> set[tuple[str, str]]:
    """Write one batch under the archive policy; returns the (target, referring) pairs."""
    latest, earliest = newest_per_key(docs)
    stored: dict[str, dict[str, dict[str, Any]]] = {}
    by_domain: dict[str, set[str]] = {}
    for doc in latest:
        by_domain.setdefault(doc["source_domain"], set()).add(doc["source_url"])
    for domain, url_set in sorted(by_domain.items()):  # (source_domain, source_url) index
        urls = sorted(url_set)
        for start in range(0, len(urls), 500):
            where = {"source_domain": domain, "source_url": urls[start:start + 500]}
            for old in store.find("backlinks", where):
                stored.setdefault(old["source_url"], {})[old["key"]] = old
    current, older, first_seen = split_by_age(latest, stored, earliest)
    if current:
        write_backlinks(store, current)
    if older:
        store.insert_backlinks(older)
    if first_seen:
        store.update_backlinks(first_seen)
    if edges:
        newest = max((d["seen_at"] for d in latest), default=datetime.now(UTC))
        store.add_domain_edges(dict(edges), newest, run_id)
    return {(d["target_domain"], d["source_domain"]) for d in latest}


def scan_file(job: ScanJob, progress: Callable[[str], None] | None = None) -> FileCounts:
    """Scan one archive from its checkpoint to the end (the unit of the process pool)."""
    offset, counts, pairs = read_checkpoint(job)
    if counts.done:
        return counts
    analyzer = PageAnalyzer(AnalysisSetup(targets=job.targets, mentions=False))
    started = time.process_time()
    with open_store(job.store_uri) as store, open(job.path, "rb") as fh:
        fh.seek(offset)
        docs: list[dict[str, Any]] = []
        edges: Counter[tuple[str, str]] = Counter()
        in_batch = 0
        next_offset = offset

        def commit() -> None:
            nonlocal docs, edges, in_batch
            with store_lock(job.checkpoint_dir):
                pairs.update(write_batch(store, docs, edges, job.run_id))
            counts.backlinks += len(docs)
            write_checkpoint(job, next_offset, counts, pairs)
            if progress is not None:
                progress(f"checkpoint {job.path} offset {next_offset} records {counts.records}")
            docs, edges, in_batch = [], Counter(), 0

        try:
            for record in iter_records(fh):
                counts.records += 1
                next_offset = record.end
                if record.skip:
                    counts.skipped[record.skip] += 1
                else:
                    found, page_edges = analyse_record(analyzer, record, job.path, job.run_id)
                    counts.pages += 1
                    docs.extend(found)
                    edges.update(page_edges)
                in_batch += 1
                if in_batch >= job.batch_pages:
                    commit()
            fh.seek(next_offset)
            if fh.read(4096).strip():  # warcio ends quietly on a cut gzip member: say so
                raise ValueError("the rest of the file is not a whole record")
        except Exception as exc:  # a cut or corrupt archive tail: keep what was read
            logger.warning("%s: stopped reading at offset %d: %s", job.path, next_offset,
                           str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            counts.skipped["unreadable"] += 1
        counts.done = True
        commit()
        if pairs:
            with store_lock(job.checkpoint_dir):
                refresh_derived(store, pairs, min_pages=job.min_pages)
    counts.seconds += time.process_time() - started
    return counts


@dataclass
class ScanResult:
    files: list[FileCounts]
    wall_seconds: float
    workers: int

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    def skipped(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for f in self.files:
            out.update(f.skipped)
        return out


def jobs_for(paths: Sequence[str], targets: Sequence[str], store_uri: str,
             checkpoint_dir: str, batch_pages: int, min_pages: int) -> list[ScanJob]:
    """One job per archive, all of one run; ConfigError for a file that is not there."""
    for path in paths:
        if not Path(path).is_file():
            raise ConfigError(f"cannot read archive {path!r}: no such file")
    run_id = "scan-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return [ScanJob(str(p), tuple(targets), store_uri, checkpoint_dir, batch_pages, run_id,
                    min_pages) for p in paths]


def scan_archives(paths: Sequence[str], targets: Sequence[str], store_uri: str, *,
                  checkpoint_dir: str, workers: int = 1, batch_pages: int = 200,
                  min_pages: int = 3, progress: Callable[[str], None] | None = None
                  ) -> ScanResult:
    """Scan every archive, ``workers`` files at a time (1: in this process)."""
    jobs = jobs_for(paths, targets, store_uri, checkpoint_dir, batch_pages, min_pages)
    started = time.perf_counter()
    if workers <= 1 or len(jobs) == 1:
        files = [scan_file(job, progress) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = {pool.submit(scan_file, job): job for job in jobs}
            done = {}
            for future in as_completed(futures):
                counts = future.result()
                done[futures[future].path] = counts
                if progress is not None:
                    progress(f"done {counts.path}: {counts.pages} pages")
            files = [done[job.path] for job in jobs]
    return ScanResult(files, time.perf_counter() - started, max(1, min(workers, len(jobs))))
