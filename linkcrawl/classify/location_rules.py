"""Rules for link location, as data. Each table says where it comes from.

Read by :mod:`linkcrawl.classify.location`; change the rules here, not there.
"""

from __future__ import annotations

import re

# HTML Living Standard, "Sections" and "Grouping content": what each sectioning element is for.
# <article>/<main> are left to the main-content detector (an <article> can be a teaser card).
TAG_LOCATIONS: dict[str, str] = {
    "nav": "navigation",
    "header": "header",
    "footer": "footer",
    "aside": "sidebar",
    "menu": "navigation",
    # <figure>: "self-contained content ... referenced from the main flow": images, their
    # credits and embedded teasers, not the running text.
    "figure": "other",
}
# Tags that mark the page's main content (HTML Living Standard: <main>, <article>).
CONTENT_TAGS: frozenset[str] = frozenset({"main", "article"})

# WAI-ARIA 1.2 landmark and widget roles (https://www.w3.org/TR/wai-aria-1.2/#landmark_roles);
# "comment" is from WAI-ARIA 1.3 (draft) and used by some comment systems already.
ROLE_LOCATIONS: dict[str, str] = {
    "navigation": "navigation",
    "menu": "navigation",
    "menubar": "navigation",
    "banner": "header",
    "contentinfo": "footer",
    "complementary": "sidebar",
    "comment": "comment",
    "main": "content",
    "article": "content",
}

# schema.org microdata (itemprop / itemtype) that says what a block is.
ITEMPROP_LOCATIONS: dict[str, str] = {
    "articlebody": "content",
    "text": "content",
    "breadcrumb": "breadcrumb",
    "comment": "comment",
}
ITEMTYPE_LOCATIONS: dict[str, str] = {
    "breadcrumblist": "breadcrumb",
    "comment": "comment",
    "wpsidebar": "sidebar",
    "wpfooter": "footer",
    "wpheader": "header",
    "sitenavigationelement": "navigation",
}

# Words of class/id tokens (tokens split on "-", "_" and camelCase; whole words, never
# substrings), from the naming conventions of WordPress themes (widget-area, site-footer,
# comment-list, author-bio, entry-meta), Bootstrap and Bulma (navbar, breadcrumb), Drupal
# (region-sidebar), the "unlikely candidates" list of readability (Arc90/Mozilla) and
# recommendation widgets (Outbrain, Taboola).
CLASS_WORDS: dict[str, str] = {
    # navigation
    "nav": "navigation", "navbar": "navigation", "navigation": "navigation",
    "menu": "navigation", "menubar": "navigation", "topnav": "navigation",
    "subnav": "navigation", "mainnav": "navigation", "megamenu": "navigation",
    "pagination": "navigation", "pager": "navigation", "paging": "navigation",
    "skip": "navigation", "toc": "navigation", "drawer": "navigation",
    # header
    # ("logo" and "banner" are left out: "logo-grid" of sponsors, "promo-banner" in articles)
    "header": "header", "masthead": "header", "topbar": "header", "branding": "header",
    # footer
    "footer": "footer", "colophon": "footer", "copyright": "footer", "legal": "footer",
    # sidebar: complementary blocks (widgets, related-post rails, recommendation engines)
    "sidebar": "sidebar", "widget": "sidebar", "widgets": "sidebar", "aside": "sidebar",
    "rail": "sidebar", "related": "sidebar", "recommended": "sidebar",
    "recommendations": "sidebar", "trending": "sidebar", "popular": "sidebar",
    "outbrain": "sidebar", "taboola": "sidebar", "blogroll": "sidebar", "sidebox": "sidebar",
    "promo": "sidebar", "sponsored": "sidebar", "teaser": "sidebar", "teasers": "sidebar",
    # comments (WordPress, Disqus, phpBB/vBulletin/Discourse post lists are forum *content*)
    "comment": "comment", "comments": "comment", "commentlist": "comment",
    "disqus": "comment", "respond": "comment", "replies": "comment", "reply": "comment",
    "discussion": "comment", "livefyre": "comment", "coral": "comment",
    # author bio boxes and bylines
    "author": "author_bio", "bio": "author_bio", "byline": "author_bio",
    "authorbox": "author_bio", "vcard": "author_bio", "contributor": "author_bio",
    # forum signatures (phpBB "signature", vBulletin "signaturecontainer", XenForo
    # "message-signature") and poster profiles: the author's own links under each post
    "signature": "author_bio", "signaturecontainer": "author_bio", "postprofile": "author_bio",
    # breadcrumbs
    "breadcrumb": "breadcrumb", "breadcrumbs": "breadcrumb", "crumbs": "breadcrumb",
    "crumb": "breadcrumb",
    # other page furniture that is never an editorial link
    "share": "other", "sharing": "other", "social": "other", "sharedaddy": "other",
    "tags": "other", "tag": "other", "tagcloud": "other", "categories": "other",
    "cookie": "other", "consent": "other", "gdpr": "other", "newsletter": "other",
    "subscribe": "other", "signup": "other", "modal": "other", "popup": "other",
    "advert": "other", "advertisement": "other", "ads": "other", "ad": "other",
    "cta": "other", "calltoaction": "other",  # HubSpot "hs-cta-wrapper" and the like
    "caption": "other", "credit": "other", "credits": "other",  # image captions/credits
    "meta": "other", "postinfo": "other", "postmeta": "other",  # WordPress "entry-meta"
}
# Whole class/id tokens that mark main content (WordPress "entry-content", Blogger
# "post-body", schema-minded themes "article-body", news CMSs "story-body").
CONTENT_CLASSES: frozenset[str] = frozenset(
    {"entry-content", "post-content", "article-content", "article-body", "articlebody",
     "story-body", "post-body", "post-entry", "entry-body", "article__body", "story-content",
     "article-text", "post-text", "blog-post", "postbody", "td-post-content", "content-body"}
)
# After one of these words the rest of a token is a layout flag, not a region (WordPress
# body classes "has-sidebar", "no-sidebar"; "with-comments"; "stack--has-header").
NEUTRAL_PREFIXES: frozenset[str] = frozenset({"has", "with", "no", "without", "hide", "show"})
# Words that make a whole class token neutral: embedded posts ("social-media-embed",
# "twitter-tweet") are quoted content, not share buttons.
NEUTRAL_WORDS: frozenset[str] = frozenset({"embed", "embedded", "tweet", "oembed"})

