"""URL rules as data: tracking parameters, schemes nobody can follow, redirect wrappers.

Read by :mod:`linkcrawl.web.urls`; each table says where it comes from.
"""

from __future__ import annotations

import re

__all__ = [
    "REDIRECT_HOSTS", "REDIRECT_PARAMS_STRONG", "REDIRECT_PARAMS_WEAK", "REDIRECT_PATH_WORDS",
    "SKIP_SCHEMES", "TRACKING_PARAMS", "TRACKING_PREFIXES",
]

# Tracking parameters: the project's normalization rules (brief), which follow the parameters
# that Google Analytics/Ads (utm_*, gclid, _ga), Meta (fbclid, igshid), Microsoft Ads (msclkid),
# Mailchimp (mc_cid, mc_eid), Yandex (yclid) and Twitter (ref_src) append to links.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {"gclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "_ga", "yclid", "igshid", "ref_src"}
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

# Schemes that never lead to a crawlable page (HTML spec: javascript:, mailto:, tel:, data:;
# the rest seen in hrefs of real pages: app and OS handlers).
SKIP_SCHEMES: frozenset[str] = frozenset(
    {"javascript", "mailto", "tel", "data", "sms", "callto", "skype", "whatsapp", "fax",
     "file", "about", "blob", "chrome", "intent", "market", "itms-apps", "geo", "news", "irc"}
)

# Wrappers whose target parameter is known: (host regex, path regex, parameter names).
# An empty name tuple means the whole query string is the target (href.li/?https://...).
# Sources: the outbound link formats that Google Search (/url?q=), Facebook and Instagram
# (l.php?u=), YouTube (/redirect?q=), Reddit (out.reddit.com?url=), VK (away.php?to=),
# LinkedIn (/redir/redirect?url=), DuckDuckGo (/l/?uddg=), Tumblr (t.umblr.com/redirect?z=),
# Steam (/linkfilter/?url=), Outlook Safe Links (?url=) and Slack (slack-redir.net/link?url=)
# put in their pages. Share buttons (facebook.com/sharer.php?u=) are not wrappers.
REDIRECT_HOSTS: tuple[tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(host_rx), re.compile(path_rx), names)
    for host_rx, path_rx, names in (
        (r"^(www\.|news\.url\.)?google\.[a-z]{2,3}(\.[a-z]{2})?$", r"^/url$", ("q", "url")),
        (r"^(l|lm|m|www)\.facebook\.com$", r"^/l\.php$", ("u",)),
        (r"^l\.instagram\.com$", r"", ("u",)),
        (r"^(www\.|m\.)?youtube\.com$", r"^/redirect$", ("q",)),
        (r"^out\.reddit\.com$", r"", ("url",)),
        (r"^(m\.)?vk\.com$", r"^/away\.php$", ("to",)),
        (r"^away\.vk\.com$", r"", ("to",)),
        (r"^(www\.)?linkedin\.com$", r"^/redir/redirect", ("url",)),
        (r"^(html\.)?duckduckgo\.com$", r"^/l/?$", ("uddg",)),
        (r"^t\.umblr\.com$", r"^/redirect$", ("z",)),
        (r"^steamcommunity\.com$", r"^/linkfilter/?$", ("url",)),
        (r"\.safelinks\.protection\.outlook\.com$", r"", ("url",)),
        (r"^slack-redir\.net$", r"^/link$", ("url",)),
        (r"^(href\.li|anon\.to|nullrefer\.com)$", r"", ()),
    )
)
# Query parameters that name a redirect target wherever they appear (?redirect=, ?goto=).
REDIRECT_PARAMS_STRONG: tuple[str, ...] = (
    "redirect", "redirect_to", "redirect_url", "redirecturl", "redir", "goto", "dest",
    "destination", "desturl", "outurl", "out_url", "exiturl",
)
# Generic parameter names, trusted only on a redirector path (/out?url=, /go?to=): elsewhere
# they mean other things (share buttons: sharer.php?u=, intent/tweet?url=).
REDIRECT_PARAMS_WEAK: tuple[str, ...] = ("url", "u", "to", "target", "link", "href", "r", "q")
# Path words of redirect scripts seen in WordPress plugins (/go/, /out/, /recommends/),
# forum engines (/redirect.php, /proxy.php, /away.php) and affiliate link managers.
REDIRECT_PATH_WORDS: frozenset[str] = frozenset(
    {"out", "go", "goto", "redirect", "redir", "away", "exit", "leave", "outgoing", "external",
     "link", "click", "visit", "jump", "recommends", "refer", "proxy", "r", "l", "url", "track"}
)
