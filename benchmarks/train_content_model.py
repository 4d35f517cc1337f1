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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402

from content_eval import N_FOLDS, Page, fold_of, label, norm, wcxb_pages  # noqa: E402
from linkcrawl.classify._blocks import FEATURES  # noqa: E402
from linkcrawl.classify.content_model import MODEL_PATH, LinkInput, features_of  # noqa: E402
from linkcrawl.classify.location import PageLocator  # noqa: E402
from linkcrawl.extract import parse_document, read_links, read_page  # noqa: E402

PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.06, "num_leaves": 24, "max_depth": 7,
    "min_child_samples": 40, "feature_fraction": 0.7, "bagging_fraction": 0.8,
    "bagging_freq": 1, "lambda_l2": 1.0, "seed": 7, "deterministic": True,
    "force_row_wise": True, "num_threads": 2, "verbose": -1,
}
ROUNDS = 250


def page_rows(page: Page) -> tuple[str, list[list[float]], list[int], str]:
    """(page id, feature rows, labels, page kind) of the labelled links of one page."""
    root = parse_document(page.body())
    facts = read_page(root, page.url, {})
    links, details = read_links(root, facts)
    items, labels = [], []
    for link in links:
        gold = label(norm(link.anchor_text), page.gold)
        if gold is None:
            continue
        el = details._pending[id(link)][1]
        items.append(LinkInput(el, link.url, link.anchor_text, link.is_image,
                               el.get("rel") or ""))
        labels.append(int(gold))
    rows, _ = features_of(PageLocator(root, page.url), items) if items else ([], [])
    return page.page_id, rows, labels, page.kind


def export(booster: lgb.Booster, threshold: float) -> dict[str, Any]:
    """The trees as flat arrays (leaf: feat -1), readable by ``ContentModel``."""
    dump = booster.dump_model()
    trees = []
    for info in dump["tree_info"]:
        feat: list[int] = []
        thr: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        depth = 0

        def walk(node: dict[str, Any], level: int) -> int:
            nonlocal depth
            depth = max(depth, level)
            i = len(feat)
            feat.append(-1)
            thr.append(0.0)
            left.append(-1)
            right.append(-1)
            if "leaf_value" in node:
                value.append(round(float(node["leaf_value"]), 6))
                return i
            if node.get("decision_type", "<=") != "<=":
                raise ValueError("only numerical splits are exported")
            value.append(round(float(node["internal_value"]), 6))
            feat[i] = int(node["split_feature"])
            thr[i] = float(node["threshold"])
            left[i] = walk(node["left_child"], level + 1)
            right[i] = walk(node["right_child"], level + 1)
            return i

        walk(info["tree_structure"], 0)
        trees.append({"feat": feat, "thr": thr, "left": left, "right": right, "value": value,
                      "depth": depth})
    return {"features": list(FEATURES), "threshold": round(threshold, 4), "base": 0.0,
            "trained_on": "wcxb-dev (anchor-rule labels)", "rounds": len(trees),
            "trees": trees}


def _prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float(((pred == 1) & (y == 1)).sum())
    p = tp / max(float(pred.sum()), 1.0)
    r = tp / max(float(y.sum()), 1.0)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=Path, help="also write the fold models here")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    pages = wcxb_pages()
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(page_rows, pages, chunksize=4)
    x_rows: list[list[float]] = []
    y: list[int] = []
    fold: list[int] = []
    kinds: list[str] = []
    for page, (_, rows, labels, kind) in zip(pages, results, strict=True):
        x_rows += rows
        y += labels
        fold += [fold_of(page.domain)] * len(rows)
        kinds += [kind] * len(rows)
    x = np.asarray(x_rows, dtype=np.float64)
    ya, folda, kinda = np.asarray(y), np.asarray(fold), np.asarray(kinds)
    print(f"pages {len(pages)}, labelled links {len(y)}, content {int(ya.sum())}, "
          f"features {x.shape[1]}")
    oof = np.zeros(len(y))
    fold_models = {}
    for k in range(N_FOLDS):
        train, test = folda != k, folda == k
        booster = lgb.train(PARAMS, lgb.Dataset(x[train], ya[train]),
                            num_boost_round=args.rounds)
        oof[test] = booster.predict(x[test])
        fold_models[k] = booster
    grid = np.arange(0.2, 0.8, 0.02)
    f1s = [_prf(ya, (oof >= t).astype(int))[2] for t in grid]
    threshold = float(grid[int(np.argmax(f1s))])
    pred = (oof >= threshold).astype(int)
    print(f"threshold (max out-of-fold F1) {threshold:.2f}")
    print("out-of-fold by kind (precision/recall/F1 of content, anchor-rule labels):")
    for kind in [*sorted(set(kinds)), "ALL"]:
        sel = np.ones(len(y), bool) if kind == "ALL" else kinda == kind
        p, r, f = _prf(ya[sel], pred[sel])
        print(f"  {kind:<15} n={int(sel.sum()):<7} pos={int(ya[sel].sum()):<6} "
              f"{p:.3f}/{r:.3f}/{f:.3f}")
    if args.folds:
        args.folds.mkdir(parents=True, exist_ok=True)
        for k, booster in fold_models.items():
            (args.folds / f"fold{k}.json").write_text(
                json.dumps(export(booster, threshold), separators=(",", ":")))
    booster = lgb.train(PARAMS, lgb.Dataset(x, ya), num_boost_round=args.rounds)
    gain = booster.feature_importance("gain")
    order = np.argsort(-gain)[:25]
    total = gain.sum() or 1.0
    print("strongest features (share of split gain):")
    print("  " + ", ".join(f"{FEATURES[i]} {gain[i] / total:.3f}" for i in order))
    args.out.write_text(json.dumps(export(booster, threshold), separators=(",", ":")))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
