"""Anchor classes, table-driven; rules for a made-up target shopbrand.test."""

from __future__ import annotations

import pytest

from linkcrawl.analysis.mentions import default_terms
from linkcrawl.classify.anchors import ANCHOR_CLASSES, AnchorRules, anchor_class, brand_terms

RULES = AnchorRules.for_target("shop-brand.test", brand=["SB Tools"],
                               keywords=["garden widgets", "widget repair"])


@pytest.mark.parametrize(("anchor", "is_image", "expected"), [
    ("", False, "empty"),
    ("   ", False, "empty"),
    ("…", False, "empty"),
    ("", True, "image"),
    ("Shop Brand logo", True, "image"),
    ("https://shop-brand.test/widgets", False, "naked_url"),
    ("www.shop-brand.test", False, "naked_url"),
    ("shop-brand.test", False, "naked_url"),
    ("Shop Brand", False, "branded"),
    ("ShopBrand", False, "branded"),
    ("shop-brand widgets", False, "branded"),
    ("the SB tools catalogue", False, "branded"),
    ("Click here", False, "generic"),
    ("Read more »", False, "generic"),
    ("website", False, "generic"),
    ("Garden Widgets", False, "exact_match"),
    ("garden widgets!", False, "exact_match"),
    ("cheap garden widgets for sale", False, "partial_match"),
    ("repair guide", False, "partial_match"),
    ("a lovely article", False, "other"),
    ("shopping", False, "other"),
])
def test_anchor_class(anchor: str, is_image: bool, expected: str) -> None:
    assert anchor_class(anchor, is_image=is_image, rules=RULES) == expected


def test_without_keywords_nothing_is_a_keyword_match() -> None:
    assert anchor_class("garden widgets", rules=AnchorRules.for_target("x.test")) == "other"


@pytest.mark.parametrize(("domain", "expected"), [
    ("acme-widgets.com", ["acme widgets", "acmewidgets", "acme-widgets"]),
    ("www.example.co.uk", ["example"]),
    # the registrable domain's name, not the first label: as unlinked mentions read it
    ("shop.acme-widgets.co.uk", ["acme widgets", "acmewidgets", "acme-widgets"]),
    ("xn--bcher-kva.de", ["bücher"]),
])
def test_brand_terms_from_the_domain(domain: str, expected: list[str]) -> None:
    assert brand_terms(domain) == expected
    spaced = {t.replace("-", " ") for t in default_terms(domain)}
    assert spaced <= set(brand_terms(domain))  # anchors and mentions agree on the name


def test_every_class_is_reachable() -> None:
    samples = ["", "x", "http://a.test", "shop brand", "here", "garden widgets", "widget fix",
               "zzz"]
    got = {anchor_class(s, rules=RULES) for s in samples} | {anchor_class("", is_image=True)}
    assert got == set(ANCHOR_CLASSES)
