"""Which directory links lead to categories, listings and further pages, and which to skip.

A pure function of a link's URL and the class words on its DOM path. Common directory
scripts are recognised by their URL schemes; any other directory by the generic
"category list -> listing cards" markup that nearly all of them share.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from linkcrawl.navigate.traps import page_number

__all__ = ["CATEGORY", "LISTING", "PAGE", "SKIP", "classify_directory_link"]

CATEGORY, LISTING, PAGE, SKIP, OTHER = "category", "listing", "page", "skip", "other"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# URL schemes, matched against lower-cased "path?query". Sources: phpLD / PHP Link
# Directory (index.php?c=, /detail/link-N.html), eSyndiCat (/LISTING-N.html), WordPress
# Business Directory Plugin (wpbdp_category, /wpbdp_listing/), GeoDirectory (/places/),
# Brilliant Directories and generic themes (/category/, /listing/, /business/, /company/).
SKIP_URL = _rx(
    r"/(search|submit|add|add-listing|add_link|addlink|submit-listing|suggest|login|register"
    r"|signup|account|contact|report|claim|write-review|review/new|rss|feed|print|tell-a-friend)"
    r"(\.php|\.html?|/|$|\?)|[?&](action|do)=(add|submit|report|claim|search)|/out\.php|/go\.php"
)
CATEGORY_URL = _rx(
    r"/(category|categories|cat|c|browse|dir|directory|section|wpbdp_category|branche)/[^/]"
    r"|[?&](c|cat|cat_id|category|category_id|wpbdp_category)=\w"
    r"|/category\.php|/browse\.php"
)
LISTING_URL = _rx(
    r"/(listing|listings|business|businesses|company|companies|detail|details|site|entry"
    r"|place|places|biz|wpbdp_listing|firma)/[^/]"
    r"|/link-\d+|/listing-\d+|[-_/]l\d+\.html?$"
    r"|/(detail|details|listing|site|link|entry)\.php\?"
)
# Class/id words on the way to a link (LinkItem.dom_path). Sources: the same scripts'
# default themes and the schema.org-minded markup of listing cards.
CATEGORY_CLASS_WORDS = ("category", "categories", "subcat", "cat-list", "catlist", "dir-cat")
LISTING_CLASS_WORDS = ("listing", "link-item", "site-entry", "dir-entry", "directory-entry",
                       "business-card", "result-item", "wpbdp-listing")


def classify_directory_link(url: str, dom_path: str = "", rel: tuple[str, ...] = ()) -> str:
    """category, listing, page (pagination), skip or other, for a same-site link."""
    parts = urlsplit(url)
    target = unquote(parts.path).lower() + (f"?{parts.query.lower()}" if parts.query else "")
    if SKIP_URL.search(target):
        return SKIP
    if "next" in rel or "prev" in rel or page_number(url):
        return PAGE
    if LISTING_URL.search(target):
        return LISTING
    if CATEGORY_URL.search(target):
        return CATEGORY
    path = dom_path.lower()
    if "breadcrumb" in path or "nav" in path.split(" > ")[0:1]:
        return OTHER
    if any(word in path for word in LISTING_CLASS_WORDS):
        return LISTING
    if any(word in path for word in CATEGORY_CLASS_WORDS):
        return CATEGORY
    return OTHER
