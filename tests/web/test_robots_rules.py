"""The robots.txt rule that keeps search engines off a linking page, read as Google does."""

from __future__ import annotations

import pytest
from protego import Protego

from linkcrawl.web.robots import SearchRules, blocking_rule, search_engine_rules

GOOGLE_OFF_SYNDICATED = """\
User-agent: Googlebot
Disallow: /syndicated/
Allow: /syndicated/public-

User-agent: *
Disallow: /admin/
"""

MERGED = """\
User-agent: googlebot
Disallow: /a/

Sitemap: http://x.test/sitemap.xml

User-agent: bingbot
Disallow: /

User-agent: Googlebot
Disallow: /b/
"""

SHARED_GROUP = """\
User-agent: bingbot
User-agent: Googlebot/2.1  # a version is not part of the product token
Disallow: /shared
Crawl-delay: 5
User-agent: *
Disallow: /
"""


@pytest.mark.parametrize(
    ("text", "agent", "rules"),
    [
        (GOOGLE_OFF_SYNDICATED, "googlebot",
         (("disallow", "/syndicated/"), ("allow", "/syndicated/public-"))),
        ("User-agent: *\nDisallow: /private\n", "*", (("disallow", "/private"),)),
        (MERGED, "googlebot", (("disallow", "/a/"), ("disallow", "/b/"))),
        (SHARED_GROUP, "googlebot", (("disallow", "/shared"),)),
        ("User-agent: *\nDisallow:\n", "*", ()),  # empty Disallow: all allowed
        ("User-agent: bingbot\nDisallow: /\n", "", ()),  # no group for Google: all allowed
        ("", "", ()),
        ("<!doctype html><title>404 Not Found</title>", "", ()),
    ],
)
def test_the_group_google_obeys(text: str, agent: str, rules: tuple) -> None:
    assert search_engine_rules(text) == SearchRules(agent, rules)


@pytest.mark.parametrize(
    ("text", "path", "rule"),
    [
        (GOOGLE_OFF_SYNDICATED, "/syndicated/copy.html", "googlebot Disallow: /syndicated/"),
        (GOOGLE_OFF_SYNDICATED, "/syndicated/public-copy.html", ""),  # longer Allow wins
        (GOOGLE_OFF_SYNDICATED, "/admin/x", ""),  # the * group is not Google's here
        (GOOGLE_OFF_SYNDICATED, "/", ""),
        ("User-agent: *\nDisallow: /private\n", "/private-notes.html",
         "* Disallow: /private"),
        ("User-agent: *\nDisallow: /*.php$\n", "/index.php", "* Disallow: /*.php$"),
        ("User-agent: *\nDisallow: /*.php$\n", "/index.php?x=1", ""),  # $ is the end
        ("User-agent: *\nDisallow: /*?sort=\n", "/list?sort=asc", "* Disallow: /*?sort="),
        ("User-agent: *\nDisallow: /p\nAllow: /p\n", "/page", ""),  # a tie: Allow wins
        ("User-agent: *\nDisallow: /\n", "/robots.txt", ""),  # robots.txt itself
        ("User-agent: *\nDisallow: /\n", "/anything", "* Disallow: /"),
        (MERGED, "/b/page.html", "googlebot Disallow: /b/"),
        (SHARED_GROUP, "/shared-page", "googlebot Disallow: /shared"),
    ],
)
def test_blocking_rule(text: str, path: str, rule: str) -> None:
    url = f"http://site.test{path}"
    assert blocking_rule(search_engine_rules(text), url) == rule
    # the crawl's verdict comes from Protego: it agrees with the rule found here
    assert Protego.parse(text).can_fetch(url, "Googlebot") is (rule == "")
