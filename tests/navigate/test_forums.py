"""Forum URL rules: boards, threads, pages to skip, per engine and generic."""

from __future__ import annotations

import pytest

from linkcrawl.navigate.forums import classify_forum_url, detect_engine, item_key

F = "http://f.test"


@pytest.mark.parametrize(
    ("path", "kind", "engine"),
    [
        # phpBB
        ("/viewforum.php?f=2", "board", "phpbb"),
        ("/viewtopic.php?f=2&t=1&start=5", "thread", "phpbb"),
        ("/viewtopic.php?p=2", "skip", "phpbb"),
        ("/viewtopic.php?f=2&t=1&view=print", "skip", "phpbb"),
        ("/ucp.php?mode=login", "skip", "phpbb"),
        ("/memberlist.php?mode=viewprofile&u=2", "skip", "phpbb"),
        ("/posting.php?mode=reply&f=2&t=1", "skip", "phpbb"),
        # vBulletin
        ("/forumdisplay.php?f=2", "board", "vbulletin"),
        ("/showthread.php?t=10&page=2", "thread", "vbulletin"),
        ("/threads/123-widget-talk", "thread", "vbulletin"),
        ("/printthread.php?t=10", "skip", "vbulletin"),
        ("/newreply.php?do=newreply&p=101", "skip", "vbulletin"),
        ("/member.php?u=3", "skip", "vbulletin"),
        # XenForo
        ("/forums/workshop.2/", "board", "xenforo"),
        ("/threads/lathe-help.7/page-2", "thread", "xenforo"),
        ("/threads/lathe-help.7/reply?quote=89", "skip", "xenforo"),
        ("/threads/lathe-help.7/latest", "skip", "xenforo"),
        ("/posts/89/", "skip", "xenforo"),
        ("/members/bob.5/", "skip", "xenforo"),
        # Discourse
        ("/c/tools/5", "board", "discourse"),
        ("/t/best-widget-oil/42", "thread", "discourse"),
        ("/t/best-widget-oil/42?page=2", "thread", "discourse"),
        ("/t/best-widget-oil/42/3", "skip", "discourse"),
        ("/u/alice", "skip", "discourse"),
        ("/login", "skip", "discourse"),
        # Invision
        ("/forum/3-general/", "board", "invision"),
        ("/topic/15-widget-recommendations/page/2/", "thread", "invision"),
        ("/topic/15-widget-recommendations/?do=findComment&comment=99", "skip", "invision"),
        ("/profile/12-carol/", "skip", "invision"),
        # generic fallback
        ("/boards/general.html", "board", "generic"),
        ("/topics/widget-maintenance.html", "thread", "generic"),
        ("/reply.html?topic=1", "skip", "generic"),
        ("/about-us.html", "other", "generic"),
    ],
)
def test_classify_forum_url(path: str, kind: str, engine: str) -> None:
    found = classify_forum_url(F + path)
    assert (found.kind, found.engine) == (kind, engine)


def test_detect_engine_by_majority_of_links() -> None:
    urls = [F + "/viewforum.php?f=1", F + "/viewtopic.php?t=3", F + "/threads/x.1/"]
    assert detect_engine(urls) == "phpbb"
    assert detect_engine([F + "/about.html"]) == "generic"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("/viewtopic.php?f=2&t=1", "/viewtopic.php?f=2&t=1&start=5", True),
        ("/viewtopic.php?f=2&t=1", "/viewtopic.php?f=2&t=2", False),
        ("/threads/x.7/", "/threads/x.7/page-2", True),
        ("/topic/15-x/", "/topic/15-x/page/2/", True),
        ("/t/x/42", "/t/x/42?page=2", True),
        ("/forums/a.1/", "/forums/b.2/", False),
    ],
)
def test_item_key_ignores_page_numbers_only(a: str, b: str, same: bool) -> None:
    assert (item_key(F + a) == item_key(F + b)) is same
