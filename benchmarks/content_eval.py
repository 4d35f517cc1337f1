"""Score link location on real pages written by others (../shared/eval), the crawl's way.

Usage (from the repository root)::

    .venv/bin/python benchmarks/content_eval.py [--folds DIR] [--no-baseline] [--jobs 2]
                                                [--errors N] [--sets wcxb,aeb,rtd]

Every page goes through the crawl's own path (``parse_document``, ``read_page``,
``read_links`` + ``LinkDetails.fill``, i.e. what ``extract_links`` does), twice: once with the
hand rules only and once with the learned content model. With ``--folds DIR`` (written by
``benchmarks/train_content_model.py --folds``), each wcxb-dev and article-benchmark page is
scored with the model of the cross-validation fold that left its registrable domain out, so
those figures are out-of-fold; without it the shipped model is used and the figures of the
sets it was trained on (wcxb and aeb) are in-sample.

Sets and labels:

- ``wcxb`` (wcxb-dev, 1,488 pages of seven kinds) and ``aeb`` (article-extraction-benchmark,
  88 articles): a link whose anchor (three words or more) occurs in the gold main text is
  content, one whose anchor does not occur is not; short anchors that occur are ambiguous and
  left out (whitespace collapsed, casefolded). Precision/recall/F1 of ``location ==
  "content"`` per page kind and overall, for the rules, the model and a trafilatura baseline
  (anchor occurs in trafilatura's extracted text). Label artifacts are counted apart: image
  links (alt text is never in the gold) and anchors equal to the page's title or a heading
  (a headline repeated in a menu or teaser); the "clean" line leaves them out.
- ``rtd`` (real-types-dev): hand-labelled location of every link to the target domains;
  accuracy against the lists of accepted labels, per preferred label, and comment precision
  and recall.

Also prints the CPU time per page of ``parse_document`` and of the analysis (``read_page`` +
every link located), rules and model.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from linkcrawl.analysis.encoding import parse_document  # noqa: E402
from linkcrawl.analysis.extract import read_links, read_page  # noqa: E402
from linkcrawl.analysis.page import LIST_PAGES  # noqa: E402
from linkcrawl.classify.pagetype import detect_page_type  # noqa: E402

EVAL = ROOT.parent.parent / "shared" / "eval"
if not EVAL.exists():
    EVAL = Path("/work/shared/eval")
WCXB, AEB, RTD = EVAL / "wcxb-dev", EVAL / "article-extraction-benchmark", EVAL / "real-types-dev"
N_FOLDS = 5
MIN_WORDS = 3
_WS = re.compile(r"\s+")
_NO_MODEL = "/nonexistent/no-model.json"  # LINKCRAWL_CONTENT_MODEL pointing here: rules only


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def label(anchor: str, gold: str) -> bool | None:
    """True: main content; False: not; None: ambiguous (short anchor found, or empty)."""
    if not anchor:
        return None
    if anchor in gold:
        return True if len(anchor.split()) >= MIN_WORDS else None
    return False


def fold_of(domain: str) -> int:
    """Deterministic cross-validation fold of a registrable domain."""
    return int(hashlib.md5(domain.encode()).hexdigest(), 16) % N_FOLDS


@dataclass
class Page:
    set: str
    page_id: str
    url: str
    kind: str
    domain: str
    path: Path
    gold: str = ""  # normalised gold text (wcxb, aeb)
    truth: dict[str, Any] | None = None  # rtd labels

    def body(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.path.suffix == ".gz" else data


def wcxb_pages() -> list[Page]:
    from linkcrawl.web.domains import site_of

    meta = json.loads((WCXB / "metadata.json").read_text(encoding="utf-8")).get("files", {})
    pages = []
    for gt_path in sorted((WCXB / "ground-truth").glob("*.json")):
        page_id = gt_path.stem
        html = WCXB / "html" / f"{page_id}.html.gz"
        if not html.exists():
            continue
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        internal = gt.get("_internal") or {}
        kind = (meta.get(page_id, {}).get("page_type")
                or (internal.get("page_type") or {}).get("primary") or "unknown")
        url = gt.get("url") or f"http://{page_id}.invalid/"
        domain = site_of(url) or meta.get(page_id, {}).get("domain") or page_id
        gold = norm((gt.get("ground_truth") or {}).get("main_content") or "")
        pages.append(Page("wcxb", page_id, url, kind, domain, html, gold))
    return pages


def aeb_pages() -> list[Page]:
    from linkcrawl.web.domains import site_of

    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, entry in sorted(truth.items()):
        html = AEB / "html" / f"{page_id}.html.gz"
        if html.exists():
            url = entry.get("url") or f"http://{page_id}.invalid/"
            pages.append(Page("aeb", page_id, url, "article", site_of(url), html,
                              norm(entry.get("articleBody") or "")))
    return pages


def rtd_pages() -> list[Page]:
    pages = []
    for truth_path in sorted((RTD / "pages").glob("*.truth.json")):
        name = truth_path.name[: -len(".truth.json")]
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        url = truth.get("url") or f"http://{name}.invalid/"
        pages.append(Page("rtd", name, url, name.split("_", 1)[0], "", RTD / "pages" /
                          f"{name}.html", truth=truth))
    return pages


def crawl_links(body: bytes, url: str) -> tuple[list[Any], list[Any], float, float]:
    """(links, their elements, parse ms, analysis ms) through the crawl's path."""
    t0 = time.thread_time()
    root = parse_document(body)
    t1 = time.thread_time()
    facts = read_page(root, url, {})
    links, details = read_links(root, facts)
    elements = [details._pending[id(link)][1] for link in links]
    # as analyze_lazily does: the page type says whether the body is a list of links
    details.list_page = detect_page_type(root, facts, links, details).value in LIST_PAGES
    details.fill(links)
    t2 = time.thread_time()
    return links, elements, (t1 - t0) * 1000, (t2 - t1) * 1000


