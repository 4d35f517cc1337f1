"""linkcrawl's performance benchmark: one command, one table (see benchmarks/README.md).

    .venv/bin/python benchmarks/run.py           # 20,000 pages: ~4 min + linkcrawl's crawl
    .venv/bin/python benchmarks/run.py --quick   # 3,000 pages, smoke test (~1-2 minutes)

Steps, in order: the benchmark server alone (load client), bare Scrapy (baseline crawl),
linkcrawl's full crawl into SQLite, two peers on the same pages (a LinkExtractor spider into
SQLite, advertools' crawler in its own virtual environment), page analysis vs an lxml parse,
store write throughput. The three linkcrawl steps are HOOKS (marked below): each skips with a
message when the linkcrawl piece it needs is not there, so the harness runs on any checkout.
``--rounds N`` repeats the crawl steps N times in order (interleaved, so a change in the
machine's load hits every crawler alike); ``--workers 0,1,2`` runs the full crawl once per
worker count in each round.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]  # webgen & co; linkcrawl from the checkout

from crawlwatch import CrawlRun, machine_busy_seconds, run_crawl  # noqa: E402
from fastserver import ServerProcess, cpu_seconds, load_test  # noqa: E402
from microbench import analysis_vs_parse, dupe_entry_bytes, store_throughput  # noqa: E402
from report import print_report  # noqa: E402
from webgen import TARGET_HOSTS, Web  # noqa: E402

MB = 1024 * 1024


@dataclass
class Bench:
    """Shared state of one run; ``results`` is what gets printed and saved as JSON."""

    args: argparse.Namespace
    web: Web
    workdir: Path
    proxy_url: str = ""
    server_pid: int = 0
    seeds_file: Path = Path()
    results: dict[str, Any] = field(default_factory=dict)
    round: int = 1  # which round of the crawl steps is running (--rounds)
    workers: int = 0  # LINKCRAWL_ANALYSIS_WORKERS of the full crawl now running

    def note(self, step: str, message: str) -> None:
        print(f"[{step}] {message}", flush=True)
        self.results.setdefault("notes", []).append(f"{step}: {message}")


def crawl_summary(bench: Bench, run: CrawlRun, server_cpu: float) -> dict[str, Any]:
    """The figures every crawl reports, including memory at 1/4, 1/2 and all of the pages."""
    n = bench.args.pages
    return {
        "pages": run.pages, "elapsed_s": round(run.elapsed_s, 1), "wall_s": round(run.wall_s, 1),
        "pages_per_s": round(run.pages_per_s, 1), "steady_pages_per_s": round(run.steady_rate(), 1),
        "cpu_per_wall": round(run.cpu_s / run.wall_s, 2) if run.wall_s else 0,
        # CPU per page: what the crawl costs, less disturbed by other load than pages/s
        "cpu_ms_per_page": round(run.cpu_s / run.pages * 1000, 2) if run.pages else 0,
        # the crawl process alone (analysis workers not counted), at its last progress line
        "crawl_process_cpu_ms_per_page": round(run.own_cpu_s / run.pages * 1000, 2)
        if run.pages else 0,
        "peak_rss_mb": round(run.peak_rss / MB, 1),
        "rss_mb_at": {str(p): round(run.rss_at(p) / MB, 1) for p in (n // 4, n // 2, n)},
        "enqueued": int(run.stats.get("scheduler/enqueued", 0)),
        "tenths": run.tenths(),
        "server_cpu_share": round(server_cpu / run.wall_s, 3) if run.wall_s else 0,
        "finish_reason": run.finish_reason, "returncode": run.returncode,
        "log": str(run.log_path),
    }


def watched_crawl(bench: Bench, name: str, cmd: list[str], **kw: Any) -> dict[str, Any]:
    cpu0 = cpu_seconds(bench.server_pid)
    run = run_crawl(cmd, bench.workdir / f"{name}.log", timeout=bench.args.crawl_timeout, **kw)
    summary = crawl_summary(bench, run, cpu_seconds(bench.server_pid) - cpu0)
    if run.returncode or run.pages < bench.args.pages * 0.9:
        bench.note(name, f"crawl ended early ({run.finish_reason or 'exit'} "
                         f"{run.returncode}, {run.pages} pages): see {run.log_path}")
    return summary


def record(bench: Bench, step: str, summary: dict[str, Any]) -> None:
    """Keep a crawl's figures: every run in ``runs`` (for the peer table), the first of each
    step also under its name (the main table)."""
    summary = {"step": step, "round": bench.round, **summary}
    if step == "full":
        summary["workers"] = bench.workers
    bench.results.setdefault(step, summary)
    bench.results.setdefault("runs", []).append(summary)


def _own_cpu() -> float:
    """CPU of this process and of its reaped children (the crawls), not the live server."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_step(bench: Bench, name: str, label: str) -> None:
    """Run one step and record the cores other processes on the machine used meanwhile:
    on a shared 2-core machine they, not linkcrawl, can decide the figures."""
    busy0, own0, srv0 = machine_busy_seconds(), _own_cpu(), cpu_seconds(bench.server_pid)
    start = time.perf_counter()
    STEPS[name](bench)
    wall = time.perf_counter() - start
    other = (machine_busy_seconds() - busy0) - (_own_cpu() - own0) - (
        cpu_seconds(bench.server_pid) - srv0)
    bench.results.setdefault("other_cores", {})[label] = round(max(0.0, other) / wall, 2)
    bench.results.setdefault("step_s", {})[label] = round(wall, 1)
    runs = bench.results.get("runs") or [{}]
    if runs[-1].get("label") is None and runs[-1].get("step") == name:
        runs[-1]["label"], runs[-1]["other_cores"] = label, round(max(0.0, other) / wall, 2)


