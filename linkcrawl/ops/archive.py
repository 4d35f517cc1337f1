"""The evidence archive: crawled pages that hold backlinks, kept as WARC files.

With ``LINKCRAWL_ARCHIVE_DIR`` set, the crawl (``pipelines/archive.py``) hands every page
that holds backlinks to :class:`WarcArchive`, which appends a WARC request record and a
response record (status line and headers as Scrapy received them, the body as Scrapy
decoded it), gzip per record, to ``<run_id>-<counter>.warc.gz``, a new file once one
passes ``LINKCRAWL_ARCHIVE_MAX_FILE_BYTES``. Policy (what a backlink remembers, what
retention removes) is :mod:`linkcrawl.history.snapshots`.

Crash safety: both records of a page are serialized in memory and written with one
``write`` and a flush, and a page's snapshot is only handed out after that: a kill leaves
at most a torn last record, which the reader (:func:`linkcrawl.sources.warcscan.iter_records`,
used here too) stops at. A run never appends to another run's file. Files are fsynced when
they are closed, not per record (a kill loses nothing written; a power cut may lose the tail).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from linkcrawl.config import SettingsLike, setting_default
from linkcrawl.errors import ConfigError, LinkcrawlError
from linkcrawl.history.snapshots import ArchiveFile, Snapshot, files_to_remove
from linkcrawl.sources.warcscan import Record, iter_records

SUFFIX = ".warc.gz"
WARC_EXTRA = "linkcrawl[warc]"
CONTEXT = 300  # characters of HTML shown either side of a link


class SnapshotError(LinkcrawlError):
    """A snapshot that cannot be shown (one line, exit 2)."""


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    """The LINKCRAWL_ARCHIVE_* settings, read and checked once."""

    directory: str
    max_file_bytes: int
    keep_days: float
    max_bytes: int
    snapshots: int

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> ArchiveSettings:
        def raw(name: str) -> Any:
            value = settings.get(name)
            return setting_default(name) if value in (None, "") else value

        try:
            out = cls(str(raw("LINKCRAWL_ARCHIVE_DIR") or "").strip(),
                      int(raw("LINKCRAWL_ARCHIVE_MAX_FILE_BYTES")),
                      float(raw("LINKCRAWL_ARCHIVE_KEEP_DAYS")),
                      int(raw("LINKCRAWL_ARCHIVE_MAX_BYTES")),
                      int(raw("LINKCRAWL_ARCHIVE_SNAPSHOTS")))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid LINKCRAWL_ARCHIVE_* setting: {exc}") from None
        if out.max_file_bytes < 1 or out.snapshots < 1:
            raise ConfigError("LINKCRAWL_ARCHIVE_MAX_FILE_BYTES and LINKCRAWL_ARCHIVE_SNAPSHOTS "
                              "must be >= 1")
        if out.keep_days < 0 or out.max_bytes < 0:
            raise ConfigError("LINKCRAWL_ARCHIVE_KEEP_DAYS and LINKCRAWL_ARCHIVE_MAX_BYTES "
                              "must be >= 0")
        return out


def warcio_missing() -> str:
    """The one-line reason the archive cannot run without warcio, or "" when it is there."""
    try:
        import warcio  # noqa: F401
    except ImportError:
        return (f"LINKCRAWL_ARCHIVE_DIR is set but warcio is not installed: "
                f"pip install '{WARC_EXTRA}'")
    return ""


@dataclass(frozen=True, slots=True)
class Capture:
    """One fetched page as the archive writes it."""

    url: str  # the final URL (the response's)
    status: int
    headers: Sequence[tuple[str, str]]
    body: bytes
    captured_at: datetime
    method: str = "GET"
    request_headers: Sequence[tuple[str, str]] = ()
    protocol: str = "HTTP/1.1"


def _warc_date(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _request_target(url: str) -> str:
    rest = url.split("://", 1)[-1]
    path = rest[rest.find("/"):] if "/" in rest else "/"
    return path.split("#", 1)[0] or "/"


def _reason(status: int) -> str:
    with contextlib.suppress(ValueError):
        return HTTPStatus(status).phrase
    return "Unknown"


class WarcArchive:
    """Appends captures to this run's WARC files in ``directory``; rotates by size."""

    def __init__(self, directory: str | Path, run_id: str, max_file_bytes: int) -> None:
        from warcio.warcwriter import WARCWriter

        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id
        self.max_file_bytes = max_file_bytes
        self.files: list[str] = []  # written by this run, in order
        self.records = 0
        self.bytes = 0
        self._writer_class = WARCWriter
        self._fh: BinaryIO | None = None
        self._size = 0
        self.records_in_file = False

    def _serialize(self, records: Sequence[Any]) -> list[bytes]:
        out = []
        for record in records:
            buf = BytesIO()
            self._writer_class(buf, gzip=True).write_record(record)
            out.append(buf.getvalue())
        return out

    def _open_next(self) -> None:
        self._close_file()
        counter = len(self.files) + 1
        while True:
            path = self.directory / f"{self.run_id}-{counter:05d}{SUFFIX}"
            with contextlib.suppress(FileExistsError):
                self._fh = open(path, "xb")  # noqa: SIM115 (open while writing); never append to a file a run left behind
                break
            counter += 1
        self.files.append(str(path))
        writer = self._writer_class(BytesIO(), gzip=True)
        info = writer.create_warcinfo_record(path.name, {
            "software": "linkcrawl", "format": "WARC File Format 1.1",
            "description": f"pages holding backlinks, crawl run {self.run_id}"})
        (data,) = self._serialize([info])
        assert self._fh is not None
        self._fh.write(data)
        self._fh.flush()
        self._size = len(data)
        self.bytes += len(data)

    def write(self, capture: Capture) -> Snapshot:
        """Write the request and response records of ``capture``; its snapshot reference."""
        from warcio.statusandheaders import StatusAndHeaders

        writer = self._writer_class(BytesIO(), gzip=True)
        date = _warc_date(capture.captured_at)
        host = capture.url.split("://", 1)[-1].split("/", 1)[0]
        request_headers = list(capture.request_headers) or [("Host", host)]
        request = writer.create_warc_record(
            capture.url, "request",
            http_headers=StatusAndHeaders(
                f"{capture.method} {_request_target(capture.url)} {capture.protocol}",
                request_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date})
        response = writer.create_warc_record(
            capture.url, "response", payload=BytesIO(capture.body),
            http_headers=StatusAndHeaders(f"{capture.status} {_reason(capture.status)}",
                                          list(capture.headers), protocol=capture.protocol),
            warc_headers_dict={"WARC-Date": date})
        request.rec_headers.add_header("WARC-Concurrent-To",
                                       response.rec_headers.get_header("WARC-Record-ID"))
        req_bytes, resp_bytes = self._serialize([request, response])
        size = len(req_bytes) + len(resp_bytes)
        if self._fh is None or (self._size + size > self.max_file_bytes and self.records_in_file):
            self._open_next()
        assert self._fh is not None
        offset = self._size + len(req_bytes)
        self._fh.write(req_bytes + resp_bytes)  # one write: a kill tears at most this page
        self._fh.flush()
        self._size += size
        self.bytes += size
        self.records += 1
        self.records_in_file = True
        return {"file": self.files[-1], "offset": offset, "length": len(resp_bytes),
                "captured_at": capture.captured_at.astimezone(UTC).isoformat(
                    timespec="seconds").replace("+00:00", "Z")}

    def _close_file(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
        self.records_in_file = False

    def close(self) -> None:
        self._close_file()


def archive_files(directory: str | Path) -> list[ArchiveFile]:
    root = Path(directory)
    out = []
    for path in sorted(root.glob(f"*{SUFFIX}")) if root.is_dir() else []:
        with contextlib.suppress(OSError):
            stat = path.stat()
            out.append(ArchiveFile(str(path.resolve()), stat.st_size, stat.st_mtime))
    return out


def apply_retention(directory: str | Path, *, keep: set[str], keep_days: float,
                    max_bytes: int, now: float | None = None) -> list[str]:
    """Remove what :func:`files_to_remove` says; returns the removed paths."""
    removed = []
    for path in files_to_remove(archive_files(directory), keep=keep,
                                now=time.time() if now is None else now,
                                keep_days=keep_days, max_bytes=max_bytes):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
            removed.append(path)
    return removed


def read_snapshot(snapshot: Mapping[str, Any]) -> Record:
    """The response record a snapshot points at; SnapshotError when its file is gone or the
    record is not a whole HTML response."""
    path = str(snapshot.get("file") or "")
    offset = int(snapshot.get("offset") or 0)
    if not path:
        raise SnapshotError("the snapshot names no file")
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise SnapshotError(f"snapshot file {path} is gone (removed by retention: "
                            f"LINKCRAWL_ARCHIVE_KEEP_DAYS, LINKCRAWL_ARCHIVE_MAX_BYTES)") from None
    with fh:
        fh.seek(offset)
        try:
            record = next(iter_records(fh), None)
        except Exception as exc:  # a torn or foreign record: one line, not a traceback
            raise SnapshotError(f"cannot read the record at offset {offset} of {path}: "
                                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                                ) from None
    length = int(snapshot.get("length") or 0)
    why = ("no whole record" if record is None or record.offset != offset
           else record.skip or ("torn: the file ends inside it"
                                if length and record.end - record.offset != length else ""))
    if why:
        raise SnapshotError(f"no readable HTML response at offset {offset} of {path} ({why})")
    assert record is not None
    return record


# --- the link in its HTML ----------------------------------------------------------------
_START = re.compile(r"<(a|area)\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def decode_body(body: bytes, headers: Mapping[str, str]) -> str:
    """The HTML text: the charset the response declared, else UTF-8 (bad bytes replaced)."""
    charset = ""
    for part in headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def find_link(page: str, href: str, anchor: str) -> tuple[int, int] | None:
    """(start, end) of the ``<a>``/``<area>`` element whose href is ``href``: the one whose
    text is ``anchor`` when several are, else the first. None when none is."""
    candidates = []
    for match in _START.finditer(page):
        attr = _HREF.search(match.group(0))
        if attr is None:
            continue
        value = next(g for g in attr.groups() if g is not None)
        if html.unescape(value).strip() != href.strip():
            continue
        end = match.end()
        if match.group(1).lower() == "a":
            close = re.compile(r"</a\s*>", re.IGNORECASE).search(page, end)
            end = close.end() if close else end
        candidates.append((match.start(), end))
    wanted = " ".join(anchor.split())
    for start, end in candidates:
        if _text(page[start:end]) == wanted:
            return start, end
    return candidates[0] if candidates else None


def excerpt(page: str, span: tuple[int, int], context: int = CONTEXT) -> str:
    """The HTML around ``span`` with the link marked ``>>> … <<<``; cut text elided ``…``."""
    start, end = span
    before_at = max(0, start - context)
    after_to = min(len(page), end + context)
    return ("…" if before_at else "") + page[before_at:start] + ">>> " + page[start:end] \
        + " <<<" + page[end:after_to] + ("…" if after_to < len(page) else "")