def rtd_anchor(el: Any) -> str:
    """The anchor text as real-types-dev's README computes it."""
    def clean(text: str | None) -> str:
        return _WS.sub(" ", text or "").strip()

    text = clean(el.text_content())
    if text:
        return text
    for img in el.iter("img"):
        if clean(img.get("alt")):
            return clean(img.get("alt"))
    for attr in ("title", "aria-label"):
        if clean(el.get(attr)):
            return clean(el.get(attr))
    for img in el.iter("img"):
        if clean(img.get("title")):
            return clean(img.get("title"))
    for d in el.iterdescendants():
        for attr in ("aria-label", "title"):
            if clean(d.get(attr)):
                return clean(d.get(attr))
    return ""


def score_page(args: tuple[Page, str, bool]) -> dict[str, Any]:
    """Per-link records of one page under one model setting (a worker's job)."""
    page, model_path, with_baseline = args
    os.environ["LINKCRAWL_CONTENT_MODEL"] = model_path
    body = page.body()
    links, elements, parse_ms, analysis_ms = crawl_links(body, page.url)
    out: dict[str, Any] = {"page": page.page_id, "set": page.set, "kind": page.kind,
                           "parse_ms": parse_ms, "analysis_ms": analysis_ms, "links": []}
    if page.set == "rtd":
        out["links"] = _rtd_records(page, links, elements)
        return out
    extracted = None
    if with_baseline:
        extracted = _trafilatura_text(page, body)
    root = elements[0].getroottree().getroot() if elements else None
    titles: set[str] = set()
    if root is not None:
        for el in root.iter("title", "h1", "h2", "h3"):
            t = norm(el.text_content())
            if len(t.split()) >= MIN_WORDS:
                titles.add(t)
    for link in links:
        anchor = norm(link.anchor_text)
        gold = label(anchor, page.gold)
        if gold is None:
            continue
        artifact = "image" if link.is_image else ("headline" if anchor in titles else "")
        out["links"].append({
            "gold": gold, "location": link.location, "p": _model_p(link.location_evidence),
            "anchor": link.anchor_text[:70],
            "evidence": link.location_evidence[:5], "artifact": artifact,
            "baseline": None if extracted is None else anchor in extracted})
    return out


