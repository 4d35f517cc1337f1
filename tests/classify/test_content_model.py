"""The learned main-content decision: tree evaluation, features, and the shipped model."""

from __future__ import annotations

import math

import lxml.html
import pytest

from linkcrawl.analysis.extract import extract_links, read_page
from linkcrawl.classify import content_model
from linkcrawl.classify._blocks import FAR, FEATURES, PAGE_KINDS, PageStats, page_blocks
from linkcrawl.classify.content_model import ContentModel, Ensemble, _feature_note

# One tree: x0 <= 0.5 -> leaf -1.0, else (x1 <= 2.0 -> 0.5, else 2.0); inner values for the
# contributions. Worked by hand below.
_TREE = {"feat": [0, -1, 1, -1, -1], "thr": [0.5, 0, 2.0, 0, 0], "left": [1, -1, 3, -1, -1],
         "right": [2, -1, 4, -1, -1], "value": [0.1, -1.0, 1.0, 0.5, 2.0], "depth": 2}


@pytest.mark.parametrize(("row", "score", "contrib0", "contrib1"), [
    ([0.0, 9.0], -1.0, -1.1, 0.0),   # left at the root: leaf -1.0; x0 moved 0.1 -> -1.0
    ([1.0, 1.0], 0.5, 0.9, -0.5),    # right, then left: 0.1 -> 1.0 -> 0.5
    ([1.0, 3.0], 2.0, 0.9, 1.0),     # right, right: 0.1 -> 1.0 -> 2.0
])
@pytest.mark.parametrize("use_numpy", [True, False])
def test_ensemble_scores_and_contributions(monkeypatch: pytest.MonkeyPatch, row: list[float],
                                           score: float, contrib0: float, contrib1: float,
                                           use_numpy: bool) -> None:
    if not use_numpy:
        monkeypatch.setattr(content_model, "np", None)
    elif content_model.np is None:
        pytest.skip("numpy not installed")
    ens = Ensemble({"trees": [_TREE]}, threshold=0.5)
    probs, tops = ens.predict([row])
    import math
    assert probs[0] == pytest.approx(1 / (1 + math.exp(-score)))
    sign = 1.0 if probs[0] >= 0.5 else -1.0
    by_feature = dict(tops[0])
    assert by_feature[0] == pytest.approx(sign * contrib0)
    assert by_feature[1] == pytest.approx(sign * contrib1)


@pytest.mark.parametrize(("name", "value", "note"), [
    ("class:widget", 2.0, "class:widget@2"),
    ("tag:nav", FAR, "tag:nav:absent"),
    ("loc:sidebar", 1.0, "rule-loc:sidebar"),
    ("loc:content", 0.0, "rule-loc:content:no"),
    ("block_link_density", 0.8, "feat:block_link_density=0.80"),
])
def test_feature_notes(name: str, value: float, note: str) -> None:
    assert _feature_note(name, value) == note


def test_page_stats_and_blocks_count_text_once() -> None:
    root = lxml.html.document_fromstring(
        "<html><body><div id=a>Intro text <p>Para with <a href='/x'>a link</a> in it.</p>"
        "<script>var x = 1;</script></div></body></html>")
    stats = PageStats(root)
    div = root.get_element_by_id("a")
    p = div.find("p")
    assert stats.chars[p] == len("Para with a link in it.")
    assert stats.link_chars[div] == len("a link")
    assert stats.links[div] == 1 and stats.paras[div] == 1
    blocks, texts, owner = page_blocks(root)
    assert texts[div] == "Intro text"  # the paragraph's text is the paragraph's own
    assert texts[p] == "Para with a link in it."
    assert owner[p.find("a")] is p
    assert blocks.index(div) < blocks.index(p)


def test_model_file_matches_the_features() -> None:
    model = content_model.default_model()
    assert model is not None, "linkcrawl/classify/content_model.json is missing"
    assert isinstance(model, ContentModel)
    assert list(model.features[: len(FEATURES)]) == list(FEATURES)
    assert content_model.MODEL_PATH.stat().st_size < 1_000_000


_ARTICLE = """<html><head><title>Growing tomatoes</title></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/garden">Garden guides</a></li>
<li><a href="/about">About our team</a></li></ul></nav></header>
<main><article><h1>Growing tomatoes on a balcony</h1>
<p>Tomatoes need six hours of sun and a deep pot. The seed supplier
<a href="https://seeds.example/cherry">sells a compact cherry variety</a> that stays under a
metre, which suits a small balcony where wind is a problem for taller plants.</p>
<p>Water in the morning, feed every two weeks once the first flowers open, and pinch out the
side shoots so the plant puts its energy into fruit rather than leaves and stems.</p>
<p>Harvest when the fruit is fully coloured and slightly soft; the flavour is better than
anything picked green and ripened on a windowsill, and the plants keep cropping for weeks.</p>
<p>A balcony in full wind dries the pot out quickly, so a saucer under it and a layer of mulch
on top of the soil keep the roots from drying out between waterings on hot afternoons.</p>
<p>At the end of the season, cut the plants down, keep the soil for next year's herbs, and
write down which variety did best; next spring that note saves a lot of guessing at the shop.</p>
</article></main>
<footer><ul><li><a href="/privacy">Privacy and cookie policy</a></li>
<li><a href="/contact">Contact the editors here</a></li></ul></footer></body></html>"""


def test_shipped_model_separates_body_link_from_menus() -> None:
    root = lxml.html.document_fromstring(_ARTICLE)
    facts = read_page(root, "https://garden.example/tomatoes", {})
    links = {link.anchor_text: link for link in extract_links(root, facts)}
    body = links["sells a compact cherry variety"]
    assert body.location == "content"
    assert body.location_evidence[0].startswith("model:content p=")
    assert links["Privacy and cookie policy"].location == "footer"
    assert links["About our team"].location == "navigation"
    assert any(e.startswith("model:not-content") for e in
               links["Contact the editors here"].location_evidence)


@pytest.mark.parametrize(
    ("head", "says"),
    [
        ('<meta property="og:type" content="article">', {"says_article"}),
        ('<meta property="og:type" content="product.item">', {"says_product"}),
        ('<meta name="og:type" content="website">', set()),
        ('<script type="application/ld+json">{"@type": "NewsArticle"}</script>',
         {"says_article"}),
        ('<script type="application/ld+json">{"@graph": [{"@type": ["Product", "Thing"]},'
         ' {"@type":"BreadcrumbList"}]}</script>', {"says_product"}),
        ('<script type="application/ld+json">{"@type": "http://schema.org/ItemList"}</script>',
         {"says_listing"}),
        ('<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>',
         {"says_forum"}),
        ('<script>var x = {"@type": "Article"};</script>', set()),  # not JSON-LD
        ('<meta property="og:title" content="article">', set()),
    ],
)
def test_what_the_page_says_it_is(head: str, says: set[str]) -> None:
    root = lxml.html.document_fromstring(
        f"<html><head>{head}</head><body><article><h1>T</h1><p>x</p></article>"
        "<article><p>y</p></article></body></html>")
    kinds = PageStats(root).page_kind
    assert {k for k, v in zip(PAGE_KINDS, kinds, strict=False) if v} == says
    assert kinds[len(PAGE_KINDS):] == [math.log1p(2), math.log1p(1)]  # <article>s, <h1>s
