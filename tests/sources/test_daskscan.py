"""The scan as a Dask job in local mode (a local cluster of worker processes): the same
documents as the process-pool scan of the same archives, and the same per-file counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR
from linkcrawl.sources.warcscan import scan_archives
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, linkcrawl_cli
from tests.warcs import record_web

pytest.importorskip("dask.distributed")
START = datetime(2025, 6, 1, tzinfo=UTC)


def _docs(uri: str) -> dict[str, tuple]:
    with open_store(uri) as store:
        return {d["key"]: (d["first_seen"], d["last_seen"], d["location"], d["link_type"],
                           d["warc_file"], d["warc_offset"]) for d in store.find("backlinks")}


def test_the_dask_job_stores_what_the_local_scan_stores(tmp_path: Path, ground_truth) -> None:
    urls = sorted({b["source_url"] for b in ground_truth["backlinks"]})
    paths = []
    for i, part in enumerate((urls[::2], urls[1::2])):
        path = tmp_path / f"part-{i}.warc.gz"
        record_web(DEMO_WEB_DIR, path, START + timedelta(days=i), urls=part)
        paths.append(str(path))
    local = f"sqlite:///{tmp_path / 'local.db'}"
    expected = scan_archives(paths, DEMO_TARGETS, local, checkpoint_dir=str(tmp_path / "ck1"))
    uri = f"sqlite:///{tmp_path / 'dask.db'}"
    result = linkcrawl_cli("scan", *paths, "--target", ",".join(DEMO_TARGETS), "--store", uri,
                           "--checkpoints", str(tmp_path / "ck2"), "--dask", "local",
                           "--workers", "2", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "scanned 2 archives with 2 workers" in result.stdout
    for counts in expected.files:
        assert (f"{counts.path}: {counts.records} records, {counts.pages} HTML pages analysed, "
                f"{counts.backlinks} backlinks") in result.stdout
    assert len(_docs(uri)) == len(ground_truth["backlinks"])
    assert _docs(uri) == _docs(local)
