"""The final table of benchmark figures, ratios and goals (from run.py's results dict)."""

from __future__ import annotations

from typing import Any

# Goals from the performance issue.
GOAL_FULL_VS_BARE = 0.8  # full pipeline >= 0.8x bare Scrapy
GOAL_ANALYSIS_VS_PARSE = 2.0  # analysis <= 2x an lxml parse per page
GOAL_STORE_LINKS_PER_S = 20_000  # SQLite backlink upserts
GOAL_SERVER_X_CRAWL = 3.0  # "several times the crawl rate"
GOAL_TOTAL_S = 600  # one command, under 10 minutes
# Memory growth per crawled page beyond the dupe filter's own entries. A page carries 50-300
# links: keeping anything per link (or per page object) shows up as several KB a page.
GOAL_EXCESS_BYTES_PER_PAGE = 1024
GOAL_RSS_RANGE_MB = 50  # RSS after warm-up (from the 2nd tenth of a crawl) flat within this
NOISE_CORES = 0.25  # other processes' CPU use above which the figures are not trustworthy


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("OK" if ok else "MISS")


def _row(label: str, measured: str, goal: str = "", ok: bool | None = None) -> str:
    return f"{label:<34} {measured:<58} {goal:<14} {_verdict(ok)}"


def memory_growth(crawl: dict[str, Any], pages: int, entry_bytes: int) -> dict[str, Any]:
    """RSS growth from 1/4 to all of the pages, and how much of it the dupe filter explains."""
    at = crawl.get("rss_mb_at", {})
    lo, hi = at.get(str(pages // 4), 0), at.get(str(pages), 0)
    if not lo or not hi:
        return {}
    per_page = (hi - lo) * 1024 * 1024 / (pages - pages // 4)
    requests_per_page = crawl.get("enqueued", 0) / max(crawl.get("pages", 1), 1) or 1.0
    allowance = entry_bytes * requests_per_page
    return {"per_page": per_page, "allowance": allowance, "excess": per_page - allowance}


def flatness(tenths: list[dict[str, Any]]) -> dict[str, float]:
    """RSS range from the end of the 2nd tenth on (the first fills the frontier and the
    caches), and the last tenth's rate and CPU per page over the first's."""
    if len(tenths) < 3:
        return {}
    rss = [t["rss_mb"] for t in tenths[1:]]
    first, last = tenths[0], tenths[-1]
    return {"rss_lo": min(rss), "rss_hi": max(rss), "rss_range": max(rss) - min(rss),
            "rate_ratio": last["pages_per_s"] / first["pages_per_s"] if first["pages_per_s"]
            else 0.0,
            "cpu_ratio": last["cpu_ms_per_page"] / first["cpu_ms_per_page"]
            if first["cpu_ms_per_page"] else 0.0}


def _crawl_rows(name: str, c: dict[str, Any], pages: int, entry_bytes: int) -> list[str]:
    if not c.get("pages"):
        return [_row(name, f"no pages crawled (exit {c.get('returncode')}): see {c.get('log')}")]
    at = c.get("rss_mb_at", {})
    rows = [_row(name, f"{c['pages_per_s']:,.1f} pages/s (steady {c['steady_pages_per_s']:,.1f})"
                 f" · {c['pages']:,} pages in {c['elapsed_s']:.0f} s")]
    if "backlinks" in c:
        rows.append(_row("  backlinks stored", f"{c['backlinks']:,} · "
                         f"{c.get('backlinks_per_s', 0):,.1f} backlinks/s"))
    own = c.get("crawl_process_cpu_ms_per_page", 0)
    rows.append(_row("  CPU", f"{c['cpu_ms_per_page']:.1f} ms/page (crawl process {own:.1f})"
                     f" · crawler "
                     f"{c['cpu_per_wall']:.2f} core · server "
                     f"{c['server_cpu_share']:.2f} core"))
    rows.append(_row("  memory", f"peak RSS {c['peak_rss_mb']:.0f} MB"))
    tenths = c.get("tenths") or []
    if tenths:
        rows.append(_row("  per tenth: pages/s", " ".join(f"{t['pages_per_s']:.0f}"
                                                           for t in tenths)))
        rows.append(_row("  per tenth: CPU ms/page", " ".join(f"{t['cpu_ms_per_page']:.1f}"
                                                               for t in tenths)))
        rows.append(_row("  per tenth: RSS MB", " ".join(f"{t['rss_mb']:.0f}" for t in tenths)))
        flat = flatness(tenths)
        if flat:
            rows.append(_row("  after warm-up (2nd tenth on)", f"RSS {flat['rss_lo']:.0f}–"
                             f"{flat['rss_hi']:.0f} MB (range {flat['rss_range']:.0f} MB) · last ÷ "
                             f"first tenth {flat['rate_ratio']:.2f} in pages/s, "
                             f"{flat['cpu_ratio']:.2f} in CPU/page",
                             f"≤ {GOAL_RSS_RANGE_MB} MB", flat["rss_range"] <= GOAL_RSS_RANGE_MB))
    marks = " → ".join(f"{at[k]:.0f}" for k in sorted(at, key=int) if at[k])
    g = memory_growth(c, pages, entry_bytes)
    if g:
        rows.append(_row(f"  RSS at {pages // 4:,}/{pages // 2:,}/{pages:,} pages",
                         f"{marks} MB · {g['per_page']:+,.0f} B/page, {g['excess']:+,.0f} beyond "
                         f"the dupe filter's ~{g['allowance']:,.0f}",
                         f"excess ≤ {GOAL_EXCESS_BYTES_PER_PAGE} B",
                         g["excess"] <= GOAL_EXCESS_BYTES_PER_PAGE))
    return rows


PEERS = {"linkextractor": "LinkExtractor spider → SQLite", "advertools": "advertools.crawl"}


def args_workers(args: dict[str, Any]) -> list[int]:
    w = args.get("workers", [0])
    return w if isinstance(w, list) else [int(w)]


def run_name(run: dict[str, Any]) -> str:
    step = run["step"]
    if step == "full":
        return f"linkcrawl, {run.get('workers', 0)} worker(s)"
    return "bare Scrapy" if step == "bare" else PEERS.get(step, step)


def print_runs(r: dict[str, Any]) -> None:
    """Every crawl of the run, one line each, with ratios against the linkcrawl crawl of the
    same round (the first worker count of --workers): the peer and worker tables."""
    runs = [x for x in r.get("runs", []) if x.get("pages")]
    fulls = [x for x in runs if x["step"] == "full"]
    if len(runs) < 2:
        return
    ref_workers = fulls[0]["workers"] if fulls else None
    refs = {x["round"]: x for x in fulls if x["workers"] == ref_workers}
    print()
    print(f"--- every crawl, ratios ÷ linkcrawl with {ref_workers} worker(s) of the same round "
          "(pages/s, CPU ms/page, peak RSS) ---")
    print(f"{'round':<6}{'crawler':<34}{'pages/s':>9}{'CPU ms/p':>10}{'(crawl p.)':>11}"
          f"{'RSS MB':>8}{'others':>8}   ratios")
    for x in runs:
        ref = refs.get(x["round"])
        ratios = ""
        if ref and x is not ref and ref["pages_per_s"] and ref["cpu_ms_per_page"]:
            ratios = (f"{x['pages_per_s'] / ref['pages_per_s']:.2f}× · "
                      f"{x['cpu_ms_per_page'] / ref['cpu_ms_per_page']:.2f}× · "
                      f"{x['peak_rss_mb'] / ref['peak_rss_mb']:.2f}×")
        # advertools crawls in a grandchild: its "crawl process" is only the wrapper
        own = "-" if x["step"] == "advertools" else f"{x['crawl_process_cpu_ms_per_page']:.1f}"
        print(f"{x['round']:<6}{run_name(x):<34}{x['pages_per_s']:>9.1f}"
              f"{x['cpu_ms_per_page']:>10.1f}{own:>11}"
              f"{x['peak_rss_mb']:>8.0f}{x.get('other_cores', 0):>8.2f}   {ratios}")
    names = list(dict.fromkeys(run_name(x) for x in runs))
    if len(runs) > len(names):
        print("ranges over the rounds:")
        for name in names:
            mine = [x for x in runs if run_name(x) == name]
            span = {k: (min(x[k] for x in mine), max(x[k] for x in mine))
                    for k in ("pages_per_s", "cpu_ms_per_page", "peak_rss_mb")}
            print(f"  {name:<34} " + " · ".join(
                f"{lo:.1f}–{hi:.1f} {unit}" for (lo, hi), unit in
                zip(span.values(), ("pages/s", "CPU ms/page", "MB"), strict=True)))


def print_report(r: dict[str, Any], args: dict[str, Any]) -> None:
    web = r["web"]
    pages, entry = web["pages"], web["dupe_entry_bytes"]
    print()
    print(f"=== linkcrawl benchmark: {pages:,} pages on {web['sites']} sites, seed {web['seed']},"
          f" {web['cpus']} CPUs, concurrency {args['concurrency']}/{args['per_domain']} ===")
    print(_row("", "measured", "goal", None))
    bare, full = r.get("bare"), r.get("full")
    crawl_rates = [c["pages_per_s"] for c in (bare, full) if c and c.get("pages_per_s")]
    if "server" in r:
        s = r["server"]
        x = s["pages_per_s"] / max(crawl_rates) if crawl_rates else 0
        print(_row("server alone (load client)", f"{s['pages_per_s']:,} pages/s · {s['mb_per_s']}"
                   f" MB/s · {s['cpu_ms_per_page']} ms CPU/page" + (f" · {x:.1f}× crawl" if x
                                                                   else "")
,
                   f"≥ {GOAL_SERVER_X_CRAWL:.0f}× crawl", x >= GOAL_SERVER_X_CRAWL if x else None))
    if bare:
        print("\n".join(_crawl_rows(f"bare Scrapy ({args['bare_dedupe']} dedupe)", bare, pages,
                                    entry)))
    if full:
        workers = full.get("workers", args.get("workers", 0))
        label = f"linkcrawl → SQLite, {workers} worker(s)"
        print("\n".join(_crawl_rows(label, full, pages, entry)))
    if bare and full and bare["pages_per_s"]:
        ratio = full["pages_per_s"] / bare["pages_per_s"]
        cpu_ratio = bare["cpu_ms_per_page"] / full["cpu_ms_per_page"]
        print(_row("  RATIO full ÷ bare", f"{ratio:.2f} in pages/s ({cpu_ratio:.2f} in CPU per "
                   "page)", f"≥ {GOAL_FULL_VS_BARE}", ratio >= GOAL_FULL_VS_BARE))
    a = r.get("analysis")
    if a:
        print(_row("lxml parse (floor)", f"{a['parse_ms']:.2f} ms/page · {a['pages']} pages of "
                   f"{a['mean_kb']} KB, {a['mean_links']} links on average"))
        print(_row("  Scrapy css hrefs + urljoin", f"{a['scrapy_links_ms']:.2f} ms/page "
                   "(the bare spider's per-page work, for reference)"))
        if "analysis_ms" in a:
            print(_row("page analysis (extract+loc+type)", f"{a['analysis_ms']:.2f} ms/page "
                       "(as a crawl runs it: location read for backlinks only)"))
            print(_row("  RATIO analysis ÷ parse", f"{a['ratio']:.2f}",
                       f"≤ {GOAL_ANALYSIS_VS_PARSE}", a["ratio"] <= GOAL_ANALYSIS_VS_PARSE))
        if "all_links_ms" in a:
            print(_row("  every link located (extract)", f"{a['all_links_ms']:.2f} ms/page · "
                       f"{a['all_links_ratio']:.2f}× parse"))
    for name, st in r.get("store", {}).items():
        print(_row(f"store {name} upsert_backlinks", f"{st['insert_links_per_s']:,} links/s new"
                   f" · {st['update_links_per_s']:,} links/s again · {st['links']:,} links, "
                   f"batches of {st['batch']}", f"≥ {GOAL_STORE_LINKS_PER_S:,}" if
                   name == "sqlite" else "", st["insert_links_per_s"] >= GOAL_STORE_LINKS_PER_S
                   if name == "sqlite" else None))
    print_runs(r)
    # the goal is for the linkcrawl run (server, bare, full, analysis, store, one round);
    # peers and extra rounds are extra
    extra = sum(v for k, v in r.get("step_s", {}).items()
                if k.split()[0] in PEERS or k.endswith(tuple(f" r{i}" for i in range(2, 100)))
                or (k.startswith("full w") and k.split()[1] != f"w{args_workers(args)[0]}"))
    timed = r["total_s"] - extra
    print(_row("total run time", f"{r['total_s']:.0f} s" + (
        f" ({timed:.0f} s without peers, extra rounds and worker counts)" if extra else ""),
               f"< {GOAL_TOTAL_S} s", timed < GOAL_TOTAL_S if pages >= 20_000 else None))
    others = r.get("other_cores", {})
    if others:
        print(_row("other processes, cores", " · ".join(f"{k} {v:.2f}" for k, v in others.items()),
                   f"≤ {NOISE_CORES}", max(others.values()) <= NOISE_CORES))
        if max(others.values()) > NOISE_CORES:
            print("WARNING: other processes competed for the CPUs; rates are low and ratios noisy."
                  " Compare CPU ms/page, or rerun on an idle machine.")
    for line in r.get("notes", []):
        print(f"note: {line}")
