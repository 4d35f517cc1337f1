"""The WARC writer, reader and link excerpt of the evidence archive (linkcrawl.ops.archive)."""

from __future__ import annotations

import os
import random
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from linkcrawl.errors import ConfigError
from linkcrawl.ops.archive import (
    ArchiveSettings,
    Capture,
    SnapshotError,
    WarcArchive,
    apply_retention,
    decode_body,
    excerpt,
    find_link,
    read_snapshot,
)
from linkcrawl.sources.warcscan import scan_archives
from linkcrawl.store import open_store

AT = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)


def page(n: int, size: int = 0) -> Capture:
    """Page n, with ``size`` characters of filler that gzip cannot shrink much."""
    filler = "".join(random.Random(n).choices(string.ascii_letters, k=size))
    body = (f"<html><body><p>Post {n}</p><p>Read <a href=\"https://t.test/p{n}\">Acme {n}</a>"
            f" now.</p>{filler}</body></html>").encode()
    return Capture(url=f"http://s{n}.test/post", status=200,
                   headers=[("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(body))), ("X-Served-By", f"node-{n}")],
                   body=body, captured_at=AT + timedelta(minutes=n),
                   request_headers=[("Host", f"s{n}.test"), ("User-Agent", "linkcrawl-test")])


def test_records_are_written_as_warcio_reads_them(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "run1", 10**9)
    snaps = [archive.write(page(n)) for n in range(3)]
    archive.close()
    assert archive.files == [str(tmp_path.resolve() / "run1-00001.warc.gz")]
    with open(archive.files[0], "rb") as fh:
        kinds, responses = [], {}
        for record in ArchiveIterator(fh):
            kinds.append(record.rec_type)
            if record.rec_type == "response":
                responses[record.rec_headers.get_header("WARC-Target-URI")] = (
                    record.http_headers.statusline, record.http_headers.get_header("X-Served-By"),
                    record.rec_headers.get_header("WARC-Date"), record.content_stream().read())
    assert kinds == ["warcinfo"] + ["request", "response"] * 3
    assert responses["http://s1.test/post"][:3] == ("200 OK", "node-1", "2026-03-03T09:31:00Z")
    for n, snap in enumerate(snaps):
        assert snap["captured_at"] == f"2026-03-03T09:3{n}:00Z"
        record = read_snapshot(snap)
        assert record.url == f"http://s{n}.test/post"
        assert record.body == page(n).body
        assert record.end - record.offset == snap["length"]


def test_a_file_rotates_at_the_size_limit_and_never_reuses_a_name(tmp_path: Path) -> None:
    (tmp_path / "run1-00002.warc.gz").write_bytes(b"left by another run")
    archive = WarcArchive(tmp_path, "run1", 3000)
    snaps = [archive.write(page(n, size=3000)) for n in range(4)]
    archive.close()
    names = [Path(f).name for f in archive.files]
    assert names == ["run1-00001.warc.gz", "run1-00003.warc.gz", "run1-00004.warc.gz",
                     "run1-00005.warc.gz"]
    assert (tmp_path / "run1-00002.warc.gz").read_bytes() == b"left by another run"
    assert [Path(s["file"]).name for s in snaps] == names
    for path in archive.files:  # each page is over half the limit: one page a file
        with open(path, "rb") as fh:
            assert [r.rec_type for r in ArchiveIterator(fh)][-2:] == ["request", "response"]
    assert [read_snapshot(s).url for s in snaps] == [f"http://s{n}.test/post" for n in range(4)]


def test_one_record_bigger_than_the_limit_still_gets_a_file(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "big", 100)
    first, second = archive.write(page(0, size=5000)), archive.write(page(1))
    archive.close()
    assert first["file"] != second["file"]
    assert read_snapshot(first).body == page(0, size=5000).body


def test_a_torn_last_record_is_skipped_by_show_and_by_the_scanner(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "a", "run1", 10**9)
    snaps = [archive.write(page(n, size=2000)) for n in range(3)]
    archive.close()
    path = Path(archive.files[0])
    data = path.read_bytes()
    path.write_bytes(data[: snaps[2]["offset"] + snaps[2]["length"] // 2])  # killed mid-write
    assert read_snapshot(snaps[1]).url == "http://s1.test/post"
    with pytest.raises(SnapshotError, match="offset"):
        read_snapshot(snaps[2])
    uri = f"sqlite:///{tmp_path / 'scan.db'}"
    result = scan_archives([str(path)], ["t.test"], uri, checkpoint_dir=str(tmp_path / "cp"))
    assert result.total("pages") == 2
    assert result.skipped()["truncated"] + result.skipped()["unreadable"] == 1
    with open_store(uri) as store:
        assert sorted(d["anchor_text"] for d in store.find("backlinks")) == ["Acme 0", "Acme 1"]


def test_a_gone_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"is gone \(removed by retention"):
        read_snapshot({"file": str(tmp_path / "x.warc.gz"), "offset": 0})


def test_retention_deletes_whole_files_but_not_kept_ones(tmp_path: Path) -> None:
    for name, age in (("old-00001", 40), ("old-00002", 35), ("new-00001", 1)):
        path = tmp_path / f"{name}.warc.gz"
        path.write_bytes(b"x" * 10)
        stamp = (datetime.now(UTC) - timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))
    kept = "old-00002.warc.gz"  # by name: the folder may have moved since it was written
    removed = apply_retention(tmp_path, keep={kept}, keep_days=30, max_bytes=0)
    assert [Path(p).name for p in removed] == ["old-00001.warc.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-00001.warc.gz",
                                                          "old-00002.warc.gz"]


HTML = ('<p>intro</p><nav><a href="https://t.test/">Home</a></nav>'
        '<p>See <A HREF=\'https://t.test/?a=1&amp;b=2\' class=x>the <b>Acme</b> guide</A>.</p>'
        '<p>Again <a href="https://t.test/">Acme</a></p><map><area href="https://t.test/m"></map>')


@pytest.mark.parametrize(("href", "anchor", "expected"), [
    ("https://t.test/?a=1&b=2", "the Acme guide",
     "<A HREF='https://t.test/?a=1&amp;b=2' class=x>the <b>Acme</b> guide</A>"),
    ("https://t.test/", "Acme", '<a href="https://t.test/">Acme</a>'),  # by its anchor text
    ("https://t.test/", "Home", '<a href="https://t.test/">Home</a>'),
    ("https://t.test/", "changed since", '<a href="https://t.test/">Home</a>'),  # the first
    ("https://t.test/m", "", '<area href="https://t.test/m">'),
    ("https://t.test/none", "Acme", None),
])
def test_the_link_is_found_by_href_then_anchor(href: str, anchor: str,
                                               expected: str | None) -> None:
    span = find_link(HTML, href, anchor)
    assert (HTML[span[0]:span[1]] if span else None) == expected


@pytest.mark.parametrize(("context", "expected"), [
    (3, "…zab>>> <a>L</a> <<<cde…"),
    (5, "xyzab>>> <a>L</a> <<<cdefg"),
    (100, "xyzab>>> <a>L</a> <<<cdefg"),
    (0, "…>>> <a>L</a> <<<…"),
])
def test_the_excerpt_marks_the_link_and_elides_cut_text(context: int, expected: str) -> None:
    assert excerpt("xyzab<a>L</a>cdefg", (5, 13), context) == expected


@pytest.mark.parametrize(("body", "ctype", "expected"), [
    ("café".encode(), "text/html; charset=utf-8", "café"),
    ("café".encode("latin-1"), "text/html; charset=ISO-8859-1", "café"),
    ("café".encode(), "text/html", "café"),
    ("café".encode(), "text/html; charset=no-such-codec", "café"),
])
def test_the_body_is_decoded_with_its_declared_charset(body: bytes, ctype: str,
                                                       expected: str) -> None:
    assert decode_body(body, {"content-type": ctype}) == expected


@pytest.mark.parametrize(("settings", "message"), [
    ({"LINKCRAWL_ARCHIVE_MAX_FILE_BYTES": 0}, "MAX_FILE_BYTES"),
    ({"LINKCRAWL_ARCHIVE_KEEP_DAYS": -1}, "KEEP_DAYS"),
    ({"LINKCRAWL_ARCHIVE_SNAPSHOTS": "many"}, "LINKCRAWL_ARCHIVE_"),
])
def test_bad_archive_settings_are_config_errors(settings: dict[str, object],
                                                message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ArchiveSettings.from_settings({"LINKCRAWL_ARCHIVE_DIR": "x", **settings})


def test_the_defaults_are_off_and_bounded() -> None:
    settings = ArchiveSettings.from_settings({})
    assert settings.directory == ""
    assert settings.max_file_bytes == 1_000_000_000 and settings.snapshots == 5


def test_a_capture_keeps_the_received_headers_but_not_a_decoding_already_done() -> None:
    from scrapy.http import HtmlResponse, Request

    from pipelines.archive import capture_of

    request = Request("http://s.test/p", headers={"User-Agent": "linkcrawl-test"})
    response = HtmlResponse("http://s.test/p", status=203, body=b"<p>x</p>", request=request,
                            headers={"Content-Type": "text/html", "Transfer-Encoding": "chunked",
                                     "Set-Cookie": ["a=1", "b=2"]})
    capture = capture_of(response, AT)
    assert sorted(capture.headers) == [("Content-Type", "text/html"), ("Set-Cookie", "a=1"),
                                       ("Set-Cookie", "b=2"),
                                       ("X-Linkcrawl-Original-Transfer-Encoding", "chunked")]
    assert ("User-Agent", "linkcrawl-test") in capture.request_headers
    assert (capture.status, capture.body, capture.method) == (203, b"<p>x</p>", "GET")