# Known comment systems and forum engines, by id/class token (their embed and post markup as
# the engines ship it).
ENGINE_TOKENS: dict[str, tuple[str, str]] = {
    "disqus_thread": ("comment", "engine:disqus"),
    "fb-comments": ("comment", "engine:facebook-comments"),
    "livefyre-comments": ("comment", "engine:livefyre"),
    "coral_thread": ("comment", "engine:coral"),
    "hyvor-talk-view": ("comment", "engine:hyvor"),
    "commento": ("comment", "engine:commento"),
    "wpdiscuz": ("comment", "engine:wpdiscuz"),
    "wpd-thread": ("comment", "engine:wpdiscuz"),
    "comment-list": ("comment", "engine:wordpress"),
    "commentlist": ("comment", "engine:wordpress"),
    "comment-respond": ("comment", "engine:wordpress"),
    "utterances": ("comment", "engine:utterances"),
    "giscus": ("comment", "engine:giscus"),
    # forum engines: the body of each post (its signature is "author_bio" by CLASS_WORDS)
    "postbody": ("content", "engine:phpbb"),
    "postcontent": ("content", "engine:vbulletin"),
    "bbwrapper": ("content", "engine:xenforo"),
    "cooked": ("content", "engine:discourse"),
    "post_body": ("content", "engine:mybb"),
    "ipstype_richtext": ("content", "engine:invision"),
}
# Kinds of content evidence trusted outside the density detector's main block (every post of
# a forum thread, not just the longest one).
STRONG_CONTENT_KINDS: frozenset[str] = frozenset({"engine", "itemprop"})

# Locations specific enough that a class/id naming them refines what a generic element or
# role says (<nav class="breadcrumbs">, <aside class="author-box">, <section role="region"
# id="comments">).
SPECIFIC_LOCATIONS: frozenset[str] = frozenset({"breadcrumb", "comment", "author_bio"})