def _model_p(evidence: list[str]) -> float | None:
    """The model's probability named in the evidence ("model:content p=0.93"), if any."""
    for note in evidence:
        if note.startswith("model:") and " p=" in note:
            return float(note.rsplit("=", 1)[1])
    return None


_TRAF_CACHE = Path("/tmp/linkcrawl-content-eval-trafilatura")


def _trafilatura_text(page: Page, body: bytes) -> str:
    """trafilatura's extracted text (cached under /tmp: it is slow and deterministic)."""
    cache = _TRAF_CACHE / f"{page.set}-{page.page_id}.txt"
    if cache.exists():
        return cache.read_text(encoding="utf-8")
    from trafilatura import extract

    text = norm(extract(body.decode("utf-8", "replace"), url=page.url) or "")
    _TRAF_CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(text, encoding="utf-8")
    return text


def _in_scope(url: str, targets: list[str]) -> bool:
    from linkcrawl.web.domains import host_of

    host = (host_of(url) or "").lower().rstrip(".")
    return any(host == t or host.endswith("." + t) for t in targets)


def _rtd_records(page: Page, links: list[Any], elements: list[Any]) -> list[dict[str, Any]]:
    truth = page.truth or {}
    targets = [t.strip().lower() for t in truth.get("target", "").split(",") if t.strip()]
    entries = list(truth.get("links", []))
    used = [False] * len(entries)
    records = []
    for link, el in zip(links, elements, strict=True):
        if not _in_scope(link.url, targets):
            continue
        anchor = rtd_anchor(el)
        match = None
        for i, entry in enumerate(entries):
            if used[i] or entry.get("anchor", "") != anchor:
                continue
            sub = entry.get("url_contains")
            if sub and sub not in link.href and sub not in link.url:
                continue
            match = i
            break
        if match is None:
            records.append({"gold": None, "location": link.location, "anchor": anchor[:70]})
            continue
        used[match] = True
        records.append({"gold": entries[match]["location"], "location": link.location,
                        "anchor": anchor[:70], "evidence": link.location_evidence[:5]})
    return records


class PRF:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, gold: bool, pred: bool) -> None:
        if gold and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def cell(self) -> str:
        p, r, f = self.prf()
        return f"{p:.3f}/{r:.3f}/{f:.3f}"


def _report_gold(name: str, results: dict[str, list[dict[str, Any]]], errors: int) -> None:
    """P/R/F1 tables of one gold-text set: per kind and overall, each system."""
    systems = [s for s in ("rules", "model", "baseline") if s in results]
    kinds = sorted({r["kind"] for r in results[systems[0]]})
    print(f"\n== {name}: location == content, precision/recall/F1 ==")
    print(f"{'kind':<15}{'links':>7}{'pos':>6}  " + "".join(f"{s:<21}" for s in systems))
    for kind in [*kinds, "ALL", "ALL-clean"]:
        cells = []
        n = pos = 0
        for system in systems:
            score = PRF()
            for page in results[system if system != "baseline" else "rules"]:
                if kind not in ("ALL", "ALL-clean") and page["kind"] != kind:
                    continue
                for link in page["links"]:
                    if kind == "ALL-clean" and link["artifact"]:
                        continue
                    pred = (link["baseline"] if system == "baseline"
                            else link["location"] == "content")
                    if pred is None:
                        continue
                    score.add(link["gold"], pred)
            cells.append(score.cell())
            n, pos = score.tp + score.fp + score.fn + score.tn, score.tp + score.fn
        print(f"{kind:<15}{n:>7}{pos:>6}  " + "".join(f"{c:<21}" for c in cells))
    for system in ("rules", "model"):
        if system not in results:
            continue
        arts: Counter[tuple[str, bool, bool]] = Counter()
        for page in results[system]:
            for link in page["links"]:
                if link["artifact"]:
                    arts[(link["artifact"], link["gold"], link["location"] == "content")] += 1
        print(f"label artifacts ({system}): " + ", ".join(
            f"{a} gold={'c' if g else 'n'} pred={'c' if p else 'n'}: {c}"
            for (a, g, p), c in sorted(arts.items())))
    if errors and "model" in results:
        shown = 0
        for page in results["model"]:
            for link in page["links"]:
                if link["gold"] != (link["location"] == "content") and not link["artifact"]:
                    kind = "FN" if link["gold"] else "FP"
                    print(f"  {kind} {page['kind'][:8]:<8} {page['page']:<6} "
                          f"{link['anchor']!r:<60} {link['location']} {link['evidence'][:4]}")
                    shown += 1
                    if shown >= errors:
                        return


