"""The analyst commands on a bench-web store: rows out and seconds, plus content checks.

    .venv/bin/python benchmarks/commands_bench.py              # 3,000 pages (~5 minutes)
    .venv/bin/python benchmarks/commands_bench.py --pages 1000

Crawls the generated web (webgen.py, with ``--competitors`` extra target sites and
``--broken`` broken pages per target site) into a fresh SQLite store with ``scrapy crawl
sites``, then runs each command as an analyst would (a child process, as from a shell) and
prints its rows, seconds and seconds as a share of the crawl's. The content is checked
against SQL counts of the same store: PASS/FAIL lines. Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from crawlwatch import machine_busy_seconds, run_crawl  # noqa: E402
from fastserver import ServerProcess, cpu_seconds  # noqa: E402
from webgen import Web  # noqa: E402

TARGET = "acme-widgets.test"
BROKEN_STATES = ("broken", "redirect_home", "redirect_offsite")
# the HTML report's sections (docs/reports.md, "Tables"), with --competitor given
HTML_SECTIONS = ("Charts", "Referring domains", "Best backlinks", "New backlinks",
                 "Competitor gap", "Top linked pages", "Anchor texts", "Lost backlinks",
                 "Restored backlinks", "Broken backlinks to reclaim",
                 "Referring network diversity", "Unlinked mentions", "Sitewide placements",
                 "Changes in the last", "Recent changes")
# per --csv file, column names docs/reports.md promises (the big tools' names)
CSV_COLUMNS = {
    "backlinks.csv": ("Referring page URL", "Anchor", "Nofollow", "First seen", "Lost reason"),
    "lost.csv": ("Referring page URL", "Anchor", "Lost reason"),
    "referring_domains.csv": ("Domain", "Domain authority", "Live links"),
    "top_pages.csv": ("Target URL",),
    "anchors.csv": ("Anchor",),
}


class Bench:
    """One run: the store, what each command took, the checks."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir = args, workdir
        self.db = workdir / "crawl.db"
        self.uri = f"sqlite:///{self.db}"
        self.rows: list[tuple[str, int | str, float, float]] = []  # label, rows, s, CPU s
        self.checks: list[tuple[bool, str]] = []
        self.crawl_s = 0.0
        self.env = dict(os.environ, LINKCRAWL_STORE_URI=self.uri)

    def sql(self, query: str, *params: Any) -> int:
        with sqlite3.connect(self.db) as db:
            return int(db.execute(query, params).fetchone()[0])

    def cli(self, label: str, *argv: str, rows: Callable[[str], int | str] | None = None,
            env: dict[str, str] | None = None) -> str:
        """Run ``linkcrawl ARGV``, time it, record its rows (from stdout, or a count)."""
        cmd = [sys.executable, "-m", "linkcrawl.cli.main", *argv, "--store", self.uri]
        cpu0, start = children_cpu(), time.perf_counter()
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                              env=env or self.env, timeout=self.args.timeout)
        seconds, cpu = time.perf_counter() - start, children_cpu() - cpu0
        if done.returncode:
            self.check(False, f"{label}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
            self.rows.append((label, "error", seconds, cpu))
            return ""
        try:
            count = rows(done.stdout) if rows else "-"
        except ValueError as exc:  # the JSON did not parse
            self.check(False, f"{label}: output does not parse: {exc}")
            return ""
        if "--format" in argv and "json" in argv:
            self.check(True, f"{label}: one JSON document")
        elif "--format" not in argv and rows is lines:  # a terminal table
            widest = max((len(x) for x in done.stdout.splitlines()), default=0)
            self.check(widest <= 100, f"{label}: at most 100 columns (widest line {widest})")
        self.rows.append((label, count, seconds, cpu))
        print(f"[{label}] {seconds:.1f} s", flush=True)
        return done.stdout

    def check(self, ok: bool, what: str) -> None:
        self.checks.append((ok, what))
        print(f"{'PASS' if ok else 'FAIL'} {what}", flush=True)

    def equal(self, what: str, got: object, want: object) -> None:
        self.check(got == want, f"{what}: {got} (SQL: {want})")


def children_cpu() -> float:
    """CPU seconds of the reaped child processes (each command runs in one)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def json_rows(key: str = "rows") -> Callable[[str], int]:
    return lambda out: len(json.loads(out)[key])


def lines(out: str) -> int:
    return len(out.splitlines())


# --- the crawl ------------------------------------------------------------------------------
def crawl(bench: Bench, web: Web, proxy: str) -> None:
    a = bench.args
    seeds = bench.workdir / "seeds.txt"
    seeds.write_text("\n".join(u for u in web.homes() if u.split("/")[2] not in web.targets)
                     + "\n")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sites", "-a", f"seeds_file={seeds}",
           "-a", f"targets={','.join(web.targets)}"]
    for name, value in {
        "LINKCRAWL_HTTP_PROXY": proxy, "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": "True",
        "LINKCRAWL_STORE_URI": bench.uri, "LINKCRAWL_MAX_DEPTH": "1000",
        "LINKCRAWL_MAX_PAGES_PER_SITE": "1000000", "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": "32", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "CLOSESPIDER_PAGECOUNT": str(a.pages), "LOGSTATS_INTERVAL": "1", "LOG_LEVEL": "INFO",
    }.items():
        cmd += ["-s", f"{name}={value}"]
    print(f"[crawl] {a.pages:,} pages, targets {', '.join(web.targets)} ...", flush=True)
    run = run_crawl(cmd, bench.workdir / "crawl.log", cwd=REPO, env=bench.env,
                    timeout=a.timeout)
    bench.crawl_s = run.wall_s
    backlinks = bench.sql("SELECT count(*) FROM backlinks")
    bench.rows.append(("scrapy crawl sites (pages; backlinks stored)",
                       f"{run.pages}; {backlinks}", run.wall_s, run.cpu_s))
    bench.check(run.returncode == 0 and backlinks > 0,
                f"crawl: exit {run.returncode}, {run.pages} pages, {backlinks} backlinks "
                f"(log {run.log_path})")


# --- the commands ---------------------------------------------------------------------------
def commands(bench: Bench, web: Web, proxy: str) -> None:
    competitors = [t for t in web.targets if t != TARGET]
    comp_args = [x for c in competitors for x in ("--competitor", c)]
    t = ("--target", TARGET)
    bench.cli("authority", "authority", "--format", "json", rows=json_rows())
    bench.cli("authority (table; lines)", "authority", rows=lines)
    broken_env = dict(bench.env, LINKCRAWL_HTTP_PROXY=proxy)
    out = bench.cli("broken (scrapy crawl targets)", "broken", "--target", ",".join(web.targets),
                    "--format", "json", env=broken_env,
                    rows=lambda o: sum(len(x["rows"]) for x in json.loads(o)["targets"]))
    if out:
        check_broken(bench, json.loads(out), web)
    bench.cli("report (terminal table; lines)", "report", *t, rows=lines)
    out = bench.cli("report --format json (backlinks)", "report", *t, "--format", "json",
                    rows=json_rows("backlinks"))
    if out:
        check_report_json(bench, out)
    csv_dir = bench.workdir / "csv"
    bench.cli("report --csv DIR (rows, all files)", "report", *t, "--csv", str(csv_dir),
              rows=lambda _: sum(lines(p.read_text("utf-8-sig")) - 1
                                 for p in csv_dir.glob("*.csv")))
    check_csv(bench, csv_dir)
    html_dir = bench.workdir / "html"
    html_dir.mkdir()
    html = html_dir / "report.html"
    bench.cli("report --html FILE (table rows)", "report", *t,
              "--competitor", ",".join(competitors), "--html", str(html),
              rows=lambda _: html.read_text("utf-8").count("<tr>"))
    check_html(bench, html)
    out = bench.cli("gap", "gap", *t, *comp_args, "--format", "json", rows=json_rows())
    if out:
        check_gap(bench, json.loads(out), competitors)
    bench.cli("gap (table; lines)", "gap", *t, *comp_args, rows=lines)
    bench.cli("gap --reverse", "gap", *t, *comp_args, "--reverse", "--format", "json",
              rows=json_rows())
    disavow = bench.workdir / "disavow.txt"
    out = bench.cli("disavow", "disavow", *t, "--out", str(disavow), "--format", "json",
                    rows=json_rows())
    if out:
        doc = json.loads(out)
        written = [ln for ln in disavow.read_text("utf-8").splitlines()
                   if ln and not ln.startswith("#")]
        bench.equal("disavow: lines in the file = JSON rows", len(written), len(doc["rows"]))
    queries(bench, competitors[0])
    serve(bench)


def queries(bench: Bench, competitor: str) -> None:
    done = subprocess.run([sys.executable, "-m", "linkcrawl.cli.main", "queries",
                           "--target", TARGET, "--competitor", competitor, "--format", "json"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    try:
        listed = json.loads(done.stdout)["rows"]
    except (ValueError, KeyError):
        bench.check(False, f"queries --format json parses: {done.stderr[-300:]}")
        return
    bench.check(True, f"queries --format json parses ({len(listed)} queries)")
    with sqlite3.connect(f"file:{bench.db}?mode=ro", uri=True) as db:
        for q in listed:
            start = time.perf_counter()
            try:
                got: int | str = len(db.execute(q["query"]).fetchall())
            except sqlite3.Error as exc:
                got = "error"
                bench.check(False, f"query {q['name']}: {exc}")
            seconds = time.perf_counter() - start
            bench.rows.append((f"queries: {q['name']} (sqlite3)", got, seconds, seconds))


def serve(bench: Bench) -> None:
    """``linkcrawl serve`` from start to its first answer (Datasette's page of the store)."""
    port = free_port()
    cmd = [sys.executable, "-m", "linkcrawl.cli.main", "serve", "--store", bench.uri,
           "--port", str(port)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=bench.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    status, seconds = 0, 0.0
    try:
        deadline = start + 60
        while time.perf_counter() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.05)  # polling a server that is starting; nothing to block on
        seconds = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(10)
    bench.rows.append(("serve: start to first answer", status or "none", seconds, 0.0))
    bench.check(status == 200, f"serve answered {status or 'nothing'} in {seconds:.1f} s")


def own_cpu() -> float:
    """CPU of this process and of its reaped children (crawl, commands), not the server."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime + children_cpu()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the checks -----------------------------------------------------------------------------
def check_report_json(bench: Bench, out: str) -> None:
    doc = json.loads(out)
    bench.check(True, "report --format json parses")
    bench.equal("report JSON backlinks", len(doc["backlinks"]),
                bench.sql("SELECT count(*) FROM backlinks WHERE target_domain = ?", TARGET))
    bench.equal("report JSON referring_domains", len(doc["referring_domains"]),
                bench.sql("SELECT count(DISTINCT source_domain) FROM backlinks "
                          "WHERE target_domain = ?", TARGET))


def check_csv(bench: Bench, folder: Path) -> None:
    def read(name: str) -> tuple[list[str], list[list[str]]]:
        with (folder / name).open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        return rows[0], rows[1:]

    live = "target_domain = ? AND status = 'live'"
    want = {
        "backlinks.csv": ("backlinks", "SELECT count(*) FROM backlinks WHERE target_domain = ?"),
        "lost.csv": ("lost", "SELECT count(*) FROM backlinks WHERE target_domain = ? "
                             "AND status = 'lost'"),
        "referring_domains.csv": ("domains", "SELECT count(DISTINCT source_domain) FROM "
                                             "backlinks WHERE target_domain = ?"),
        "top_pages.csv": ("live target URLs", f"SELECT count(DISTINCT target_url) FROM "
                                              f"backlinks WHERE {live}"),
        "broken.csv": ("live links to broken pages", f"SELECT count(*) FROM backlinks WHERE "
                       f"{live} AND target_state IN {BROKEN_STATES}"),
    }
    for name, (what, query) in want.items():
        if not (folder / name).exists():
            bench.check(False, f"{name} written")
            continue
        header, rows = read(name)
        missing = [c for c in CSV_COLUMNS.get(name, ()) if c not in header]
        bench.check(not missing and len(set(header)) == len(header),
                    f"{name}: header has the documented columns"
                    + (f" (missing {missing})" if missing else ""))
        bench.equal(f"{name}: rows = {what}", len(rows), bench.sql(query, TARGET))
    if (folder / "anchors.csv").exists():
        header, rows = read("anchors.csv")
        bench.check("Anchor" in header, "anchors.csv: header has the documented columns")
        bench.equal("anchors.csv: rows = live anchor texts", len(rows), bench.sql(
            f"SELECT count(DISTINCT anchor_text) FROM backlinks WHERE {live}", TARGET))


def check_html(bench: Bench, page: Path) -> None:
    if not page.exists():
        bench.check(False, "report --html wrote the file")
        return
    text = page.read_text("utf-8")
    others = [p.name for p in page.parent.iterdir() if p != page]
    external = re.findall(r'<(?:script|link|img|iframe)\b[^>]*>', text)
    bench.check(not others and not external and "Content-Security-Policy" in text,
                f"HTML report is one offline file ({len(text) // 1024} KB, no script, "
                f"stylesheet or image tags, CSP; other files {others})")
    heads = re.findall(r"<h2[^>]*>([^<]*)", text)
    missing = [s for s in HTML_SECTIONS if not any(h.startswith(s) for h in heads)]
    bench.check(not missing, f"HTML report has every section ({len(heads)} headings)"
                + (f"; missing {missing}" if missing else ""))
    m = re.search(r"(\d+) live backlinks point to", text)
    want = bench.sql("SELECT count(*) FROM backlinks WHERE target_domain = ? AND "
                     f"status = 'live' AND target_state IN {BROKEN_STATES}", TARGET)
    got = int(m.group(1)) if m else (0 if "No broken backlinks." in text else None)
    bench.equal("HTML broken section: links", got, want)


def check_broken(bench: Bench, doc: dict[str, Any], web: Web) -> None:
    checked = sum(doc["checked"].values())
    bench.equal("broken: target URLs checked", checked,
                bench.sql("SELECT count(DISTINCT target_url) FROM backlinks "
                          "WHERE status = 'live'"))
    got = sum(len(t["rows"]) for t in doc["targets"])
    bench.equal("broken: rows", got, bench.sql(
        "SELECT count(*) FROM backlinks WHERE status = 'live' AND target_state IN "
        f"{BROKEN_STATES}"))
    bench.check(got > 0 or not web.broken, f"broken: {got} links to broken pages found")


def check_gap(bench: Bench, doc: dict[str, Any], competitors: list[str]) -> None:
    marks = ",".join("?" * len(competitors))
    want = bench.sql(
        f"SELECT count(DISTINCT source_domain) FROM backlinks WHERE status = 'live' AND "
        f"target_domain IN ({marks}) AND source_domain NOT IN (SELECT source_domain FROM "
        "backlinks WHERE target_domain = ? AND status = 'live')", *competitors, TARGET)
    bench.equal("gap: referring domains", len(doc["rows"]), want)


# --- report ---------------------------------------------------------------------------------
def print_table(bench: Bench) -> str:
    out = ["| command | rows | seconds | CPU s | × crawl |", "|---|---:|---:|---:|---:|"]
    for label, rows, seconds, cpu in bench.rows:
        ratio = seconds / bench.crawl_s if bench.crawl_s else 0
        cpu_cell = f"{cpu:.2f}" if cpu else "-"
        out.append(f"| {label} | {rows} | {seconds:.2f} | {cpu_cell} | {ratio:.3f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--competitors", type=int, default=4, help="target sites besides the two")
    ap.add_argument("--broken", type=int, default=3, help="broken pages per target site")
    ap.add_argument("--timeout", type=float, default=1200.0, help="per command and crawl")
    ap.add_argument("--workdir", type=Path, help="default: a new /tmp folder")
    args = ap.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="linkcrawl-commands-"))
    workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, workdir)
    if bench.db.exists():
        ap.error(f"{bench.db} exists: the bench needs a fresh store")
    web = Web(args.pages, args.seed, competitors=args.competitors, broken=args.broken)
    print(f"commands bench: {args.pages:,} pages on {len(web.hosts)} sites; work folder "
          f"{workdir}", flush=True)
    with ServerProcess(args.pages, args.seed, args.competitors, args.broken) as server:
        loads = []
        for step in (crawl, commands):
            busy0, own0, srv0 = machine_busy_seconds(), own_cpu(), cpu_seconds(server.pid)
            start = time.perf_counter()
            step(bench, web, server.proxy_url)
            other = (machine_busy_seconds() - busy0 - (own_cpu() - own0)
                     - (cpu_seconds(server.pid) - srv0))
            loads.append(max(0.0, other) / (time.perf_counter() - start))
    table = print_table(bench)
    print("\n" + table)
    print(f"\n{os.cpu_count()} cores; other processes used {loads[0]:.2f} core(s) during the "
          f"crawl and {loads[1]:.2f} during the commands")
    failed = sum(not ok for ok, _ in bench.checks)
    print(f"\n{len(bench.checks) - failed} checks passed, {failed} failed; "
          f"work folder {workdir}")
    (workdir / "table.md").write_text(table + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
