"""The learned main-content decision for link location (issue 15).

The hand rules of :mod:`linkcrawl.classify.location` name a link's region (navigation,
footer, sidebar, comment, ...); whether a link sits in the page's main content is decided by
a gradient-boosted tree ensemble trained on real pages with gold main content
(``benchmarks/train_content_model.py``, features in :mod:`linkcrawl.classify._blocks`). The
trees ship as JSON (``content_model.json``) and are evaluated here with numpy when it is
installed (all links of a page and all trees at once) and in pure Python otherwise, so the
crawl never imports the training stack.

Each verdict names the model's probability and the features that pushed hardest toward it
(per-feature contributions along each tree's path), e.g. ``model:content p=0.93``,
``feat:block_link_density=0.05``, ``class:comment@3``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from linkcrawl.classify import location_rules as rules
from linkcrawl.classify._blocks import (
    FAR,
    FEATURES,
    LINK_FEATURES,
    BlockContext,
    PageStats,
    link_features,
    page_blocks,
    stage2_features,
)
from linkcrawl.verdict import Verdict
from linkcrawl.web.domains import site_of

try:  # vectorised evaluation when available; the pure-Python path gives the same numbers
    import numpy as np
except ImportError:  # pragma: no cover - exercised where numpy is absent
    np = None  # type: ignore[assignment]

__all__ = ["MODEL_PATH", "ContentModel", "LinkInput", "default_model", "locate_links"]

MODEL_PATH = Path(__file__).with_name("content_model.json")
_ENV = "LINKCRAWL_CONTENT_MODEL"  # another model file (cross-validation folds in the eval)
_TOP_EVIDENCE = 3
BLOCK_MIN_CHARS = 20  # shorter text blocks (menu items, labels) get no block probability


class LinkInput(NamedTuple):
    """What the decision reads of one link besides its element."""

    el: etree._Element
    url: str
    anchor: str
    is_image: bool = False
    rel: str = ""


class Ensemble:
    """A tree ensemble read from its JSON export (LightGBM trees, logistic output)."""

    def __init__(self, data: dict[str, Any], threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.base = float(data.get("base", 0.0))
        feat: list[int] = []
        thr: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[int] = []
        depth = 0
        for tree in data["trees"]:
            off = len(feat)
            roots.append(off)
            for f, t, lo, hi, v in zip(tree["feat"], tree["thr"], tree["left"], tree["right"],
                                       tree["value"], strict=True):
                leaf = f < 0
                feat.append(0 if leaf else f)
                thr.append(float("inf") if leaf else t)
                left.append(len(feat) - 1 if leaf else off + lo)
                right.append(len(feat) - 1 if leaf else off + hi)
                value.append(v)
            depth = max(depth, int(tree.get("depth", 0)))
        self.feat, self.thr, self.left, self.right, self.value = feat, thr, left, right, value
        self.roots, self.depth, self.is_leaf = roots, depth, [
            lo == i for i, lo in enumerate(left)]
        if np is not None:
            self._np = (np.array(feat, dtype=np.int64), np.array(thr, dtype=np.float64),
                        np.array(left, dtype=np.int64), np.array(right, dtype=np.int64),
                        np.array(value, dtype=np.float64), np.array(roots, dtype=np.int64))

    def predict(self, rows: Sequence[Sequence[float]], explain: bool = True,
                bars: Sequence[float] | None = None,
                ) -> tuple[list[float], list[list[tuple[int, float]]]]:
        """(probability of main content, the features that pushed hardest toward the
        decision as (index, contribution)) for each row; ``bars`` are per-row thresholds
        (default: the ensemble's)."""
        if not rows:
            return [], []
        bars = list(bars) if bars is not None else [self.threshold] * len(rows)
        if np is not None:
            return self._predict_np(rows, explain, bars)
        return self._predict_py(rows, explain, bars)

    def _predict_np(self, rows: Sequence[Sequence[float]], explain: bool, bars: list[float],
                    ) -> tuple[list[float], list[list[tuple[int, float]]]]:
        feat, thr, left, right, value, roots = self._np
        x = np.asarray(rows, dtype=np.float64)
        n, width = x.shape
        idx = np.broadcast_to(roots, (n, roots.size)).copy()
        row_ix = np.arange(n)[:, None]
        flat_base = (row_ix * width).astype(np.int64)
        contrib = np.zeros(n * width)
        for _ in range(self.depth):
            f = feat[idx]
            nxt = np.where(x[row_ix, f] <= thr[idx], left[idx], right[idx])
            if explain:
                contrib += np.bincount((flat_base + f).ravel(),
                                       weights=(value[nxt] - value[idx]).ravel(),
                                       minlength=n * width)
            idx = nxt
        score = self.base + value[idx].sum(axis=1)
        prob = 1.0 / (1.0 + np.exp(-score))
        if not explain:
            return prob.tolist(), []
        signed = contrib.reshape(n, width) * np.where(prob >= np.asarray(bars), 1.0, -1.0)[:, None]
        top = np.argsort(-signed, axis=1)[:, :_TOP_EVIDENCE]
        tops = [[(int(i), float(signed[r, i])) for i in top[r]] for r in range(n)]
        return prob.tolist(), tops

    def _predict_py(self, rows: Sequence[Sequence[float]], explain: bool, bars: list[float],
                    ) -> tuple[list[float], list[list[tuple[int, float]]]]:
        import heapq
        import math

        feat, thr, left, right, value = self.feat, self.thr, self.left, self.right, self.value
        probs, tops = [], []
        for row, bar in zip(rows, bars, strict=True):
            contrib = [0.0] * len(row)
            score = self.base
            for node in self.roots:
                while left[node] != node:
                    f = feat[node]
                    nxt = left[node] if row[f] <= thr[node] else right[node]
                    contrib[f] += value[nxt] - value[node]
                    node = nxt
                score += value[node]
            prob = 1.0 / (1.0 + math.exp(-score))
            sign = 1.0 if prob >= bar else -1.0
            probs.append(prob)
            if not explain:
                continue
            tops.append(heapq.nlargest(_TOP_EVIDENCE, ((i, sign * c) for i, c in
                                                        enumerate(contrib)),
                                       key=lambda ic: ic[1]))
        return probs, tops


class ContentModel:
    """The shipped decision: a block model (is this text block main content?) whose view of a
    link's surroundings feeds the link model, which decides content or not."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.threshold = float(data["threshold"])
        # where the hand rules already say content, a lower bar (a hybrid chosen out-of-fold)
        self.rule_threshold = float(data.get("rule_content_threshold", self.threshold))
        self.block: Ensemble | None = None
        if data.get("block"):
            if list(data["block"]["features"]) != list(FEATURES):
                raise ValueError("block model was trained on other features; retrain it")
            self.block = Ensemble(data["block"])
        expected = LINK_FEATURES if self.block is not None else FEATURES
        if list(data["features"]) != list(expected):
            raise ValueError("content model was trained on other features; retrain it")
        self.features = expected
        self.link = Ensemble(data["link"], self.threshold)

    @classmethod
    def load(cls, path: str | Path) -> ContentModel:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=8)
def _load(path: str) -> ContentModel | None:
    if not Path(path).exists():
        return None
    return ContentModel.load(path)


def default_model() -> ContentModel | None:
    """The shipped model (or the file named by ``LINKCRAWL_CONTENT_MODEL``); None if absent."""
    return _load(os.environ.get(_ENV) or str(MODEL_PATH))


def _feature_note(name: str, value: float) -> str:
    """A feature as evidence: ``class:widget@2`` (levels up), ``feat:link_density=0.80``."""
    if name.startswith(("class:", "tag:", "role:")):
        return f"{name}@{int(value)}" if value < FAR else f"{name}:absent"
    if name.startswith(("loc:", "kind:")):
        return f"rule-{name}" if value else f"rule-{name}:no"
    return f"feat:{name}={value:.2f}"


def _evidence(prob: float, top: list[tuple[int, float]], row: Sequence[float], content: bool,
              names: Sequence[str]) -> tuple[str, ...]:
    notes = [f"model:{'content' if content else 'not-content'} p={prob:.2f}"]
    notes += [_feature_note(names[i], row[i]) for i, c in top if c > 0]
    return tuple(notes)


class _PageFacts(NamedTuple):
    stats: PageStats
    main_chars: int
    main_span: tuple[int, int]


def _page_facts(locator: Any) -> _PageFacts:
    """Page statistics, built once per :class:`PageLocator` and kept on it."""
    known = getattr(locator, "_model_facts", None)
    if known is None:
        root = locator.root
        stats = PageStats(root)
        main = locator.main
        main_chars = sum(stats.chars.get(el, 0) for el in main)
        if main:
            first = min(stats.order.get(el, 0) for el in main)
            last = max(stats.order.get(d, 0) for el in main for d in el.iter())
        else:
            first = last = 0
        known = _PageFacts(stats, main_chars, (first, last))
        locator._model_facts = known
    return known


def _row(facts: _PageFacts, locator: Any, el: etree._Element, url: str, anchor: str,
         is_image: bool, rel: str) -> tuple[list[float], tuple[Verdict, bool, Any, str, bool]]:
    result = locator.rule_locate(el, url, anchor)
    _, _, region, shape, social = result
    site = locator._site
    row = link_features(
        facts.stats, el, anchor=anchor, is_image=is_image,
        same_site=bool(site) and bool(url) and site_of(url) == site, rel=rel,
        region_location=region.location, region_kind=region.kind, in_main=region.in_main,
        hidden=region.hidden, teaser=bool(shape), social=social,
        main_chars=facts.main_chars, main_span=facts.main_span)
    return row, result


def block_rows(locator: Any) -> tuple[list[etree._Element], dict[etree._Element, str],
                                      dict[etree._Element, Any], list[list[float]]]:
    """(text blocks, their own text, element -> owning block, feature rows) of the page."""
    facts = _page_facts(locator)
    blocks, texts, owner = page_blocks(locator.root)
    blocks = [b for b in blocks if len(texts[b]) >= BLOCK_MIN_CHARS]
    rows = [_row(facts, locator, b, "", texts[b], False, "")[0] for b in blocks]
    return blocks, texts, owner, rows


def _block_context(locator: Any, block_model: Ensemble) -> BlockContext:
    known = getattr(locator, "_model_blocks", None)
    if known is None:
        blocks, texts, owner, rows = block_rows(locator)
        probs, _ = block_model.predict(rows, explain=False)
        known = locator._model_blocks = BlockContext(blocks, texts, owner, probs)
    return known


def features_of(locator: Any, items: Sequence[LinkInput], model: ContentModel | None = None,
                ) -> tuple[list[list[float]], list[tuple[Verdict, bool, Any, str, bool]]]:
    """Feature rows and the hand rules' results for ``items`` (training and inference);
    with a two-stage ``model``, the block model's view of each link's surroundings too."""
    facts = _page_facts(locator)
    rows, ruled = [], []
    for item in items:
        row, result = _row(facts, locator, item.el, item.url, item.anchor, item.is_image,
                           item.rel)
        rows.append(row)
        ruled.append(result)
    if model is not None and model.block is not None and items:
        ctx = _block_context(locator, model.block)
        for item, row in zip(items, rows, strict=True):
            row += stage2_features(facts.stats, ctx, item.el)
    return rows, ruled


def _named_region(locator: Any, el: etree._Element) -> str:
    """The nearest non-content region an ancestor's own markup names ("" when none)."""
    node = el.getparent()
    while node is not None:
        signal = locator._signal(node)
        if signal is not None and signal[0] != "content":
            return signal[0]
        node = node.getparent()
    return ""


def locate_links(locator: Any, items: Sequence[LinkInput],
                 model: ContentModel | None = None,
                 use_model: bool = True, list_page: bool = False) -> list[tuple[Verdict, bool]]:
    """(verdict, inside <noscript>) of each link: the model decides content or not; the rules
    name the region of links that are not content. Without a model (or ``use_model``
    false), the rules alone. On a ``list_page`` (a directory, links, partners or sponsors
    page, whose body is a list of links) a link the rules put in the content stays there:
    the model learned from pages where link lists are mostly boilerplate."""
    model = (model or default_model()) if use_model else None
    if model is None:
        return [locator.locate(i.el, i.url, i.anchor) for i in items]
    rows, ruled = features_of(locator, items, model)
    bars = [model.rule_threshold if r[0].value == "content" else model.threshold for r in ruled]
    probs, contribs = model.link.predict(rows, bars=bars)
    out = []
    for item, row, prob, contrib, bar, (verdict, in_noscript, region, _, _) in zip(
            items, rows, probs, contribs, bars, ruled, strict=True):
        # hidden links (inline style, ``hidden``) are never content, whatever the model says
        content = ((prob >= bar or (list_page and verdict.value == "content"))
                   and not region.hidden and "style:hidden" not in verdict.evidence)
        evidence = _evidence(prob, contrib, row, content, model.features)
        confidence = round(max(prob, 1.0 - prob), 2)
        if content:
            if verdict.value != "content":
                evidence = (*evidence, f"rule:{verdict.value}")
            out.append((Verdict("content", confidence, evidence), in_noscript))
        elif verdict.value != "content":
            out.append((Verdict(verdict.value, verdict.confidence,
                                (*verdict.evidence, *evidence)), in_noscript))
        else:
            named = _named_region(locator, item.el)
            location = named or ("other" if region.location in ("", "content") else
                                 region.location)
            out.append((Verdict(location, min(confidence, rules.CONFIDENCE["density"]),
                                (*evidence, *verdict.evidence)), in_noscript))
    return out