def _pairs(results: dict[str, list[dict[str, Any]]]) -> list[tuple[str, bool, bool, float, str]]:
    """(kind, gold, rules say content, model p, artifact) per scored link of both runs."""
    out = []
    for rp, mp in zip(results["rules"], results["model"], strict=True):
        for rl, ml in zip(rp["links"], mp["links"], strict=True):
            p = ml["p"] if ml["p"] is not None else float(ml["location"] == "content")
            out.append((rp["kind"], rl["gold"], rl["location"] == "content", p, rl["artifact"]))
    return out


def hybrid_grid(pairs: list[tuple[str, bool, bool, float, str]],
                ) -> tuple[float, float, float]:
    """(lo, hi, F1): content when p >= hi, or the rules say content and p >= lo; the pair
    with the best F1 on these links."""
    best = (0.0, 0.0, -1.0)
    for hi in [x / 100 for x in range(20, 96, 5)]:
        for lo in [x / 100 for x in range(2, 61, 4)]:
            if lo > hi:
                continue
            score = PRF()
            for _, gold, rule, p, _ in pairs:
                score.add(gold, p >= hi or (rule and p >= lo))
            f = score.prf()[2]
            if f > best[2]:
                best = (lo, hi, f)
    return best


def _report_hybrid(pairs: list[tuple[str, bool, bool, float, str]], lo: float, hi: float,
                   title: str) -> None:
    kinds = sorted({k for k, *_ in pairs})
    print(f"hybrid on {title} (content when p >= {hi:.2f}, or rules content and p >= {lo:.2f}):")
    for kind in [*kinds, "ALL"]:
        score = PRF()
        for k, gold, rule, p, _ in pairs:
            if kind in ("ALL", k):
                score.add(gold, p >= hi or (rule and p >= lo))
        print(f"  {kind:<15} {score.cell()}")


def _report_rtd(results: dict[str, list[dict[str, Any]]]) -> None:
    print("\n== real-types-dev: location accuracy (label list / preferred label) ==")
    for system in ("rules", "model"):
        if system not in results:
            continue
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        comment = PRF()
        content = PRF()
        unmatched = 0
        for page in results[system]:
            for link in page["links"]:
                if link["gold"] is None:
                    unmatched += 1
                    continue
                pref = link["gold"][0]
                for key in (pref, "ALL"):
                    per[key][0] += 1
                    per[key][1] += link["location"] in link["gold"]
                    per[key][2] += link["location"] == pref
                comment.add(pref == "comment", link["location"] == "comment")
                content.add(pref == "content", link["location"] == "content")
        print(f"-- {system} (unmatched links: {unmatched})")
        for key, (n, ok, strict) in sorted(per.items(), key=lambda kv: -kv[1][0]):
            print(f"   {key:<12} n={n:<4} accuracy {ok / n:.3f}  strict {strict / n:.3f}")
        print(f"   comment P/R/F1 {comment.cell()}   content P/R/F1 {content.cell()}")


