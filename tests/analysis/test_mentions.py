"""Unlinked brand mentions: terms, matching rules and the main-content pass."""

from __future__ import annotations

import pytest

from linkcrawl.analysis.encoding import parse_document
from linkcrawl.analysis.mentions import (
    BrandTerms,
    TextBlock,
    default_terms,
    find_mentions,
    main_text_blocks,
    page_mentions,
)
from linkcrawl.config import parse_brand_terms
from linkcrawl.errors import ConfigError

ACME = "acme-widgets.test"
BRANDS = BrandTerms([ACME, "rival-gadgets.test"], {})


@pytest.mark.parametrize(("target", "terms"), [
    ("acme-widgets.test", ["acme-widgets", "acme widgets"]),
    ("shop.acme.co.uk", ["acme"]),
    ("xn--bcher-kva.de", ["bücher"]),
    ("my_brand.test", ["my_brand", "my brand"]),
])
def test_default_terms_are_the_domain_name_without_suffix(target: str, terms: list[str]) -> None:
    assert default_terms(target) == terms


@pytest.mark.parametrize(("value", "expected"), [
    ("acme.test=Acme|ACME Widgets;b.test=Bee", {"acme.test": ["Acme", "ACME Widgets"],
                                                "b.test": ["Bee"]}),
    ({"WWW.Acme.test": ["Acme", " Acme  Co "]}, {"acme.test": ["Acme", "Acme Co"]}),
    ({"acme.test": "Acme|Acme"}, {"acme.test": ["Acme"]}),
    ("", {}),
    (None, {}),
])
def test_parse_brand_terms(value: object, expected: dict[str, list[str]]) -> None:
    assert parse_brand_terms(value) == expected


@pytest.mark.parametrize("value", ["acme.test", "acme.test=", "=Acme", 42])
def test_bad_brand_terms_are_config_errors(value: object) -> None:
    with pytest.raises(ConfigError):
        parse_brand_terms(value)


def terms_found(text: str, brands: BrandTerms = BRANDS, *, page_domain: str = "blog.test",
                linked: tuple[str, ...] = (), location: str = "content") -> list[tuple[str, str]]:
    found = find_mentions([TextBlock(text, location)], page_domain=page_domain,
                          linked_targets=linked, brands=brands)
    return sorted((m["target"], m["term"]) for m in found)


@pytest.mark.parametrize(("text", "expected"), [
    ("We tried Acme Widgets last week.", [(ACME, "acme widgets")]),
    ("ACME WIDGETS are loud", [(ACME, "acme widgets")]),  # any case
    ("acme\n   widgets wrapped over a line", [(ACME, "acme widgets")]),  # any whitespace
    ("Acme-Widgets and acme widgets", [(ACME, "acme widgets"), (ACME, "acme-widgets")]),
    ("visit acme-widgets.test for more", [(ACME, "acme-widgets")]),  # a bare domain counts
    ("Acme Widgetsmith is another shop", []),  # word boundary at the end
    ("SuperAcme Widgets", []),  # word boundary at the start
    ("Acme widgets-pro", []),  # a hyphen continues the word
    ("see https://acme-widgets.test/shop today", []),  # inside a URL
    ("see www.acme-widgets.test/shop today", []),
    ("cdn.acme-widgets.test/logo.png", []),  # host/path without a scheme
    ("mail sales@acme-widgets.test or acme-widgets@mail.test", []),  # inside e-mail addresses
    ("Rival Gadgets beat Acme Widgets", [(ACME, "acme widgets"),
                                         ("rival-gadgets.test", "rival gadgets")]),
    ("Über Acme Widgets schrieb die Zeitung: „sehr gut“.", [(ACME, "acme widgets")]),
    ("Обзор: Acme Widgets — лучшие виджеты.", [(ACME, "acme widgets")]),
    ("Acme Widgets（日本語のレビュー）", [(ACME, "acme widgets")]),
    ("nothing about the brand here", []),
])
def test_matching_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert terms_found(text) == expected


def test_a_page_that_links_to_the_target_gives_no_mention_of_it() -> None:
    text = "Rival Gadgets beat Acme Widgets"
    assert terms_found(text, linked=(ACME,)) == [("rival-gadgets.test", "rival gadgets")]


def test_the_targets_own_pages_are_skipped() -> None:
    assert terms_found("Acme Widgets news", page_domain="acme-widgets.test") == []


@pytest.mark.parametrize(("location", "counted"), [
    ("content", True), ("comment", True), ("author_bio", True), ("footer", False),
    ("navigation", False), ("sidebar", False), ("header", False), ("other", False),
])
def test_only_main_content_locations_count(location: str, counted: bool) -> None:
    assert bool(terms_found("Acme Widgets", location=location)) is counted


def test_explicit_terms_replace_the_default_and_non_latin_terms_work() -> None:
    brands = BrandTerms([ACME], {ACME: ["Акме", "ACME W."]})
    assert terms_found("Отзыв об Акме и acme w. здесь; acme widgets", brands) == [
        (ACME, "ACME W."), (ACME, "Акме")]


def test_one_mention_per_term_with_occurrences_and_context() -> None:
    long = "x " * 200 + "Acme Widgets once. " + "y " * 200 + "Acme Widgets twice."
    (mention,) = find_mentions([TextBlock(long), TextBlock("acme widgets again")],
                               page_domain="blog.test", linked_targets=(), brands=BRANDS)
    assert mention["occurrences"] == 3
    assert "Acme Widgets once." in mention["context"]
    assert len(mention["context"]) <= 150
    assert mention["target_domain"] == ACME and mention["location"] == "content"


PAGE = b"""<html><body>
<nav><a href="/">Home</a> Acme Widgets deals in the menu</nav>
<article><h1>Our workshop</h1>
<p>Last month we rebuilt the whole bench with parts from Acme Widgets, and the result was
better than expected. The clamps held, the rails stayed true and nothing squeaked.</p>
<p>Another paragraph with plenty of words so the density detector sees running text here,
about wood, glue and the patience that both of them need.</p>
</article>
<footer>Sponsored by Acme Widgets</footer>
</body></html>"""


def test_main_text_blocks_carry_their_location() -> None:
    blocks = main_text_blocks(parse_document(PAGE), "http://blog.test/post")
    assert any("parts from Acme Widgets" in b.text and b.location == "content" for b in blocks)
    assert not any("Sponsored" in b.text or "menu" in b.text for b in blocks)


def test_page_mentions_reads_main_content_only() -> None:
    found = page_mentions(parse_document(PAGE), "http://blog.test/post", "blog.test", (), BRANDS)
    assert [(m["term"], m["location"]) for m in found] == [("acme widgets", "content")]
    assert "parts from Acme Widgets" in found[0]["context"]
    footer_only = PAGE.replace(b"parts from Acme Widgets", b"parts from a shop")
    assert page_mentions(parse_document(footer_only), "http://blog.test/post", "blog.test",
                         (), BRANDS) == []


def test_context_is_cut_at_word_boundaries() -> None:
    text = "gamma " * 40 + "Acme Widgets" + " epsilon" * 40
    (mention,) = find_mentions([TextBlock(text)], page_domain="blog.test", linked_targets=(),
                               brands=BRANDS)
    words = mention["context"].split()
    assert words[0] == "gamma" and words[-1] == "epsilon", mention["context"]
    assert "Acme Widgets" in mention["context"] and len(mention["context"]) <= 150
