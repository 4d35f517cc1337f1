"""Seeds and targets from arguments and files: a bad line is named whole, with its place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linkcrawl.crawl.spider import check_spider_args, known_spider_args
from linkcrawl.errors import ConfigError
from linkcrawl.navigate.seeds import load_seeds, load_targets, parse_seed_line
from spiders.directories import DirectoriesSpider
from spiders.recheck import RecheckSpider
from spiders.sites import SitesSpider


@pytest.mark.parametrize(("line", "url", "flags"), [
    ("http://a.test/", "http://a.test/", set()),
    ("https://a.test/x?y=1", "https://a.test/x?y=1", set()),
    ("http://a.test/   js", "http://a.test/", {"js"}),
    ("http://a.test:8080/", "http://a.test:8080/", set()),
    ("http://a.test/a%20page", "http://a.test/a%20page", set()),
])
def test_a_seed_line_is_a_url_then_flags(line: str, url: str, flags: set[str]) -> None:
    seed = parse_seed_line(line)
    assert (seed.url, set(seed.flags)) == (url, flags)


@pytest.mark.parametrize(("line", "words"), [
    ("not a url", "expected a URL"),
    ("www.a.test", "expected http"),
    ("http://a.test/a page", "'page' is not a seed flag"),
    ("http://a.test/ jss", "'jss' is not a seed flag"),
    ("http://a.test:99999/", "port must be a number"),
    ("http://a.test:0/", "port 0"),
    ("http://a.test:x/", "port must be a number"),
    ("ftp://a.test/", "expected http"),
    ("http:///nohost", "expected http"),
    ("http://a..test/", "not a host name"),
    ("http://exa mple.test/", "is not a seed flag"),
])
def test_a_bad_seed_line_is_named_whole(line: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_seed_line(line, "seeds.txt line 7")
    message = str(caught.value)
    assert words in message and "seeds.txt line 7" in message
    assert line.split()[0] in message


def test_seeds_argument_splits_on_commas_only() -> None:
    with pytest.raises(ConfigError, match=re.escape("'http://a.test/a page'")):
        load_seeds("http://b.test/,http://a.test/a page", None)
    assert [s.url for s in load_seeds("http://b.test/, http://c.test/,,", None)] == [
        "http://b.test/", "http://c.test/"]
    with pytest.raises(ConfigError, match="is not a seed flag"):  # URLs and a flag: unclear
        load_seeds("http://b.test/ http://c.test/ js", None)
    assert [s.url for s in load_seeds("http://b.test/  http://c.test/", None)] == [
        "http://b.test/", "http://c.test/"]


def test_targets_file_lines_are_parsed_and_notes_kept(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("# mine\nACME.test\nhttps://www.rival.test/page  # theirs\n", encoding="utf-8")
    notes: list[str] = []
    assert load_targets("bücher.example", str(path), notes) == [
        "xn--bcher-kva.example", "acme.test", "rival.test"]
    assert len(notes) == 1 and "is a URL" in notes[0]
    path.write_text("acme.test other.test\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1\): one domain per line"):
        load_targets(None, str(path))


@pytest.mark.parametrize(("cls", "given", "suggested"), [
    (SitesSpider, "max_page", "max_pages"),
    (SitesSpider, "target", "targets"),
    (SitesSpider, "seed_file", "seeds_file"),
    (SitesSpider, "maxdepth", "max_depth"),
    (DirectoriesSpider, "max_listing", "max_listings"),
    (RecheckSpider, "older_then", "older_than"),
    (RecheckSpider, "verify_dealy", "verify_delay"),
])
def test_an_unknown_spider_argument_is_refused_with_the_closest_name(
    cls: type, given: str, suggested: str
) -> None:
    assert suggested in known_spider_args(cls)
    with pytest.raises(ConfigError, match=f"did you mean -a {suggested}\\?"):
        check_spider_args(cls, {given: "1"})


def test_scrapyd_and_brand_arguments_pass() -> None:
    check_spider_args(SitesSpider, {"_job": "abc", "brand_terms": "a.test=A"})
    with pytest.raises(ConfigError, match="known: brand_terms, max_depth"):
        check_spider_args(SitesSpider, {"zzzz": "1"})
