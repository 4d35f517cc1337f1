"""Run a Scrapy crawl in a child process and watch it: pages over time, RSS, peak RSS, CPU.

Works for any Scrapy command without touching the crawler: progress comes from Scrapy's own
LogStats lines ("Crawled N pages", run with ``LOGSTATS_INTERVAL=1``), RSS from /proc at each
such line, peak RSS and CPU time from the kernel's rusage of the child (``os.wait4``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CRAWLED = re.compile(r"Crawled (\d+) pages")
_CLOSING = "Closing spider ("  # the engine's INFO line when the crawl starts to stop
_STAT_INT = re.compile(r"'(response_received_count|item_scraped_count|scheduler/enqueued)': (\d+)")
_STAT_FLOAT = re.compile(r"'elapsed_time_seconds': ([\d.]+)")
_REASON = re.compile(r"'finish_reason': '([^']+)'")


def rss_bytes(pid: int) -> int:
    """Current resident set size of a live process and all its descendants (analysis
    workers), summed: pages they share are counted once per process, an upper bound
    (0 once it is gone)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total = int(line.split()[1]) * 1024
                break
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(rss_bytes(int(child)) for child in children)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one live process, its threads included (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process and its live descendants, plus what its reaped
    children used (cutime, cstime): the crawl's CPU so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return own + sum(tree_cpu_seconds(int(child)) for child in children)


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class CrawlRun:
    """What one crawl did. ``samples`` are (seconds since start, pages crawled, RSS bytes,
    CPU seconds of the crawl's process tree)."""

    cmd: list[str]
    log_path: Path
    returncode: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss: int = 0
    pages: int = 0
    elapsed_s: float = 0.0  # Scrapy's own elapsed_time_seconds (engine start to close)
    finish_reason: str = ""
    own_cpu_s: float = 0.0  # the crawl process alone (no workers), at its last progress line
    samples: list[tuple[float, int, int, float]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s else 0.0

    def steady_rate(self, lo: float = 0.1, hi: float = 0.9) -> float:
        """Pages/s between lo and hi of the final page count (no start-up, no tail)."""
        pts = [(t, p) for t, p, *_ in self.samples if lo * self.pages <= p <= hi * self.pages]
        if len(pts) < 2 or pts[-1][0] == pts[0][0]:
            return 0.0
        return (pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0])

    def rss_at(self, pages: int) -> int:
        """RSS at the first progress line reporting at least ``pages`` pages (0 if never)."""
        for _, p, rss, _cpu in self.samples:
            if p >= pages and rss:
                return rss
        return 0

    def tenths(self) -> list[dict[str, float]]:
        """Per tenth of the final page count: pages/s, crawler CPU ms a page (less disturbed
        by other load than pages/s) and RSS at the tenth's end: is the crawl steady and flat?"""
        out: list[dict[str, float]] = []
        if not self.pages or len(self.samples) < 3:
            return out
        points = [s for s in self.samples if s[1] >= 0 and s[2]]
        if not points:
            return out
        prev = points[0]  # the engine's first progress line: start-up CPU not counted
        for i in range(1, 11):
            goal = self.pages * i / 10
            end = next((s for s in points if s[1] >= goal), points[-1] if points else None)
            if end is None or end[1] <= prev[1] or end[0] <= prev[0]:
                continue
            pages = end[1] - prev[1]
            out.append({"tenth": i, "pages": end[1],
                        "pages_per_s": round(pages / (end[0] - prev[0]), 1),
                        "cpu_ms_per_page": round((end[3] - prev[3]) / pages * 1000, 2),
                        "rss_mb": round(end[2] / (1024 * 1024), 1)})
            prev = end
        return out


def run_crawl(cmd: list[str], log_path: Path, *, cwd: Path | None = None,
              env: dict[str, str] | None = None, stats_json: Path | None = None,
              timeout: float = 900.0) -> CrawlRun:
    """Run ``cmd`` (a Scrapy crawl logging at INFO) to completion and measure it.

    The crawl's stderr goes to ``log_path``. Final stats come from ``stats_json`` when the
    crawl writes one, else from the "Dumping Scrapy stats" block of the log.
    """
    run = CrawlRun(cmd, log_path)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)

    def follow_log() -> None:
        assert proc.stderr is not None
        with log_path.open("w", buffering=1) as log:  # line-buffered: tail -f works
            for line in proc.stderr:
                log.write(line)
                m = _CRAWLED.search(line)
                if m or _CLOSING in line:  # -1: the final count, known once stats are read
                    run.own_cpu_s = process_cpu_seconds(proc.pid) or run.own_cpu_s
                    run.samples.append((time.perf_counter() - start,
                                        int(m.group(1)) if m else -1, rss_bytes(proc.pid),
                                        tree_cpu_seconds(proc.pid)))

    reader = threading.Thread(target=follow_log, daemon=True)
    reader.start()
    timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = run.returncode = os.waitstatus_to_exitcode(status)
    run.wall_s = time.perf_counter() - start
    run.cpu_s = usage.ru_utime + usage.ru_stime
    # the kernel's peak is per process (kilobytes on Linux); with worker processes the
    # sampled sum over the process tree is the larger figure
    run.peak_rss = max([usage.ru_maxrss * 1024, *(rss for _, _, rss, _ in run.samples)])
    reader.join(timeout=10)
    _read_stats(run, stats_json)
    run.samples = [(t, run.pages if p < 0 else p, rss, cpu) for t, p, rss, cpu in run.samples]
    return run


def _read_stats(run: CrawlRun, stats_json: Path | None) -> None:
    if stats_json is not None and stats_json.exists():
        run.stats = json.loads(stats_json.read_text())
        run.pages = int(run.stats.get("response_received_count", 0))
        run.elapsed_s = float(run.stats.get("elapsed_time_seconds", 0.0))
        run.finish_reason = str(run.stats.get("finish_reason", ""))
        return
    text = run.log_path.read_text(errors="replace") if run.log_path.exists() else ""
    dump = text[text.rfind("Dumping Scrapy stats"):] if "Dumping Scrapy stats" in text else ""
    run.stats = {k: int(v) for k, v in _STAT_INT.findall(dump)}
    run.pages = run.stats.get("response_received_count", 0)
    m = _STAT_FLOAT.search(dump)
    run.elapsed_s = float(m.group(1)) if m else run.wall_s
    m = _REASON.search(dump)
    run.finish_reason = m.group(1) if m else ""