# --- steps ----------------------------------------------------------------------------------
def step_server(bench: Bench) -> None:
    urls = bench.web.urls()
    random.Random(bench.args.seed).shuffle(urls)
    cpu0 = cpu_seconds(bench.server_pid)
    res = load_test(bench.proxy_url, urls, seconds=bench.args.server_seconds)
    cpu = cpu_seconds(bench.server_pid) - cpu0
    bench.results["server"] = {
        "pages_per_s": round(res.pages_per_s), "mb_per_s": round(res.mb_per_s, 1),
        "pages": res.pages, "seconds": round(res.seconds, 1),
        "cpu_ms_per_page": round(cpu / max(res.pages, 1) * 1000, 2),
    }
    print(f"[server] {res.pages_per_s:,.0f} pages/s, {res.mb_per_s:.1f} MB/s", flush=True)


def step_bare(bench: Bench) -> None:
    a = bench.args
    stats = bench.workdir / "bare-stats.json"
    cmd = [sys.executable, str(HERE / "bare_spider.py"), "--seeds", str(bench.seeds_file),
           "--proxy", bench.proxy_url, "--pages", str(a.pages), "--concurrency",
           str(a.concurrency), "--per-domain", str(a.per_domain), "--dedupe", a.bare_dedupe,
           "--stats-out", str(stats)]
    print(f"[bare] crawling {a.pages:,} pages with bare Scrapy ...", flush=True)
    summary = watched_crawl(bench, f"bare-r{bench.round}", cmd, stats_json=stats)
    record(bench, "bare", summary)
    print(f"[bare] {summary['pages_per_s']} pages/s", flush=True)


