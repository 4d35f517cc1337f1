"""One reading of a target for every command: the table of what each input means."""

from __future__ import annotations

import pytest

from linkcrawl.errors import ConfigError
from linkcrawl.web.targets import parse_target, parse_targets


@pytest.mark.parametrize(("given", "host", "domain", "note"), [
    ("acme.com", "acme.com", "acme.com", ""),
    ("ACME.COM", "acme.com", "acme.com", ""),
    ("  acme.com  ", "acme.com", "acme.com", ""),
    ("acme.com.", "acme.com", "acme.com", ""),
    ("acme.com/", "acme.com", "acme.com", ""),
    ("www.acme.com", "acme.com", "acme.com", ""),
    ("WWW.Acme.Com", "acme.com", "acme.com", ""),
    ("blog.acme.com", "blog.acme.com", "acme.com", ""),
    ("shop.acme.co.uk", "shop.acme.co.uk", "acme.co.uk", ""),
    ("alice.blogspot.com", "alice.blogspot.com", "alice.blogspot.com", ""),
    ("bücher.example", "xn--bcher-kva.example", "xn--bcher-kva.example", ""),
    ("BÜCHER.example", "xn--bcher-kva.example", "xn--bcher-kva.example", ""),
    ("xn--bcher-kva.example", "xn--bcher-kva.example", "xn--bcher-kva.example", ""),
    ("https://acme.com/page?x=1", "acme.com", "acme.com", "is a URL"),
    ("http://www.acme.com:8080/", "acme.com", "acme.com", "is a URL"),
    ("HTTPS://BÜCHER.example/", "xn--bcher-kva.example", "xn--bcher-kva.example", "is a URL"),
    ("*.acme.com", "acme.com", "acme.com", "covers its subdomains"),
    ("*.blog.acme.com", "blog.acme.com", "acme.com", "covers its subdomains"),
    ("192.0.2.7", "192.0.2.7", "192.0.2.7", ""),
    ("under_score.acme.com", "under_score.acme.com", "acme.com", ""),
])
def test_a_target_means_one_thing(given: str, host: str, domain: str, note: str) -> None:
    target = parse_target(given)
    assert (target.host, target.domain) == (host, domain)
    assert (note in target.note) if note else target.note == ""


@pytest.mark.parametrize(("given", "words"), [
    ("", "empty"),
    ("   ", "empty"),
    ("acme.com:8080", "no port"),
    ("acme.com:", "no port"),
    ("acme.com/blog", "not a path"),
    ("acme.com/blog/", "not a path"),
    ("acme .com", "space"),
    ("co.uk", "public suffix"),
    ("www.co.uk", "public suffix"),
    ("com", "expected a domain"),
    ("localhost", "expected a domain"),
    ("a*.acme.com", "'*'"),
    ("*", "'*'"),
    ("*.*.acme.com", "'*'"),
    ("ftp://acme.com/", "http"),
    ("mailto:x@acme.com", "expected a domain"),
    ("http://acme.com:99999/", "not a valid URL"),
    ("http:///path", "http"),
    ("[::1]", "expected a domain"),
    ("-acme.com", "expected a domain"),
    ("acme-.com", "expected a domain"),
    ("a..b.com", "expected a domain"),
    ("acme!.com", "expected a domain"),
    ("x" * 64 + ".com", "expected a domain"),
])
def test_what_is_not_a_target_is_refused_with_a_reason(given: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_target(given, where="targets.txt line 4")
    message = str(caught.value)
    assert words in message
    assert repr(given) in message and "targets.txt line 4" in message
    assert "\n" not in message


def test_the_same_target_given_twice_is_kept_once() -> None:
    found = parse_targets(["acme.com", "WWW.ACME.COM", "https://acme.com/x", "rival.com"])
    assert [t.host for t in found] == ["acme.com", "rival.com"]
