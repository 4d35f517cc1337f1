"""``linkcrawl scan --dask ADDRESS``: the same scan as a Dask job, one task per archive.

Each task is :func:`linkcrawl.sources.warcscan.scan_file` (its checkpoint, its batches, its
store writes), so a Dask run stores exactly what a local run stores and resumes from the same
checkpoints. ``--dask local`` starts a local cluster of worker processes (what the tests
run); an address (``tcp://scheduler:8786``) uses a running cluster, whose workers must see
the archives and the checkpoints folder at the same paths (a shared file system) and reach
the store (MongoDB for several machines: SQLite is one file on one machine).

The batch-write lock of :func:`linkcrawl.sources.warcscan.store_lock` is a lock file in the
checkpoints folder: on several machines it needs a file system with working ``flock``, or
one file per target site set per machine (archives never share pages, as Common Crawl's
segments do not within a crawl).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from linkcrawl.sources.warcscan import ScanResult, jobs_for, scan_file


def scan_with_dask(paths: Sequence[str], targets: Sequence[str], store_uri: str, *,
                   checkpoint_dir: str, address: str = "local", workers: int = 2,
                   batch_pages: int = 200, min_pages: int = 3,
                   progress: Callable[[str], None] | None = None) -> ScanResult:
    """Scan ``paths`` on a Dask cluster (``address``, or ``local`` for ``workers`` local
    worker processes of one thread each)."""
    from dask.distributed import Client, LocalCluster, as_completed

    jobs = jobs_for(paths, targets, store_uri, checkpoint_dir, batch_pages, min_pages)
    started = time.perf_counter()
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = client.map(scan_file, jobs, pure=False)
        done = {}
        for future in as_completed(futures):
            counts = future.result()
            done[counts.path] = counts
            if progress is not None:
                progress(f"done {counts.path}: {counts.pages} pages")
        nworkers = len(client.scheduler_info().get("workers", {})) or workers
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    files = [done[job.path] for job in jobs]
    return ScanResult(files, time.perf_counter() - started, nworkers)