# ============================================================================================
# HOOK 1 (lead): linkcrawl's full crawl into SQLite -- `scrapy crawl sites` in a subprocess.
# ============================================================================================
def step_full(bench: Bench) -> None:
    try:
        from linkcrawl.store import open_store
    except ImportError as exc:
        bench.note("full", f"skipped: linkcrawl.store not importable ({exc})")
        return
    if not (REPO / "spiders" / "sites.py").exists():
        bench.note("full", "skipped: no spiders/sites.py yet")
        return
    a = bench.args
    db = bench.workdir / f"crawl-w{bench.workers}-r{bench.round}.db"
    uri = f"sqlite:///{db}"  # db is absolute, so this is sqlite:////abs/path
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites",
           "-a", f"seeds_file={bench.seeds_file}", "-a", f"targets={','.join(TARGET_HOSTS)}"]
    for name, value in {
        "LINKCRAWL_HTTP_PROXY": bench.proxy_url,
        "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": "True",
        "LINKCRAWL_STORE_URI": uri,
        "LINKCRAWL_MAX_DEPTH": "1000",  # the bare crawl has no depth limit either
        "LINKCRAWL_MAX_PAGES_PER_SITE": "1000000",
        "LINKCRAWL_ANALYSIS_WORKERS": str(bench.workers),
        # bloom (the default) or exact; the dupe-filter allowance in the report follows it
        "LINKCRAWL_SEEN_SETS": os.environ.get("LINKCRAWL_SEEN_SETS", "bloom"),
        "AUTOTHROTTLE_ENABLED": "False",  # measure the pipeline, not politeness delays
        "CONCURRENT_REQUESTS": str(a.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(a.per_domain),
        "CLOSESPIDER_PAGECOUNT": str(a.pages),
        "LOGSTATS_INTERVAL": "1",
        "LOG_LEVEL": "INFO",
    }.items():
        cmd += ["-s", f"{name}={value}"]
    profile = bench.workdir / "full.prof"
    if a.profile:  # slows the crawl down: its figures are for the profile, not the ratios
        cmd[1:3] = ["-m", "cProfile", "-o", str(profile), "-m", "scrapy"]
    env = dict(os.environ, LINKCRAWL_STORE_URI=uri)
    print(f"[full] crawling {a.pages:,} pages with linkcrawl (sites spider, {bench.workers} "
          "analysis workers) ...", flush=True)
    summary = watched_crawl(bench, f"full-w{bench.workers}-r{bench.round}", cmd, cwd=REPO,
                            env=env)
    try:
        with open_store(uri) as store:
            summary["backlinks"] = store.count("backlinks")
            summary["stored_pages"] = store.count("pages")
    except Exception as exc:  # report, don't die: the other figures are still worth printing
        bench.note("full", f"could not read the store: {exc}")
    if summary.get("backlinks") and summary["elapsed_s"]:
        summary["backlinks_per_s"] = round(summary["backlinks"] / summary["elapsed_s"], 1)
    record(bench, "full", summary)
    print(f"[full] {summary['pages_per_s']} pages/s", flush=True)
    if a.profile and profile.exists():
        print_profile(profile)


def print_profile(path: Path, top: int = 30) -> None:
    """The full crawl's hottest functions: own time, then time including callees."""
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# --- peers: what a user would pick instead, on the same pages -------------------------------
def step_linkextractor(bench: Bench) -> None:
    """A hand-written Scrapy spider: LinkExtractor, every link an item, SQLite."""
    a = bench.args
    stats = bench.workdir / f"linkextractor-r{bench.round}-stats.json"
    db = bench.workdir / f"linkextractor-r{bench.round}.db"
    db.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "linkextractor_spider.py"), "--seeds",
           str(bench.seeds_file), "--proxy", bench.proxy_url, "--pages", str(a.pages),
           "--concurrency", str(a.concurrency), "--per-domain", str(a.per_domain),
           "--db", str(db), "--stats-out", str(stats)]
    print(f"[linkextractor] crawling {a.pages:,} pages with a LinkExtractor spider into "
          "SQLite ...", flush=True)
    summary = watched_crawl(bench, f"linkextractor-r{bench.round}", cmd, stats_json=stats)
    if stats.exists():
        summary["links_stored"] = json.loads(stats.read_text()).get("links_stored", 0)
    record(bench, "linkextractor", summary)
    print(f"[linkextractor] {summary['pages_per_s']} pages/s", flush=True)


ADVERTOOLS_VENV = REPO / "var" / "advertools-venv"


