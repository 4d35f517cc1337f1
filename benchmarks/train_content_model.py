"""Train the main-content model of link location on wcxb-dev and export it as JSON.

Usage (from the repository root; needs the ``train`` extra)::

    .venv/bin/python benchmarks/train_content_model.py [--folds DIR] [--out PATH] [--jobs 2]

Reads every wcxb-dev page through the crawl's path (``parse_document``, ``read_page``,
``read_links``, :class:`PageLocator`), computes each link's features
(:mod:`linkcrawl.classify._blocks`) and labels it by the anchor rule of the eval README
(anchor of three words or more found in the gold main text: content; not found: not content;
short anchors found: left out). Cross-validates LightGBM by registrable domain (the folds of
``benchmarks/content_eval.py``: md5 of the domain, five folds), prints out-of-fold figures and
the strongest features, picks the decision threshold on the out-of-fold predictions, then
trains on every page and writes ``linkcrawl/classify/content_model.json``. With ``--folds DIR``
the five fold models are written there too, for ``content_eval.py --folds DIR``.
Deterministic: fixed seeds, ``deterministic=True``, pages in id order.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
from content_eval import (  # noqa: E402
    N_FOLDS,
    Page,
    aeb_pages,
    fold_of,
    label,
    norm,
    wcxb_pages,
)

from linkcrawl.analysis.encoding import parse_document  # noqa: E402
from linkcrawl.analysis.extract import read_links, read_page  # noqa: E402
from linkcrawl.classify._blocks import FEATURES, LINK_FEATURES, page_blocks  # noqa: E402
from linkcrawl.classify.content_model import (  # noqa: E402
    MODEL_PATH,
    Ensemble,
    LinkInput,
    block_rows,
    features_of,
)
from linkcrawl.classify.location import PageLocator  # noqa: E402

PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.06, "num_leaves": 24, "max_depth": 7,
    "min_child_samples": 40, "feature_fraction": 0.7, "bagging_fraction": 0.8,
    "bagging_freq": 1, "lambda_l2": 1.0, "seed": 7, "deterministic": True,
    "force_row_wise": True, "num_threads": 2, "verbose": -1,
}
ROUNDS = 200
BLOCK_ROUNDS = 120
LEAVES = 24


def gold_share(text: str, gold: str) -> float:
    """Share of ``text`` found in the gold text: exact for short text, else by 6-word runs."""
    if len(text) <= 120:
        return 1.0 if text in gold else 0.0
    words = text.split()
    runs = [" ".join(words[i:i + 6]) for i in range(0, max(len(words) - 5, 1), 6)]
    return sum(1 for r in runs if r in gold) / len(runs)


def _parse(page: Page) -> tuple[Any, Any, Any, PageLocator]:
    root = parse_document(page.body())
    facts = read_page(root, page.url, {})
    links, details = read_links(root, facts)
    return root, links, details, PageLocator(root, page.url)


def page_blocks_rows(page: Page) -> tuple[list[list[float]], list[int]]:
    """Block feature rows and labels (own text of 20+ characters found in the gold or not)."""
    _, _, _, locator = _parse(page)
    blocks, texts, _, rows = block_rows(locator)
    out_rows, labels = [], []
    for block, row in zip(blocks, rows, strict=True):
        text = texts[block].casefold()
        if len(text) >= 20:
            out_rows.append(row)
            labels.append(int(gold_share(text, page.gold) >= 0.5))
    return out_rows, labels


def page_link_rows(job: tuple[Page, str]) -> tuple[list[list[float]], list[int], list[int]]:
    """(feature rows with the block stage of ``block_path``, labels, scored-by-the-rule flags).

    Labels: the anchor rule; short anchors found in the gold take the label of their text
    block when it has five words or more (training only; the eval scores long anchors).
    """
    page, block_path = job
    stage = SimpleNamespace(block=_block_model(block_path))
    _, links, details, locator = _parse(page)
    items, labels, scored = [], [], []
    blocks_text = None
    for link in links:
        anchor = norm(link.anchor_text)
        gold = label(anchor, page.gold)
        el = details._pending[id(link)][1]
        is_scored = gold is not None
        if gold is None and anchor:
            if blocks_text is None:
                _, blocks_text, owner = page_blocks(locator.root)
            block = owner.get(el)
            text = (blocks_text.get(block) or "").casefold() if block is not None else ""
            if len(text.split()) >= 5:
                gold = gold_share(text, page.gold) >= 0.5
        if gold is None:
            continue
        items.append(LinkInput(el, link.url, link.anchor_text, link.is_image,
                               el.get("rel") or ""))
        labels.append(int(gold))
        scored.append(int(is_scored))
    rows, ruled = features_of(locator, items, stage) if items else ([], [])  # type: ignore[arg-type]
    rule_content = [int(r[0].value == "content") for r in ruled]
    return rows, labels, [s + 2 * c for s, c in zip(scored, rule_content, strict=True)]


@lru_cache(maxsize=8)
def _block_model(path: str) -> Ensemble:
    return Ensemble(json.loads(Path(path).read_text(encoding="utf-8")))


def flatten_tree(root: dict[str, Any]) -> dict[str, Any]:
    """One LightGBM tree as flat arrays (leaf: feat -1; values of inner nodes kept for the
    per-feature contributions), readable by ``Ensemble``."""
    feat: list[int] = []
    thr: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    depth = 0
    stack: list[tuple[dict[str, Any], int, int, str]] = [(root, 0, -1, "")]
    while stack:
        node, level, parent, side = stack.pop()
        depth = max(depth, level)
        i = len(feat)
        if parent >= 0:
            (left if side == "l" else right)[parent] = i
        leaf = "leaf_value" in node
        if not leaf and node.get("decision_type", "<=") != "<=":
            raise ValueError("only numerical splits are exported")
        feat.append(-1 if leaf else int(node["split_feature"]))
        thr.append(0.0 if leaf else float(node["threshold"]))
        left.append(-1)
        right.append(-1)
        value.append(round(float(node["leaf_value" if leaf else "internal_value"]), 6))
        if not leaf:
            stack.append((node["right_child"], level + 1, i, "r"))
            stack.append((node["left_child"], level + 1, i, "l"))
    return {"feat": feat, "thr": thr, "left": left, "right": right, "value": value,
            "depth": depth}


def export_trees(booster: lgb.Booster) -> list[dict[str, Any]]:
    return [flatten_tree(info["tree_structure"]) for info in booster.dump_model()["tree_info"]]


def _prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float(((pred == 1) & (y == 1)).sum())
    p = tp / max(float(pred.sum()), 1.0)
    r = tp / max(float(y.sum()), 1.0)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _train(x: np.ndarray, y: np.ndarray, rounds: int, leaves: int,
           weight: np.ndarray | None = None) -> lgb.Booster:
    params = {**PARAMS, "num_leaves": leaves}
    return lgb.train(params, lgb.Dataset(x, y, weight=weight), num_boost_round=rounds)


def _set_f1(y: np.ndarray, pred: np.ndarray, sets: np.ndarray) -> float:
    """Mean F1 over the page sets: each set stands for a population of pages, so a large
    set of one kind does not decide the threshold alone."""
    return float(np.mean([_prf(y[sets == s], pred[sets == s])[2] for s in np.unique(sets)]))


def _table(title: str, y: np.ndarray, pred: np.ndarray, kinds: np.ndarray) -> None:
    print(title)
    for kind in [*sorted(set(kinds.tolist())), "ALL"]:
        sel = np.ones(len(y), bool) if kind == "ALL" else kinds == kind
        p, r, f = _prf(y[sel], pred[sel])
        print(f"  {kind:<15} n={int(sel.sum()):<7} pos={int(y[sel].sum()):<6} "
              f"{p:.3f}/{r:.3f}/{f:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=Path, default=Path("/tmp/linkcrawl-content-folds"),
                        help="where the fold models go (default %(default)s)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--block-rounds", type=int, default=BLOCK_ROUNDS)
    parser.add_argument("--sets", default="wcxb",
                        help="training sets, wcxb and/or aeb (default %(default)s: the "
                             "shipped model; the article benchmark stays held out)")
    parser.add_argument("--aeb-weight", type=float, default=2.0,
                        help="with aeb: weight of an aeb link against a wcxb link (default "
                             "%(default)s: 88 articles against 1,488 pages of seven kinds)")
    args = parser.parse_args(argv)
    wanted = set(args.sets.split(","))
    pages = ([*wcxb_pages()] if "wcxb" in wanted else []) + (
        [*aeb_pages()] if "aeb" in wanted else [])
    page_fold = [fold_of(p.domain) for p in pages]
    args.folds.mkdir(parents=True, exist_ok=True)
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        # stage 1: text blocks
        block_results = pool.map(page_blocks_rows, pages, chunksize=4)
        bx = np.asarray([r for rows, _ in block_results for r in rows], dtype=np.float64)
        by = np.asarray([v for _, labels in block_results for v in labels])
        bfold = np.asarray([f for f, (rows, _) in zip(page_fold, block_results, strict=True)
                            for _ in rows])
        bweight = np.asarray([args.aeb_weight if p.set == "aeb" else 1.0
                              for p, (rows, _) in zip(pages, block_results, strict=True)
                              for _ in rows])
        print(f"blocks: {len(by)} labelled, {int(by.sum())} in the gold")
        block_paths = {}
        oof = np.zeros(len(by))
        for k in range(N_FOLDS):
            booster = _train(bx[bfold != k], by[bfold != k], args.block_rounds, 31,
                             bweight[bfold != k])
            oof[bfold == k] = booster.predict(bx[bfold == k])
            block_paths[k] = args.folds / f"block{k}.json"
            block_paths[k].write_text(json.dumps({"features": list(FEATURES),
                                                  "trees": export_trees(booster)}))
        p, r, f = _prf(by, (oof >= 0.5).astype(int))
        print(f"block model out-of-fold P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}")
        block_all = _train(bx, by, args.block_rounds, 31, bweight)
        block_paths[-1] = args.folds / "block-all.json"
        block_paths[-1].write_text(json.dumps({"features": list(FEATURES),
                                               "trees": export_trees(block_all)}))
        # stage 2: links, with out-of-fold block probabilities
        jobs = [(page, str(block_paths[k])) for page, k in zip(pages, page_fold, strict=True)]
        link_results = pool.map(page_link_rows, jobs, chunksize=4)
    x = np.asarray([r for rows, _, _ in link_results for r in rows], dtype=np.float64)
    y = np.asarray([v for _, labels, _ in link_results for v in labels])
    flags = np.asarray([v for _, _, sc in link_results for v in sc])
    scored, rule_content = (flags & 1).astype(bool), (flags & 2).astype(bool)
    lfold = np.asarray([f for f, (rows, _, _) in zip(page_fold, link_results, strict=True)
                        for _ in rows])
    kinds = np.asarray([f"{p.set}:{p.kind}" for p, (rows, _, _)
                        in zip(pages, link_results, strict=True) for _ in rows])
    sets = np.asarray([k.split(":")[0] for k in kinds])
    weight = np.where(sets == "aeb", args.aeb_weight, 1.0)
    print(f"links: {len(y)} labelled ({int(scored.sum())} by the anchor rule), "
          f"{int(y.sum())} content; features {x.shape[1]}")
    oof = np.zeros(len(y))
    fold_links = {}
    for k in range(N_FOLDS):
        booster = _train(x[lfold != k], y[lfold != k], args.rounds, LEAVES,
                         weight[lfold != k])
        oof[lfold == k] = booster.predict(x[lfold == k])
        fold_links[k] = booster
    grid = np.arange(0.2, 0.8, 0.02)
    f1s = [_set_f1(y[scored], (oof[scored] >= t).astype(int), sets[scored]) for t in grid]
    threshold = float(grid[int(np.argmax(f1s))])
    print(f"threshold (max out-of-fold mean F1 of the sets, anchor-rule links) "
          f"{threshold:.2f}")
    _table("out-of-fold, anchor-rule links, model alone (precision/recall/F1 of content):",
           y[scored], (oof[scored] >= threshold).astype(int), kinds[scored])
    ys, ps, rs, ss = y[scored], oof[scored], rule_content[scored], sets[scored]
    best = (threshold, threshold, -1.0)
    for hi in np.arange(0.3, 0.96, 0.05):
        for lo in np.arange(0.02, min(hi, 0.6), 0.02):
            f = _set_f1(ys, ((ps >= hi) | (rs & (ps >= lo))).astype(int), ss)
            if f > best[2]:
                best = (float(lo), float(hi), f)
    lo, hi = round(best[0], 2), round(best[1], 2)
    print(f"hybrid (content when p >= {hi:.2f}, or the rules say content and p >= {lo:.2f}):")
    _table("out-of-fold, anchor-rule links, hybrid:", ys,
           ((ps >= hi) | (rs & (ps >= lo))).astype(int), kinds[scored])
    threshold = (lo, hi)  # type: ignore[assignment]
    trained_on = (f"{args.sets} (anchor-rule labels, block labels from the gold text"
                  + (f"; aeb weight {args.aeb_weight:g})" if "aeb" in wanted else ")"))
    for k, booster in fold_links.items():
        (args.folds / f"fold{k}.json").write_text(json.dumps(_model_json(
            json.loads(block_paths[k].read_text()), booster, threshold, trained_on),
            separators=(",", ":")))
    booster = _train(x, y, args.rounds, LEAVES, weight)
    gain = booster.feature_importance("gain")
    order = np.argsort(-gain)[:25]
    total = gain.sum() or 1.0
    print("strongest link features (share of split gain):")
    print("  " + ", ".join(f"{LINK_FEATURES[i]} {gain[i] / total:.3f}" for i in order))
    bgain = block_all.feature_importance("gain")
    print("strongest block features: " + ", ".join(
        f"{FEATURES[i]} {bgain[i] / (bgain.sum() or 1):.3f}" for i in np.argsort(-bgain)[:12]))
    args.out.write_text(json.dumps(_model_json(json.loads(block_paths[-1].read_text()),
                                               booster, threshold, trained_on),
                                   separators=(",", ":")))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB); fold models in "
          f"{args.folds}")
    return 0


def _model_json(block: dict[str, Any], link: lgb.Booster, threshold: tuple[float, float],
                trained_on: str) -> dict[str, Any]:
    lo, hi = threshold
    return {"features": list(LINK_FEATURES), "threshold": hi, "rule_content_threshold": lo,
            "trained_on": trained_on,
            "block": block, "link": {"trees": export_trees(link)}}


if __name__ == "__main__":
    raise SystemExit(main())
