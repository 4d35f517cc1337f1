"""``linkcrawl scan`` end to end: WARC files recorded from the demo web on loopback, a mixed
archive written record by record, the archive policy, and a scan killed and resumed.

Expected backlinks come from data/demo-web/ground_truth.json (hand-labelled); expected record
counts are counted by hand from the records each test writes.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkcrawl.history.archive import newest_per_key, split_by_age
from linkcrawl.ops.localweb import DEMO_WEB_DIR
from linkcrawl.sources.warcscan import checkpoint_path, scan_archives
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, linkcrawl_cli
from tests.warcs import record_web, warc_date, web_urls, write_response

START = datetime(2025, 6, 1, tzinfo=UTC)
ASSETS = [u for u in web_urls(DEMO_WEB_DIR) if not u.endswith((".html", ".php", ".htm"))]


def _gt_urls(ground_truth: dict[str, Any]) -> list[str]:
    return sorted({b["source_url"] for b in ground_truth["backlinks"]})


@pytest.fixture(scope="module")
def demo_warc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The ground truth's source pages and the demo web's non-HTML files, as an archiving
    crawler would have captured them: capture i at START + i minutes."""
    import json

    truth = json.loads((DEMO_WEB_DIR / "ground_truth.json").read_text(encoding="utf-8"))
    urls = _gt_urls(truth)[:20] + ASSETS[:10] + _gt_urls(truth)[20:] + ASSETS[10:]
    path = tmp_path_factory.mktemp("warc") / "demo.warc.gz"
    assert record_web(DEMO_WEB_DIR, path, START, urls=urls) == len(urls)
    return path, urls


