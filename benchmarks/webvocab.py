"""Data for the benchmark web's pages: site kinds, words, markup styles (see webpages.py).

Everything here is made up for this benchmark. The three markup styles imitate layouts a
backlink crawler meets: HTML5 landmarks with WordPress class names, old div-and-id layouts,
and utility-class layouts where only ARIA roles and data attributes name the regions.
"""

from __future__ import annotations

import json

TARGET_HOSTS = ("acme-widgets.test", "rival-gadgets.test")
KINDS = ("blog", "news", "forum", "directory", "corporate")
FANOUT = 8  # tree links: page i links to pages FANOUT*i+1 .. FANOUT*i+FANOUT
MIN_BYTES, MAX_BYTES = 5_000, 120_000
MIN_LINKS, MAX_LINKS = 50, 290  # page totals land in ~50-300 once chrome is added

# Made up for this benchmark: plain words for text, slugs and site names.
WORDS = (
    "garden", "kitchen", "travel", "review", "guide", "market", "city", "river", "coffee",
    "design", "studio", "bike", "trail", "winter", "summer", "family", "health", "music", "photo",
    "story", "local", "simple", "modern", "classic", "green", "urban", "quick", "daily", "weekly",
    "small", "big", "open", "bright", "quiet", "wild", "north", "south", "harbor", "valley",
    "forest", "paper", "glass", "metal", "wood", "stone", "light", "shadow", "signal", "network",
    "engine", "widget", "gadget", "module", "budget", "price", "value", "quality", "service",
    "support", "account", "update", "release", "version", "feature", "people", "team", "club",
    "school", "village", "county", "region", "season", "festival", "event", "ticket", "museum",
    "recipe", "bread", "soup", "salad", "cheese", "honey", "apple", "lemon", "pepper", "garlic",
    "tomato", "onion", "pasta", "rice", "camera", "lens", "phone", "laptop", "screen", "battery",
    "cable", "charger", "speaker", "router", "printer", "monitor", "running", "hiking", "cycling",
    "sailing", "fishing", "climbing", "camping", "skiing", "rowing", "chess", "poetry", "history",
    "science", "nature", "ocean", "planet", "energy", "climate", "water", "garden", "tools",
    "repair", "build", "paint", "craft", "knit", "sew", "pottery", "print", "frame", "poster",
    "letter", "journal", "notes", "diary", "archive", "first", "second", "third", "last", "best",
    "new", "old", "great", "little", "long", "short", "early", "late", "slow", "fast",
)
ACCENTED = ("café", "naïve", "façade", "jalapeño", "über", "crème", "fiancée")
NAME_SUFFIXES = ("blog", "news", "forum", "hub", "times", "world", "lab", "post", "daily", "co")
AUTHORS = ("Ana", "Ben", "Chloé", "Dev", "Emma", "Farid", "Greta", "Hiro", "Ines", "Jon")

# (open, close) markup per region; three families of real-world layouts.
STYLES: list[dict[str, tuple[str, str]]] = [
    {  # HTML5 landmarks, WordPress class names
        "header": ('<header id="masthead" class="site-header">', "</header>"),
        "nav": ('<nav id="site-navigation" class="main-navigation" aria-label="Primary">'
                '<ul class="menu">', "</ul></nav>"),
        "main": ('<main id="main" class="site-main">', "</main>"),
        "article": ('<article class="post hentry"><div class="entry-content">', "</div></article>"),
        "side": ('<aside id="secondary" class="widget-area">', "</aside>"),
        "widget": ('<section class="widget"><h2 class="widget-title">%s</h2><ul>',
                   "</ul></section>"),
        "comments": ('<div id="comments" class="comments-area"><h2>Comments</h2>'
                     '<ol class="comment-list">', "</ol></div>"),
        "comment": ('<li class="comment"><article class="comment-body">'
                    '<footer class="comment-meta"><b class="fn">%s</b></footer>'
                    '<div class="comment-content">',
                    "</div></article></li>"),
        "footer": ('<footer id="colophon" class="site-footer">', "</footer>"),
        "crumbs": ('<nav class="breadcrumbs" aria-label="Breadcrumb">', "</nav>"),
        "related": ('<section class="related-posts"><h3>Related posts</h3><ul>', "</ul></section>"),
        "bio": ('<div class="author-bio"><h4>About the author</h4><p>', "</p></div>"),
    },
    {  # div soup with ids, table-era class names
        "header": ('<div id="header"><div class="logo">', "</div></div>"),
        "nav": ('<div id="menu"><ul class="nav">', "</ul></div>"),
        "main": ('<div id="content" class="col-left">', "</div>"),
        "article": ('<div class="entry">', "</div>"),
        "side": ('<div id="sidebar" class="col-right">', "</div>"),
        "widget": ('<div class="box"><h3>%s</h3><ul>', "</ul></div>"),
        "comments": ('<div id="comments"><h3>Responses</h3>', "</div>"),
        "comment": ('<div class="comment"><div class="comment-author">%s</div>'
                    '<div class="comment-text">', "</div></div>"),
        "footer": ('<div id="footer">', "</div>"),
        "crumbs": ('<div class="breadcrumb">', "</div>"),
        "related": ('<div class="related"><h3>See also</h3><ul>', "</ul></div>"),
        "bio": ('<div class="authorbox"><p>', "</p></div>"),
    },
    {  # utility classes; only ARIA roles and data attributes say what a region is
        "header": ('<div class="sticky top-0 flex items-center" role="banner">', "</div>"),
        "nav": ('<div class="flex gap-4" role="navigation"><ul class="flex">', "</ul></div>"),
        "main": ('<div class="mx-auto max-w-3xl" role="main">', "</div>"),
        "article": ('<div class="prose lg:prose-xl" itemprop="articleBody">', "</div>"),
        "side": ('<div class="hidden w-1/4 md:block" role="complementary">', "</div>"),
        "widget": ('<div class="rounded p-4"><p class="font-bold">%s</p><ul>', "</ul></div>"),
        "comments": ('<div class="mt-8 space-y-4" data-section="responses"><p>Discussion</p>',
                     "</div>"),
        "comment": ('<div class="border p-3" data-type="reply"><span class="font-semibold">%s'
                    "</span><div>", "</div></div>"),
        "footer": ('<div class="bg-gray-900 text-white" role="contentinfo">', "</div>"),
        "crumbs": ('<ol class="flex text-sm" itemscope '
                   'itemtype="https://schema.org/BreadcrumbList">', "</ol>"),
        "related": ('<div class="grid grid-cols-3"><p>More like this</p><ul>', "</ul></div>"),
        "bio": ('<div class="flex items-start" itemprop="author"><p>', "</p></div>"),
    },
]
SCRIPT = ("<script>window.dataLayer=window.dataLayer||[];"
           "function gtag(){dataLayer.push(arguments)}gtag('js',new Date());"
           "var siteConfig=" + json.dumps({f"feature_{k}": k % 3 == 0 for k in range(60)})
           + ";</script>")