# How strongly a region holds the links inside it against an inner region's signal: an outer
# region wins only when it ranks higher. A comment's author link stays a comment; a <nav> in
# the page footer is footer; a <nav> in the header is navigation.
DOMINANCE: dict[str, int] = {
    "comment": 4,
    "breadcrumb": 3,
    "footer": 2,
    "sidebar": 2,
    "author_bio": 2,
    "navigation": 1,
    "header": 1,
    "other": 0,  # weakest: any named region around it wins (an "entry-meta" in a <header>)
    "content": 0,
}

# Confidence by kind of evidence: markup made for the purpose beats naming conventions, which
# beat text statistics.
CONFIDENCE: dict[str, float] = {
    "engine": 0.95,
    "style": 0.9,
    "itemprop": 0.9,
    "itemtype": 0.9,
    "role": 0.9,
    "tag": 0.85,
    "class": 0.75,
    "id": 0.75,
    "density": 0.6,
    "none": 0.3,
}

# Main-content detector, after readability (Arc90; Mozilla's Readability.js): a paragraph
# (<p>, <pre>, <li>) counts from 25 characters unless over half of it is link text, and
# scores 1 + 1 per 100 characters of non-link text, at most 4; text split by <br> scores
# 1 + 1 per 100 characters. Its container gets the score, the container's parent half. The
# best container needs 5 points; a rival among the next four with half its score, found
# within 3 levels up, makes their common ancestor the main content (an article in chunks);
# siblings scoring over 20% of the best (and over 10) join it. Markup weighs candidates:
# content markup x1.5, boilerplate markup or a comment thread around it x0.3, <body> x0.5.
DENSITY: dict[str, float] = {
    "min_paragraph_chars": 25,
    "max_paragraph_link_density": 0.5,
    "max_paragraph_score": 4.0,
    "min_main_score": 5.0,
    "sibling_ratio": 0.2,
    "alternative_ratio": 0.5,
    "max_climb": 3,
    "body_weight": 0.5,
    "min_sibling_score": 10.0,
    "content_boost": 1.5,
    "boilerplate_penalty": 0.3,
    # A block is "link only" when its non-link text is at most 20 characters ("Related:",
    # "READ MORE:") or a quarter of it.
    "link_only_other_chars": 20,
    "link_only_other_share": 0.25,
}

# Block-level elements that make up running text (HTML Living Standard, "flow content" that is
# not phrasing content): the unit a link's surrounding text is read from.
TEXT_BLOCKS: frozenset[str] = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "figcaption", "pre", "div", "section", "article", "aside", "header", "footer", "nav",
     "main", "address", "caption", "form", "body"}
)

# HTML Living Standard heading content.
HEADINGS: tuple[str, ...] = ("h1", "h2", "h3", "h4", "h5", "h6")

# Social networks whose profile links close many articles ("Follow us on Facebook, @handle"),
# by registrable domain, with the names such links are anchored by.
SOCIAL_SITES: frozenset[str] = frozenset(
    {"twitter.com", "x.com", "facebook.com", "instagram.com", "youtube.com", "linkedin.com",
     "pinterest.com", "tiktok.com", "t.me", "threads.net", "snapchat.com", "tumblr.com",
     "reddit.com", "flickr.com", "vk.com", "mastodon.social", "bsky.app"}
)
SOCIAL_NAMES: frozenset[str] = frozenset(
    {"twitter", "x", "facebook", "instagram", "youtube", "linkedin", "pinterest", "tiktok",
     "telegram", "threads", "snapchat", "tumblr", "reddit", "flickr", "vk", "mastodon",
     "bluesky", "follow us", "follow me", "like us", "rss"}
)
# Words of "Follow us on ...", "Subscribe to our channel" anchors to those networks.
FOLLOW_WORDS: frozenset[str] = frozenset({"follow", "subscribe", "like", "join"})

# Inline styles that hide an element from readers: CSS display/visibility, and the off-screen
# positioning (left/top/text-indent of -999px and beyond) that link spam injected into pages
# uses; Google's spam policies name both ("hidden text and links").
HIDDEN_STYLE_RE: re.Pattern[str] = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden"
    r"|(?:^|[;\s])(?:left|top|text-indent|margin-left)\s*:\s*-(?:9{3,}|\d{4,})",
    re.IGNORECASE,
)