def advertools_python(bench: Bench) -> str:
    """The interpreter of advertools' own virtual environment, made on first use (its pins
    need not match ours); "" when it cannot be installed."""
    if bench.args.advertools_python:
        return bench.args.advertools_python
    python = ADVERTOOLS_VENV / "bin" / "python"
    check = [str(python), "-c", "import advertools; print(advertools.__version__)"]
    if python.exists():
        done = subprocess.run(check, capture_output=True, text=True)
        if done.returncode == 0:
            bench.results["advertools_version"] = done.stdout.strip()
            return str(python)
    log = bench.workdir / "advertools-install.log"
    print(f"[advertools] installing advertools into {ADVERTOOLS_VENV} (once; log {log}) ...",
          flush=True)
    with log.open("w") as out:
        ok = subprocess.run([sys.executable, "-m", "venv", str(ADVERTOOLS_VENV)],
                            stdout=out, stderr=out).returncode == 0 and subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "advertools"],
            stdout=out, stderr=out).returncode == 0
    done = subprocess.run(check, capture_output=True, text=True) if ok else None
    if done is None or done.returncode:
        bench.note("advertools", f"skipped: advertools could not be installed (see {log})")
        return ""
    bench.results["advertools_version"] = done.stdout.strip()
    return str(python)


def step_advertools(bench: Bench) -> None:
    """advertools.crawl (Scrapy-based SEO crawler) in its own virtual environment."""
    python = advertools_python(bench)
    if not python:
        return
    a = bench.args
    out = bench.workdir / f"advertools-r{bench.round}.jl"
    out.unlink(missing_ok=True)  # advertools appends to an existing file
    cmd = [python, str(HERE / "advertools_crawl.py"), "--seeds", str(bench.seeds_file),
           "--proxy", bench.proxy_url, "--pages", str(a.pages), "--concurrency",
           str(a.concurrency), "--per-domain", str(a.per_domain), "--out", str(out)]
    print(f"[advertools] crawling {a.pages:,} pages with advertools "
          f"{bench.results.get('advertools_version', '')} ...", flush=True)
    summary = watched_crawl(bench, f"advertools-r{bench.round}", cmd, cwd=bench.workdir)
    if out.exists():
        with out.open("rb") as lines:
            summary["pages_written"] = sum(1 for _ in lines)
    record(bench, "advertools", summary)
    print(f"[advertools] {summary['pages_per_s']} pages/s", flush=True)


# ============================================================================================
# HOOK 2 (lead): page analysis per page vs the lxml parse floor.
# ============================================================================================
def step_analysis(bench: Bench) -> None:
    bench.results["analysis"] = analysis_vs_parse(bench.web, bench.args.sample, bench.args.seed,
                                                  bench.note)


# ============================================================================================
# HOOK 3 (lead): store write throughput (SQLite; MongoDB when a server is configured).
# ============================================================================================
def step_store(bench: Bench) -> None:
    n = bench.args.store_links
    out: dict[str, Any] = {}
    sqlite = store_throughput(f"sqlite:///{bench.workdir / 'store-bench.db'}", n, bench.note)
    if sqlite:
        out["sqlite"] = sqlite
    mongo_uri = os.environ.get("LINKCRAWL_BENCH_MONGODB_URI", "")
    if mongo_uri:
        mongo = store_throughput(mongo_uri, n, bench.note)
        if mongo:
            out["mongodb"] = mongo
    else:
        bench.note("store", "MongoDB skipped: set LINKCRAWL_BENCH_MONGODB_URI=mongodb://.../db")
    bench.results["store"] = out


STEPS = {"server": step_server, "bare": step_bare, "full": step_full,
         "linkextractor": step_linkextractor, "advertools": step_advertools,
         "analysis": step_analysis, "store": step_store}