@pytest.fixture(scope="module")
def scanned(demo_warc: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[str, str]:
    path, _ = demo_warc
    work = tmp_path_factory.mktemp("scan")
    uri = f"sqlite:///{work / 'scan.db'}"
    result = linkcrawl_cli("scan", str(path), "--target", ",".join(DEMO_TARGETS), "--store", uri,
                           "--checkpoints", str(work / "ck"))
    assert result.returncode == 0, result.stderr[-3000:]
    return uri, result.stdout


def test_scan_finds_exactly_the_ground_truth_backlinks(scanned, ground_truth) -> None:
    uri, _ = scanned
    expected = {(b["source_url"], b["target_url"], b["anchor_text"]):
                (b["location"], b["link_type"], b["follow"]) for b in ground_truth["backlinks"]}
    with open_store(uri) as store:
        found = {(d["source_url"], d["target_url"], d["anchor_text"]):
                 (d["location"], d["link_type"], d["follow"]) for d in store.find("backlinks")}
        rows = {(r["referring_domain"], r["target_domain"])
                for r in store.find("referring_domains")}
    assert found == expected
    site = lambda url: url.split("/")[2].removeprefix("www.")  # noqa: E731 (no subdomains here)
    assert rows == {(site(b["source_url"]), site(b["target_url"]))
                    for b in ground_truth["backlinks"]}


def test_scan_counts_the_records_it_skipped(scanned, demo_warc) -> None:
    _, out = scanned
    _, urls = demo_warc
    pages = len(urls) - len(ASSETS)
    assert (f"{2 * len(urls)} records, {pages} HTML pages analysed, 71 backlinks; "
            f"skipped not_response {len(urls)}, not_html {len(ASSETS)}") in out
    assert "pages/s per core" in out


def test_capture_dates_and_record_offsets_are_the_provenance(scanned, demo_warc) -> None:
    uri, _ = scanned
    path, urls = demo_warc
    captured = {url: START + timedelta(minutes=i) for i, url in enumerate(urls)}
    with open_store(uri) as store:
        docs = store.find("backlinks")
    assert docs
    with path.open("rb") as fh:
        for doc in docs:
            assert doc["source"] == "scan:warc" and doc["warc_file"] == str(path)
            assert doc["first_seen"] == doc["last_seen"] == captured[doc["source_url"]]
            fh.seek(doc["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == doc["source_url"]
            assert doc["target_host"].encode() in record.content_stream().read()


def test_an_older_capture_of_known_links_moves_nothing_back(scanned, demo_warc, tmp_path) -> None:
    """Scanning an archive twice changes nothing; the same pages captured a year earlier
    only move first_seen back (written by hand: captures are START - 365 days + i min)."""
    uri, _ = scanned
    path, urls = demo_warc
    with open_store(uri) as store:
        before = {d["key"]: d for d in store.find("backlinks")}
    older = tmp_path / "older.warc.gz"
    record_web(DEMO_WEB_DIR, older, START - timedelta(days=365), urls=urls)
    for i, archive in enumerate((path, older)):  # new checkpoints: the same file read again
        result = linkcrawl_cli("scan", str(archive), "--target", ",".join(DEMO_TARGETS),
                               "--store", uri, "--checkpoints", str(tmp_path / f"ck{i}"))
        assert result.returncode == 0, result.stderr[-3000:]
        if i == 0:
            with open_store(uri) as store:
                again = {d["key"]: d for d in store.find("backlinks")}
            for key, doc in again.items():
                changed = {k for k in doc if doc[k] != before[key].get(k)}
                assert changed == {"run_id"}  # the run that saw it last; nothing else
    with open_store(uri) as store:
        after = {d["key"]: d for d in store.find("backlinks")}
    assert after.keys() == before.keys()
    for key, doc in after.items():
        assert doc["last_seen"] == before[key]["last_seen"]
        assert doc["first_seen"] == before[key]["first_seen"] - timedelta(days=365)
        assert doc["warc_offset"] == before[key]["warc_offset"]  # the newer capture's record


# --- a mixed archive ------------------------------------------------------------------
LINK = b'<p>We like <a href="http://acme-widgets.test/">Acme Widgets</a> a lot.</p>'


def _html(title: str) -> bytes:
    return (b"<!doctype html><html><head><title>" + title.encode() + b"</title></head><body>"
            b"<article><h1>" + title.encode() + b"</h1>" + LINK + b"</article></body></html>")


def write_mixed(path: Path) -> None:
    """Every kind of record a real archive holds, and a tail cut in the middle of a record."""
    at = START
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record("mixed.warc.gz", {"software": "tests"}))
        req = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "blog.test")], is_http_request=True)
        w.write_record(w.create_warc_record("http://blog.test/a", "request", http_headers=req))
        html = [("Content-Type", "text/html; charset=utf-8")]
        write_response(w, "http://blog.test/a", "200 OK", html, _html("Page A"), at)  # page 1
        write_response(w, "http://blog.test/logo.png", "200 OK", [("Content-Type", "image/png")],
                       b"\x89PNG\r\n\x1a\n0000", at)  # not_html
        w.write_record(w.create_revisit_record(  # revisit
            "http://blog.test/a", digest="sha1:AAAA", refers_to_uri="http://blog.test/a",
            refers_to_date=warc_date(at),
            http_headers=StatusAndHeaders("200 OK", html, protocol="HTTP/1.1")))
        write_response(w, "http://blog.test/b", "200 OK", html, _html("Page B")[:60], at,
                       extra={"WARC-Truncated": "length"})  # truncated (said so)
        write_response(w, "http://blog.test/c", "200 OK",
                       [*html, ("Content-Length", "5000")], _html("Page C"), at)  # truncated
        write_response(w, "http://blog.test/gone", "404 Not Found", html, _html("Gone"), at)
        write_response(w, "http://blog.test/old", "301 Moved Permanently",
                       [*html, ("Location", "http://blog.test/a")], b"moved", at)  # not_ok
        w.write_record(w.create_warc_record(
            "metadata:blog.test", "metadata", payload=BytesIO(b"outlinks: none"),
            warc_content_type="application/warc-fields"))  # not_response
        w.write_record(w.create_warc_record(
            "http://blog.test/file.html", "resource", payload=BytesIO(_html("Resource")),
            warc_content_type="text/html"))  # not_response (no HTTP exchange)
        write_response(w, "http://blog.test/z", "200 OK",
                       [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                       gzip.compress(_html("Page Z")), at + timedelta(hours=1))  # page 2
        write_response(w, "http://blog.test/x", "200 OK",
                       [("Content-Type", "application/xhtml+xml")], _html("Page X"),
                       at + timedelta(hours=2))  # page 3
        tail = BytesIO()
        write_response(WARCWriter(tail, gzip=True), "http://blog.test/cut", "200 OK", html,
                       _html("Cut") * 50, at)
        fh.write(tail.getvalue()[: len(tail.getvalue()) // 2])  # unreadable


def test_a_mixed_archive_is_counted_record_by_record(tmp_path: Path) -> None:
    path = tmp_path / "mixed.warc.gz"
    write_mixed(path)
    uri = f"sqlite:///{tmp_path / 's.db'}"
    result = scan_archives([str(path)], ["acme-widgets.test"], uri,
                           checkpoint_dir=str(tmp_path / "ck"))
    (counts,) = result.files
    assert counts.pages == 3
    assert dict(counts.skipped) == {"not_response": 4, "not_html": 1, "revisit": 1,
                                    "truncated": 2, "not_ok": 2, "unreadable": 1}
    assert counts.records == 13  # whole records; the cut one is the "unreadable" tail
    with open_store(uri) as store:
        docs = {d["source_url"]: d for d in store.find("backlinks")}
    assert sorted(docs) == ["http://blog.test/a", "http://blog.test/x", "http://blog.test/z"]
    assert docs["http://blog.test/z"]["first_seen"] == START + timedelta(hours=1)
    assert docs["http://blog.test/a"]["location"] == "content"


# --- the archive policy (pure) ------------------------------------------------------------
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1, T2, T3 = (T0 + timedelta(days=d) for d in (1, 2, 3))


def _seen(key: str, at: datetime, url: str = "http://a.test/p") -> dict[str, Any]:
    return {"key": key, "source_url": url, "seen_at": at}


def _stored(key: str, first: datetime, last: datetime) -> dict[str, Any]:
    return {"key": key, "source_url": "http://a.test/p", "first_seen": first, "last_seen": last}


@pytest.mark.parametrize(("found", "stored", "current", "older", "first_seen"), [
    # nothing stored: a current sighting, first seen at the capture
    ([_seen("k", T1)], {}, ["k"], [], {}),
    # stored earlier: the capture is newer, an ordinary sighting
    ([_seen("k", T2)], {"k": _stored("k", T0, T1)}, ["k"], [], {}),
    # stored later: an older view; the known link only gets an earlier first_seen
    ([_seen("k", T0)], {"k": _stored("k", T1, T3)}, [], [], {"k": T0}),
    # older view between first and last seen: nothing changes
    ([_seen("k", T2)], {"k": _stored("k", T1, T3)}, [], [], {}),
    # older view with a link the store never saw: inserted as of then
    ([_seen("k", T0), _seen("n", T0)], {"k": _stored("k", T1, T3)}, [], ["n"], {"k": T0}),
    # two captures of a page in one batch: the latest is the sighting, the earliest first_seen
    ([_seen("k", T2), _seen("k", T1)], {}, ["k"], [], {}),
])
def test_archive_policy(found, stored, current, older, first_seen) -> None:
    latest, earliest = newest_per_key(found)
    by_url = {"http://a.test/p": stored} if stored else {}
    cur, old, updates = split_by_age(latest, by_url, earliest)
    assert [d["key"] for d in cur] == current
    assert [d["key"] for d in old] == older
    assert {k: v["first_seen"] for k, v in updates.items()} == first_seen
    for doc in [*cur, *old]:  # a new link starts at its earliest capture
        if doc["key"] not in stored:
            assert doc["first_seen"] == earliest[doc["key"]]
    if cur:
        assert cur[0]["seen_at"] == max(d["seen_at"] for d in found)


# --- parallel files, kill and resume --------------------------------------------------------
@pytest.fixture(scope="module")
def big_warcs(tmp_path_factory: pytest.TempPathFactory, demo_warc) -> list[Path]:
    """Two archives, each the ground-truth pages captured 12 times (a monthly crawl)."""
    _, urls = demo_warc
    work = tmp_path_factory.mktemp("big")
    paths = []
    for i in range(2):
        path = work / f"big-{i}.warc.gz"
        record_web(DEMO_WEB_DIR, path, START + timedelta(days=400 * i), urls=urls, repeat=12)
        paths.append(path)
    return paths


def _docs(uri: str) -> dict[str, tuple]:
    with open_store(uri) as store:
        docs = store.find("backlinks")
        assert store.count("backlinks") == len({d["key"] for d in docs})
        return {d["key"]: (d["first_seen"], d["last_seen"], d["status"], d["location"],
                           d["link_type"]) for d in docs}


def _rds(uri: str) -> dict[tuple[str, str], tuple]:
    with open_store(uri) as store:
        return {(r["target_domain"], r["referring_domain"]):
                (r["backlinks"], r["live_backlinks"], r["first_seen"], r["last_seen"])
                for r in store.find("referring_domains")}


def _scan_cmd(paths: list[Path], uri: str, ck: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "linkcrawl.cli.main", "scan", *map(str, paths), "--target",
            ",".join(DEMO_TARGETS), "--store", uri, "--checkpoints", str(ck), *extra]


def test_a_scan_killed_and_resumed_stores_what_a_clean_scan_stores(big_warcs, tmp_path) -> None:
    clean_uri = f"sqlite:///{tmp_path / 'clean.db'}"
    clean = scan_archives([str(p) for p in big_warcs], DEMO_TARGETS, clean_uri,
                          checkpoint_dir=str(tmp_path / "ck-clean"), workers=2)
    assert [f.done for f in clean.files] == [True, True]
    # kill -9 right after the first checkpoint of the first file is on disk
    uri, ck = f"sqlite:///{tmp_path / 'killed.db'}", tmp_path / "ck"
    proc = subprocess.Popen(_scan_cmd(big_warcs[:1], uri, ck, "--batch", "25", "-v"),
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert line.startswith("checkpoint "), line
    import json

    state = json.loads(checkpoint_path(str(ck), str(big_warcs[0])).read_text())
    assert 0 < state["offset"] < big_warcs[0].stat().st_size  # killed in the middle
    assert not state["counts"]["done"]
    resumed = subprocess.run(_scan_cmd(big_warcs, uri, ck), cwd=REPO, capture_output=True,
                             text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{big_warcs[0]} (resumed at offset " in resumed.stdout
    assert _docs(uri) == _docs(clean_uri)
    # the pairs written before the kill are refreshed at the end of the resumed run too
    assert _rds(uri) == _rds(clean_uri) and len(_rds(uri)) == 11  # the ground truth's pairs
    totals = {f.path: (f.records, f.pages, f.backlinks) for f in clean.files}
    for path in big_warcs:
        records, pages, backlinks = totals[str(path)]
        assert f"{records} records, {pages} HTML pages analysed, {backlinks} backlinks" in (
            resumed.stdout)
    # run again: every file is done, nothing is read or written
    again = subprocess.run(_scan_cmd(big_warcs, uri, ck), cwd=REPO, capture_output=True,
                           text=True, timeout=240)
    assert again.returncode == 0 and _docs(uri) == _docs(clean_uri)


def test_parallel_files_give_what_one_process_gives(big_warcs, tmp_path) -> None:
    one = f"sqlite:///{tmp_path / 'one.db'}"
    scan_archives([str(p) for p in big_warcs], DEMO_TARGETS, one,
                  checkpoint_dir=str(tmp_path / "ck1"), workers=1)
    two = f"sqlite:///{tmp_path / 'two.db'}"
    result = scan_archives([str(p) for p in big_warcs], DEMO_TARGETS, two,
                           checkpoint_dir=str(tmp_path / "ck2"), workers=2)
    assert result.workers == 2
    assert _docs(one) == _docs(two)
    first = {k: v[0] for k, v in _docs(two).items()}
    assert min(first.values()) == START  # the first capture of the first archive
    last = {k: v[1] for k, v in _docs(two).items()}
    assert max(last.values()) > START + timedelta(days=400)  # the second archive's captures


def test_unknown_archive_is_one_line(tmp_path: Path) -> None:
    result = linkcrawl_cli("scan", str(tmp_path / "nope.warc.gz"), "--target", "a.test",
                           "--store", f"sqlite:///{tmp_path / 's.db'}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"linkcrawl: error: cannot read archive '{tmp_path / 'nope.warc.gz'}': no such file"]