def _report_cost(results: dict[str, list[dict[str, Any]]]) -> None:
    print("\n== CPU cost per page (thread time, mean; one run each) ==")
    for system in ("rules", "model"):
        if system not in results:
            continue
        by_set: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for page in results[system]:
            by_set[page["set"]].append((page["parse_ms"], page["analysis_ms"]))
        for name, vals in sorted(by_set.items()):
            parse = sum(v[0] for v in vals) / len(vals)
            analysis = sum(v[1] for v in vals) / len(vals)
            print(f"   {system:<6} {name:<5} parse_document {parse:6.2f} ms   read_page + all "
                  f"links located {analysis:6.2f} ms   ratio {analysis / parse:.2f}")


def _jobs(pages: list[Page], system: str, folds: Path | None, baseline: bool,
          ) -> Iterator[tuple[Page, str, bool]]:
    for page in pages:
        if system == "rules":
            path = _NO_MODEL
        elif folds is not None and page.set in ("wcxb", "aeb"):
            path = str(folds / f"fold{fold_of(page.domain)}.json")
        else:
            path = os.environ.get("LINKCRAWL_CONTENT_MODEL", "")
        yield page, path, baseline and system == "rules" and page.set != "rtd"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=Path,
                        help="fold models: wcxb and aeb figures out-of-fold (each page "
                        "scored by the model of its domain's fold)")
    parser.add_argument("--no-baseline", action="store_true", help="skip trafilatura")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--errors", type=int, default=0, help="print N model errors per set")
    parser.add_argument("--sets", default="wcxb,aeb,rtd")
    parser.add_argument("--systems", default="rules,model")
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each set")
    args = parser.parse_args(argv)
    if not EVAL.is_dir():
        print(f"content_eval: error: no real pages at {EVAL} (WCXB dev, the article benchmark "
              "and real-types-dev live in ../shared/eval, outside the repository)",
              file=sys.stderr)
        return 2
    sets = args.sets.split(",")
    loaders = {"wcxb": wcxb_pages, "aeb": aeb_pages, "rtd": rtd_pages}
    pages = {name: loaders[name]() for name in sets}
    if args.limit:
        pages = {k: v[: args.limit] for k, v in pages.items()}
    print("pages: " + ", ".join(f"{k} {len(v)}" for k, v in pages.items())
          + (f"; wcxb and aeb out-of-fold from {args.folds}" if args.folds else
             "; the shipped model (in-sample for its training sets)"))
    results: dict[str, dict[str, list[dict[str, Any]]]] = {name: {} for name in sets}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for system in args.systems.split(","):
            for name in sets:
                jobs = list(_jobs(pages[name], system, args.folds, not args.no_baseline))
                results[name][system] = pool.map(score_page, jobs, chunksize=4)
    for name, title in (("wcxb", "wcxb-dev"), ("aeb", "article-extraction-benchmark")):
        if name in results:
            if not args.no_baseline and "rules" in results[name]:
                results[name]["baseline"] = results[name]["rules"]
            _report_gold(title, results[name], args.errors)
    if all(s in results.get("wcxb", {}) for s in ("rules", "model")):
        wp = _pairs(results["wcxb"])
        lo, hi, _ = hybrid_grid(wp)
        _report_hybrid(wp, lo, hi, "wcxb-dev (pair chosen here)")
        if all(s in results.get("aeb", {}) for s in ("rules", "model")):
            _report_hybrid(_pairs(results["aeb"]), lo, hi, "article benchmark (held out)")
    if "rtd" in results:
        _report_rtd(results["rtd"])
    _report_cost({s: [p for name in sets for p in results[name].get(s, [])]
                  for s in args.systems.split(",")})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