CRAWL_STEPS = ("bare", "full", "linkextractor", "advertools")  # repeated by --rounds
PEER_STEPS = ("linkextractor", "advertools")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="linkcrawl performance benchmark")
    ap.add_argument("--pages", type=int, default=20_000, help="pages per crawl (web size)")
    ap.add_argument("--quick", action="store_true", help="3,000 pages, shorter micro-benchmarks")
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated web")
    ap.add_argument("--steps", default=",".join(STEPS), help="comma list of: " + ", ".join(STEPS))
    ap.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    ap.add_argument("--per-domain", type=int, default=8, help="CONCURRENT_REQUESTS_PER_DOMAIN")
    ap.add_argument("--bare-dedupe", choices=("spider", "scheduler"), default="spider",
                    help="baseline variant, see bare_spider.py")
    ap.add_argument("--sample", type=int, default=400, help="pages in the analysis benchmark")
    ap.add_argument("--store-links", type=int, default=100_000, help="links written per store")
    ap.add_argument("--server-seconds", type=float, default=5.0, help="server load-test length")
    ap.add_argument("--crawl-timeout", type=float, default=1200.0, help="kill a crawl after")
    ap.add_argument("--workers", default="0,1",
                    help="LINKCRAWL_ANALYSIS_WORKERS of the full crawl (0: analysis in-process);"
                         " a comma list (0,1,2) runs it once per value in each round")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the crawl steps this many times, interleaved")
    ap.add_argument("--advertools-python", default="",
                    help="interpreter with advertools installed (default: make "
                         "var/advertools-venv)")
    ap.add_argument("--profile", action="store_true",
                    help="run the full crawl under cProfile; print its hottest functions")
    ap.add_argument("--workdir", type=Path, help="logs, databases, results.json (default: tmp)")
    args = ap.parse_args(argv)
    unknown = {s.strip() for s in args.steps.split(",")} - set(STEPS)
    if unknown:
        ap.error(f"unknown step(s) {', '.join(sorted(unknown))}; use {', '.join(STEPS)}")
    try:
        args.workers = [int(w) for w in str(args.workers).split(",")]
    except ValueError:
        ap.error("--workers takes a number or a comma list of numbers")
    if args.quick:
        args.pages = min(args.pages, 3_000)
        args.sample, args.store_links, args.server_seconds = 150, 20_000, 2.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="linkcrawl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    web = Web(args.pages, args.seed)
    bench = Bench(args, web, workdir)
    bench.seeds_file = workdir / "seeds.txt"
    bench.seeds_file.write_text(
        "\n".join(u for u in web.homes() if u.split("/")[2] not in TARGET_HOSTS) + "\n")
    bench.results["web"] = {"pages": args.pages, "sites": len(web.hosts), "seed": args.seed,
                            "cpus": os.cpu_count(), "dupe_entry_bytes": dupe_entry_bytes(web)}
    print(f"linkcrawl benchmark: {args.pages:,} pages on {len(web.hosts)} sites; "
          f"work folder {workdir}", flush=True)
    with ServerProcess(args.pages, args.seed) as server:
        bench.proxy_url, bench.server_pid = server.proxy_url, server.pid
        steps = [name.strip() for name in args.steps.split(",")]
        for rnd in range(1, args.rounds + 1):
            bench.round = rnd
            for name in steps:
                if rnd > 1 and name not in CRAWL_STEPS:
                    continue
                for workers in (args.workers if name == "full" else [args.workers[0]]):
                    bench.workers = workers
                    label = name + (f" w{workers}" if name == "full" else "") + (
                        f" r{rnd}" if args.rounds > 1 else "")
                    run_step(bench, name, label)
                    bench.results["total_s"] = round(time.perf_counter() - started, 1)
                    save(bench)  # after every step: a long or failed run leaves its figures
    print_report(bench.results, asdict_args(args))
    print(f"results: {workdir / 'results.json'}")
    return 0


def save(bench: Bench) -> None:
    (bench.workdir / "results.json").write_text(json.dumps(bench.results, indent=1, default=str))


def asdict_args(args: argparse.Namespace) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}


if __name__ == "__main__":
    sys.exit(main())
