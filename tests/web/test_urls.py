"""URL helpers: normalization, redirect unwrapping, href resolution (tables + properties)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcrawl.web.urls import TRACKING_PARAMS, normalize_url, resolve_href, unwrap_redirect

BASE = "http://blog.test/dir/page.html?x=1"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com/a#frag", "http://example.com/a"),
        ("http://example.com/#", "http://example.com/"),
        ("http://example.com?", "http://example.com/"),
        ("http://example.com./a", "http://example.com/a"),
        ("http://example.com/A/B?Q=V", "http://example.com/A/B?Q=V"),  # path and query kept
        ("http://example.com/a/./b/../c", "http://example.com/a/c"),
        ("http://example.com/b?z=1&a=2", "http://example.com/b?z=1&a=2"),  # order kept
        ("http://example.com/%7euser/%7E", "http://example.com/~user/~"),  # unreserved
        ("http://example.com/a%2fb%3a", "http://example.com/a%2Fb%3A"),  # reserved: upper
        ("http://example.com/a b", "http://example.com/a%20b"),
        ("http://example.com/caf\u00e9", "http://example.com/caf%C3%A9"),
        ("http://example.com/100%", "http://example.com/100%25"),
        ("http://example.com/?q=a+b&r=%41", "http://example.com/?q=a+b&r=A"),
        ("http://b\u00fccher.de/", "http://xn--bcher-kva.de/"),
        ("http://B\u00dcCHER.de/", "http://xn--bcher-kva.de/"),
        ("http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/"),
        ("http://stra\u00dfe.de/", "http://xn--strae-oqa.de/"),  # UTS 46 non-transitional
        ("http://\u65e5\u672c.jp/", "http://xn--wgv71a.jp/"),
        ("http://\u2603.net/", "http://xn--n3h.net/"),
        ("http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "http://example.com/"),
        ("http://my_host.example.com/", "http://my_host.example.com/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://127.0.0.1:80/", "http://127.0.0.1/"),
        ("  http://example.com/\n", "http://example.com/"),
        ("http://user@example.com/", "http://user@example.com/"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected
    assert normalize_url(expected) == expected


@pytest.mark.parametrize("param", [*sorted(TRACKING_PARAMS), "utm_source", "utm_medium",
                                   "utm_campaign", "utm_term", "utm_content", "UTM_Source"])
def test_every_tracking_parameter_is_removed(param: str) -> None:
    assert normalize_url(f"https://example.com/p?a=1&{param}=x&b=2") == "https://example.com/p?a=1&b=2"
    assert normalize_url(f"https://example.com/p?{param}=x") == "https://example.com/p"


def test_lookalike_parameters_stay() -> None:
    assert normalize_url("https://e.com/?utm=1&gclid2=3&ref=4") == "https://e.com/?utm=1&gclid2=3&ref=4"


@pytest.mark.parametrize(
    "url",
    ["", "example.com/a", "/relative", "ftp://example.com/", "mailto:a@b.test",
     "javascript:alert(1)", "http://", "http:///path", "http://exa mple.com/",
     "http://example.com:99999/", "http://[::1/", "http://a..b/", "http://\u2603\u2603.%%/"],
)
def test_normalize_url_rejects_unusable(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(url)


def test_normalize_url_rejects_non_strings() -> None:
    with pytest.raises(ValueError):
        normalize_url(None)  # type: ignore[arg-type]


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_normalize_url_only_raises_value_error_and_is_idempotent(text: str) -> None:
    for candidate in (text, "http://example.com/" + text, "https://" + text):
        try:
            once = normalize_url(candidate)
        except ValueError:
            continue
        assert normalize_url(once) == once


@given(st.from_regex(r"https?://[a-zA-Z0-9.\-]{1,20}(:[0-9]{1,5})?(/[ -~]{0,30})?", fullmatch=True))
@settings(max_examples=300, deadline=None)
def test_normalizing_twice_changes_nothing(url: str) -> None:
    try:
        once = normalize_url(url)
    except ValueError:
        return
    assert normalize_url(once) == once


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://blog.test/out?url=https://example.com/a", "https://example.com/a"),
        ("https://blog.test/out?url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1",
         "https://example.com/a?b=1"),
        ("https://blog.test/go/https%3A%2F%2Fexample.com%2Fp", "https://example.com/p"),
        ("https://blog.test/go/https://example.com/p?x=1", "https://example.com/p?x=1"),
        ("https://blog.test/go/aHR0cHM6Ly9leGFtcGxlLmNvbS8", "https://example.com/"),
        ("https://blog.test/recommends?to=http://example.com/", "http://example.com/"),
        ("https://blog.test/page?redirect=https://example.com/", "https://example.com/"),
        ("https://blog.test/login?redirect_to=https%3A%2F%2Fexample.com", "https://example.com"),
        ("https://www.google.com/url?q=https://example.com/x&sa=D", "https://example.com/x"),
        ("https://www.google.co.uk/url?url=https://example.com/x", "https://example.com/x"),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2F&h=AT0",
         "https://example.com/"),
        ("https://www.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2F", "https://example.com/"),
        ("https://l.instagram.com/?u=https%3A%2F%2Fexample.com%2F", "https://example.com/"),
        ("https://www.youtube.com/redirect?q=https%3A%2F%2Fexample.com%2F&v=1",
         "https://example.com/"),
        ("https://out.reddit.com/t3_x?url=https%3A%2F%2Fexample.com%2F", "https://example.com/"),
        ("https://vk.com/away.php?to=https%3A%2F%2Fexample.com%2F", "https://example.com/"),
        ("https://www.linkedin.com/redir/redirect?url=https%3A%2F%2Fexample.com",
         "https://example.com"),
        ("https://duckduckgo.com/l/?uddg=https%3A%2F%2Fexample.com%2F", "https://example.com/"),
        ("https://href.li/?https://example.com/a", "https://example.com/a"),
        # nested: Google wrapping Facebook wrapping the target
        ("https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3D"
         "https%253A%252F%252Fexample.com%252F", "https://example.com/"),
    ],
)
def test_unwrap_redirect(url: str, target: str) -> None:
    assert unwrap_redirect(url) == (target, url)


@pytest.mark.parametrize(
    "url",
    [
        "https://t.co/AbCdEf",  # opaque shortener: the target is not in the URL
        "https://bit.ly/3xyz",
        "https://example.com/article?id=3",
        "https://www.facebook.com/sharer/sharer.php?u=https://example.com/",  # share button
        "https://twitter.com/intent/tweet?url=https://example.com/",
        "https://blog.test/login?next=https://example.com/",  # not a redirect parameter
        "https://blog.test/search?url=https://example.com/",  # generic name, no redirector path
        "https://blog.test/out?url=/relative/only",
        "https://blog.test/go/not-a-url",
    ],
)
def test_unwrap_leaves_other_urls_alone(url: str) -> None:
    assert unwrap_redirect(url) == (url, "")


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/a", "http://blog.test/a"),
        ("a/b", "http://blog.test/dir/a/b"),
        ("../c", "http://blog.test/c"),
        ("?q=2", "http://blog.test/dir/page.html?q=2"),
        ("//cdn.test/x", "http://cdn.test/x"),
        ("https://Example.com/x", "https://Example.com/x"),
        ("  /spaced  ", "http://blog.test/spaced"),
        ("/a b", "http://blog.test/a b"),
        ("\"http://example.com/q\"", "http://example.com/q"),
        ("'/quoted'", "http://blog.test/quoted"),
        ("/li\nne\tbreak", "http://blog.test/linebreak"),
        ("\\\\evil.test\\path", "http://evil.test/path"),
        ("http://b\u00fccher.de/", "http://b\u00fccher.de/"),
        ("/caf\u00e9", "http://blog.test/caf\u00e9"),
        ("page2.html#top", "http://blog.test/dir/page2.html#top"),
        # WHATWG "special authority ignore slashes": any run of slashes after http: is the host
        ("http:///host.test/x", "http://host.test/x"),
        ("http:////host.test/x", "http://host.test/x"),
        ("HTTP:///host.test/x?q=1", "http://host.test/x?q=1"),
        ("https:///host.test/", "https://host.test/"),
        ("http:\\\\\\host.test\\x", "http://host.test/x"),
        ("https:/host.test/x", "https://host.test/x"),  # another scheme than the base's
        ("https:host.test", "https://host.test"),
        ("http:/x", "http://blog.test/x"),  # the base's scheme, one slash: relative
        ("http:x", "http://blog.test/dir/x"),
    ],
)
def test_resolve_href(href: str, expected: str) -> None:
    assert resolve_href(href, BASE) == expected


@pytest.mark.parametrize(
    "href",
    ["", "   ", "#", "#section", "javascript:void(0)", "JavaScript:alert(1)", " javascript:x",
     "mailto:someone@example.com", "MAILTO:x@y.z", "tel:+123", "data:text/html,hi", "sms:1",
     "ftp://example.com/f", "http://", "http://[::1", "http://example.com:99999/",
     "https://exa mple.com/", "http:///", "https:///?q", "https:", "http:////"],
)
def test_resolve_href_skips_unusable(href: str) -> None:
    assert resolve_href(href, BASE) is None


def test_resolve_href_survives_a_huge_href() -> None:
    href = "/" + "a" * 100_000
    assert resolve_href(href, BASE) == "http://blog.test" + href


@given(st.text(max_size=100))
@settings(max_examples=300, deadline=None)
def test_resolve_href_never_raises(href: str) -> None:
    result = resolve_href(href, BASE)
    assert result is None or result.lower().startswith(("http://", "https://"))


@given(st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_unwrap_redirect_never_raises(text: str) -> None:
    for url in (text, "https://blog.test/go/" + text, "https://blog.test/out?url=" + text,
                "https://www.google.com/url?q=" + text):
        target, wrapper = unwrap_redirect(url)
        assert wrapper in ("", url)
        assert (target == url) == (wrapper == "")
