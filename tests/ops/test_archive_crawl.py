"""The evidence archive in real crawls of the demo web: WARC files, snapshot references,
``linkcrawl show``, rotation, re-crawls, retention and a crawl killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from linkcrawl.ops.archive import decode_body, find_link, read_snapshot
from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from linkcrawl.sources.warcscan import iter_records, scan_archives
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, linkcrawl_cli, scrapy_crawl
from tests.faultweb import GatedWeb, wait_until

ARGS = {"seeds_file": str(REPO / "data" / "seeds" / "demo.txt"),
        "targets": ",".join(DEMO_TARGETS)}
MAX_FILE = 20_000  # bytes: the demo web's ~34 archived pages need several files
REVIEW = "http://widgetweekly.test/2024/03/best-budget-widgets-2024/"
SPROCKET = "http://acme-widgets.test/products/sprocket-mini/"
# the element as written in data/demo-web/widgetweekly.test/2024/03/best-budget-widgets-2024/
SPROCKET_LINK = ('<a href="http://acme-widgets.test/products/sprocket-mini/?utm_source='
                 'widgetweekly&amp;utm_medium=referral&amp;utm_campaign=budget2024">'
                 'Acme Sprocket Mini</a>')


def crawl(uri: str, archive: Path | None, **settings: Any) -> dict[str, Any]:
    extra = {"LINKCRAWL_ARCHIVE_DIR": archive} if archive else {}
    with LocalWeb(DEMO_WEB_DIR) as web:
        result = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, args=ARGS,
                              settings={**extra, **settings}).check()
    with open_store(uri) as store:
        runs = store.find("runs", sort=[("started_at", -1)], limit=1)
    assert "Disabled pipelines.archive.ArchivePipeline" not in result.stderr
    return runs[0]


def backlinks(uri: str) -> dict[str, dict[str, Any]]:
    with open_store(uri) as store:
        return {d["key"]: d for d in store.find("backlinks")}


def show(uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    return linkcrawl_cli("show", *args, "--store", uri)


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("archived")
    uri = f"sqlite:///{root / 'crawl.db'}"
    run = crawl(uri, root / "warc", LINKCRAWL_ARCHIVE_MAX_FILE_BYTES=MAX_FILE)
    return uri, root / "warc", run


def test_the_pages_holding_backlinks_are_in_rotated_warc_files(archived, ground_truth) -> None:
    _, folder, run = archived
    files = sorted(folder.iterdir())
    assert len(files) > 1, "no rotation at a 20 kB limit"
    assert [f.name for f in files] == [f"{run['run_id']}-{n:05d}.warc.gz"
                                       for n in range(1, len(files) + 1)]
    pages: list[str] = []
    for path in files:
        with path.open("rb") as fh:
            kinds = []
            for record in ArchiveIterator(fh):
                kinds.append(record.rec_type)
                if record.rec_type == "response":
                    assert record.http_headers.statusline == "200 OK"
                    assert record.http_headers.get_header("Content-Type").startswith("text/html")
                    pages.append(record.rec_headers.get_header("WARC-Target-URI"))
        assert kinds[0] == "warcinfo" and kinds[1:] == ["request", "response"] * (
            (len(kinds) - 1) // 2)
        if len(kinds) > 3:  # a file with more than one page stays under the limit
            assert path.stat().st_size <= MAX_FILE
    linking = {b["source_url"] for b in ground_truth["backlinks"]}
    assert sorted(pages) == sorted(linking)  # each linking page once, nothing else
    stats = run["stats"]
    assert stats["linkcrawl/archive/records"] == len(linking)
    assert stats["linkcrawl/archive/bytes"] == sum(f.stat().st_size for f in files)


def test_every_backlink_points_at_a_response_that_holds_it(archived, ground_truth) -> None:
    uri, folder, _ = archived
    stored = backlinks(uri)
    expected = {(b["source_url"], b["target_url"], b["anchor_text"])
                for b in ground_truth["backlinks"]}
    assert {(d["source_url"], d["target_url"], d["anchor_text"])
            for d in stored.values()} == expected
    for doc in stored.values():
        snap = doc["snapshot"]
        assert Path(snap["file"]).parent == folder.resolve()
        assert doc["snapshots"] == [snap]
        record = read_snapshot(snap)
        assert record.url == doc["source_url"]
        span = find_link(decode_body(record.body, record.headers), doc["href"],
                         doc["anchor_text"])
        assert span is not None, (doc["source_url"], doc["href"])


def test_show_prints_the_link_marked_in_its_html(archived) -> None:
    uri, _, _ = archived
    doc = next(d for d in backlinks(uri).values()
               if d["source_url"] == REVIEW and d["anchor_text"] == "Acme Sprocket Mini")
    out = show(uri, doc["key"])
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"backlink {doc['key']}"
    assert lines[1].startswith(f"{REVIEW} -> {SPROCKET}  anchor 'Acme Sprocket Mini'")
    snap = doc["snapshot"]
    assert lines[3].startswith(f"snapshot {snap['captured_at']}  {snap['file']}  "
                               f"offset {snap['offset']}  (200, ")
    assert f"<p>The >>> {SPROCKET_LINK} <<< is the widget we kept reaching for." in out.stdout
    body = "\n".join(lines[4:])
    assert body.startswith("…") and body.endswith("…")
    before, _, after = body.partition(">>> ")
    assert len(before) == 301 and len(after.partition(" <<<")[2]) == 301  # 300 and the "…"


def test_show_by_source_and_target_lists_each_anchor(archived) -> None:
    uri, _, _ = archived
    out = show(uri, "--source", REVIEW, "--target", SPROCKET + "?utm_source=x", "--context", "40")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\nsnapshot ") == 2
    assert ">>> " + SPROCKET_LINK + " <<<" in out.stdout
    assert ('>>> <a href="http://acme-widgets.test/products/sprocket-mini/#buy">Buy the Sprocket '
            'Mini at Acme</a> <<<') in out.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("0" * 40,), "no backlink with key '0000000000000000000000000000000000000000' in STORE"),
    (("--source", REVIEW, "--target", "http://acme-widgets.test/nowhere/"),
     f"no backlink from {REVIEW} to http://acme-widgets.test/nowhere/ in STORE"),
    (("--source", REVIEW), "give a BACKLINK key, or --source URL and --target URL"),
    ((), "give a BACKLINK key, or --source URL and --target URL"),
])
def test_show_errors_are_one_line(archived, args: tuple[str, ...], message: str) -> None:
    out = show(archived[0], *args)
    assert out.returncode == 2
    last = out.stderr.strip().splitlines()[-1]
    assert last == f"linkcrawl: error: {message.replace('STORE', archived[0])}"
    assert "Traceback" not in out.stderr


def test_without_the_archive_there_is_no_snapshot_and_show_says_so(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'plain.db'}"
    run = crawl(uri, None)
    assert not any(k.startswith("linkcrawl/archive/") for k in run["stats"])
    doc = next(iter(backlinks(uri).values()))
    assert not doc.get("snapshot")
    out = show(uri, doc["key"])
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == (f"linkcrawl: error: backlink {doc['key']} has no snapshot "
                                  "(LINKCRAWL_ARCHIVE_DIR was off when its page was crawled)")


def test_recrawls_keep_earlier_snapshots_and_retention_keeps_the_latest(tmp_path: Path) -> None:
    uri, folder = f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "warc"
    first = crawl(uri, folder, LINKCRAWL_RUN_ID="run-a")
    second = crawl(uri, folder, LINKCRAWL_RUN_ID="run-b")
    assert (first["run_id"], second["run_id"]) == ("run-a", "run-b")
    stored = backlinks(uri)
    for doc in stored.values():
        assert [Path(s["file"]).name for s in doc["snapshots"]] == ["run-b-00001.warc.gz",
                                                                  "run-a-00001.warc.gz"]
        assert doc["snapshot"] == doc["snapshots"][0]
    key = next(k for k, d in stored.items() if d["anchor_text"] == "Acme Sprocket Mini")
    both = show(uri, key, "--all")
    assert both.returncode == 0, both.stderr
    assert [line.split()[2].rsplit("/", 1)[1] for line in both.stdout.splitlines()
            if line.startswith("snapshot ")] == ["run-b-00001.warc.gz", "run-a-00001.warc.gz"]
    assert both.stdout.count(">>> " + SPROCKET_LINK + " <<<") == 2

    # a 1-byte limit: every file no backlink's latest snapshot is in goes, oldest first
    third = crawl(uri, folder, LINKCRAWL_RUN_ID="run-c", LINKCRAWL_ARCHIVE_MAX_BYTES=1)
    assert third["stats"].get("linkcrawl/archive/records", 0) > 0
    assert sorted(p.name for p in folder.iterdir()) == ["run-c-00001.warc.gz"]
    after = show(uri, key, "--all")
    assert after.returncode == 0, after.stderr
    assert after.stdout.count(">>> " + SPROCKET_LINK + " <<<") == 1
    assert "run-b-00001.warc.gz is gone (removed by retention" in after.stdout

    # the archive moved: found by name with --archive-dir, a one-line error without
    moved = tmp_path / "moved"
    folder.rename(moved)
    found = show(uri, key, "--archive-dir", str(moved))
    assert found.returncode == 0, found.stderr
    assert f"  {moved / 'run-c-00001.warc.gz'}  offset " in found.stdout
    assert ">>> " + SPROCKET_LINK + " <<<" in found.stdout
    (moved / "run-c-00001.warc.gz").unlink()
    gone = show(uri, key)
    assert gone.returncode == 2 and "Traceback" not in gone.stderr
    assert gone.stderr.strip().startswith("linkcrawl: error: snapshot file ")
    assert "run-c-00001.warc.gz is gone (removed by retention" in gone.stderr


HOLD_AFTER = 30  # pages answered (of the demo crawl's ~75) before the web holds requests


def snapshot_recorded(uri: str) -> bool:
    try:
        return any(d.get("snapshot") for d in backlinks(uri).values())
    except Exception:  # the crawl has not created the store yet
        return False


def test_a_crawl_killed_with_sigkill_leaves_readable_archives(tmp_path: Path) -> None:
    uri, folder = f"sqlite:///{tmp_path / 'killed.db'}", tmp_path / "warc"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites"]
    for key, value in ARGS.items():
        cmd += ["-a", f"{key}={value}"]
    settings = {"LINKCRAWL_STORE_URI": uri, "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True,
                "LINKCRAWL_PROGRESS_INTERVAL": 0, "AUTOTHROTTLE_ENABLED": False,
                "LINKCRAWL_BATCH_SIZE": 2, "LINKCRAWL_ARCHIVE_DIR": folder}
    with GatedWeb(DEMO_WEB_DIR, HOLD_AFTER) as web:
        settings["LINKCRAWL_HTTP_PROXY"] = web.proxy_url
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        proc = subprocess.Popen(cmd, cwd=REPO, env=dict(os.environ),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert web.wait_held(), "the crawl never reached the gate"
            wait_until(lambda: snapshot_recorded(uri), what="a snapshot reference in the store")
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(60) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            web.set_limit(10**9)
    files = sorted(folder.iterdir())
    assert len(files) == 1
    with files[0].open("rb") as fh:
        responses = [r for r in iter_records(fh) if not r.skip]
    assert responses, "nothing archived before the kill"
    result = scan_archives([str(files[0])], list(DEMO_TARGETS),
                           f"sqlite:///{tmp_path / 'scan.db'}",
                           checkpoint_dir=str(tmp_path / "cp"))
    assert result.total("pages") == len(responses)
    assert not result.skipped()["unreadable"]

    referenced = [d for d in backlinks(uri).values() if d.get("snapshot")]
    assert referenced, "no snapshot reference was written before the kill"
    for doc in referenced:
        assert read_snapshot(doc["snapshot"]).url == doc["source_url"]
    out = show(uri, referenced[0]["key"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.count(" <<<") == 1


def test_without_warcio_the_archive_is_disabled_with_one_warning(tmp_path: Path) -> None:
    hidden = tmp_path / "hide" / "warcio"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('warcio hidden by the test')\n")
    uri, folder = f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "warc"
    with LocalWeb(DEMO_WEB_DIR) as web:
        result = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, args=ARGS,
                              settings={"LINKCRAWL_ARCHIVE_DIR": folder},
                              env={"PYTHONPATH": str(tmp_path / "hide")}).check()
    assert ("Disabled pipelines.archive.ArchivePipeline: LINKCRAWL_ARCHIVE_DIR is set but "
            "warcio is not installed: pip install 'linkcrawl[warc]'") in result.stderr
    assert not folder.exists()
    assert backlinks(uri), "the crawl itself must run on"
