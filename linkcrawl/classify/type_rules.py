"""Keyword lists, URL patterns and engine fingerprints that page and link typing use.

Everything here is data: extend a list and the classifiers pick it up. Each list says where
its entries come from. Phrases are matched case- and accent-insensitively on word
boundaries (``fold``), so "Förderer" also matches "forderer" and "FÖRDERER".
Languages: English, German, French and Spanish for sponsor, partner, guest-post, press and
directory wording; forum and schema markers are language-independent.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# --- forum engines -------------------------------------------------------------------------
# Markup conventions read from each engine's default templates/themes as served on public
# boards: phpBB 3.x prosilver, vBulletin 4/5, XenForo 2, Discourse (Ember app and its
# crawler view), Invision Community 4/5, Simple Machines 2.x, MyBB 1.8.


@dataclass(frozen=True, slots=True)
class ForumEngine:
    name: str
    generator: str  # regex on <meta name="generator">
    markers: frozenset[str]  # class/id tokens (or data-* values) that only this engine uses
    post_classes: frozenset[str]  # class tokens of one post's box; their count = posts
    index_classes: frozenset[str]  # class tokens of a topic/forum list row
    thread_url: str  # regex on the URL path+query of a thread
    index_url: str  # regex on the URL path+query of a forum/topic list
    footer: str  # folded "powered by" credit


FORUM_ENGINES: tuple[ForumEngine, ...] = (
    ForumEngine("phpbb", r"phpbb", frozenset({"phpbb", "section-viewtopic", "section-viewforum"}),
                frozenset({"postbody"}), frozenset({"topiclist", "topictitle", "forumtitle"}),
                r"viewtopic\.php", r"(viewforum|index)\.php", "powered by phpbb"),
    ForumEngine("vbulletin", r"vbulletin",
                frozenset({"postbitlegacy", "postcontainer", "threadbit", "b-post"}),
                frozenset({"postcontainer", "postbit", "postbitlegacy", "b-post"}),
                frozenset({"threadbit", "forumbit_post", "threadtitle", "topic-item"}),
                r"showthread\.php|/threads?/\d+", r"forumdisplay\.php|/forums?/",
                "powered by vbulletin"),
    ForumEngine("xenforo", r"xenforo", frozenset({"xf", "thread_view", "forum_view", "bbwrapper"}),
                frozenset({"message--post"}),
                frozenset({"structitem--thread", "node--forum", "block--category"}),
                r"/threads/[^/]+\.\d+", r"/forums/[^/]+\.\d+|/forums/?$", "xenforo"),
    ForumEngine("discourse", r"discourse",
                frozenset({"topic-post", "crawler-post", "topic-list", "cooked"}),
                frozenset({"topic-post", "crawler-post"}),
                frozenset({"topic-list-item", "topic-list"}),
                r"/t/[^/]+/\d+", r"/(latest|top|categories|c/[^/]+)/?$", "discourse"),
    ForumEngine("invision", r"invision",
                frozenset({"ipsapp", "ipscomment", "cpost", "ipsdataitem", "ctopiclist"}),
                frozenset({"cpost"}), frozenset({"ipsdataitem", "ctopiclist"}),
                r"/topic/\d+", r"/forum/\d+", "powered by invision community"),
    ForumEngine("smf", r"\bsmf\b|simple machines", frozenset({"post_wrapper", "windowbg"}),
                frozenset({"post_wrapper"}), frozenset({"topic_table"}),
                r"[?&;]topic=\d+", r"[?&;]board=\d+", "simple machines"),
    # Forumotion (forumotion.com, forumieren.com, forumactif.com): phpBB2/3- and
    # Invision-like themes; these tokens are its own templates'.
    ForumEngine("forumotion", r"forumotion|forumactif|forumieren",
                frozenset({"signature_div", "postprofile-head", "postbody-head",
                           "popmenubutton-new-out"}),
                frozenset({"post-container", "postbody"}), frozenset({"topictitle"}),
                r"^/t\d+-", r"^/f\d+-", "forumotion"),
    # Stack Exchange Q&A (Stack Overflow and the network): questions and answers are the
    # forum's posts; class tokens of its "Stacks" templates.
    ForumEngine("stackexchange", r"stack ?exchange",
                frozenset({"answercell", "postcell", "js-post-body", "question-hyperlink"}),
                frozenset({"answercell", "postcell"}), frozenset({"s-post-summary"}),
                r"/questions/\d+", r"/questions/?$|/questions/tagged/", "stack exchange inc"),
    ForumEngine("mybb", r"mybb", frozenset({"post_body", "post_author", "tborder"}),
                frozenset({"post_body"}), frozenset({"subject_new", "subject_old"}),
                r"showthread\.php\?tid=|/thread-\d+", r"forumdisplay\.php\?fid=|/forum-\d+",
                "powered by mybb"),
)

# Page templates of forum software add-ons that publish articles, media and resources, not
# threads (XenForo's data-template: XenAddons AMS "xa_ams_article_view", XenForo Media
# Gallery "xfmg_media_view", Resource Manager "xfrm_resource_view"; Invision Pages records):
# such a page is typed on its own merits (an article), not as a forum page.
FORUM_ARTICLE_TEMPLATES: frozenset[str] = frozenset(
    {"xa_ams_article_view", "xa_ams_index", "xfmg_media_view", "xfrm_resource_view",
     "xa_sc_item_view", "ipspages_records"}
)
# Generic forum markup: class tokens of a post box used by hand-written and lesser-known
# boards (seen on FluxBB/PunBB "blockpost", Vanilla "Comment"/"ItemDiscussion", bbPress
# "bbp-reply-content").
GENERIC_POST_CLASSES: frozenset[str] = frozenset(
    {"forum-post", "forumpost", "blockpost", "bbp-reply-content", "itemdiscussion",
     "thread-post", "post-reply", "reply-body"}
)
GENERIC_INDEX_CLASSES: frozenset[str] = frozenset(
    {"topic-row", "thread-row", "forum-topics", "topic-list", "thread-list", "bbp-topics",
     "discussionlist"}
)
# URL paths of threads/boards on most engines and hand-made forums.
FORUM_THREAD_URL = r"/(threads?|topics?|discussions?|viewtopic|showthread)[/.\-]"
FORUM_INDEX_URL = r"/(forums?|boards?|community|foren)(/|$)"
# Words on a forum page's chrome: member stats and thread tools (en/de/fr/es defaults of the
# engines above).
FORUM_WORDS: tuple[str, ...] = (
    "reply with quote", "quote", "posts:", "joined:", "registered:", "post reply",
    "beitrage:", "registriert:", "mitglied seit", "zitieren", "antworten",
    "messages :", "inscrit le", "citer", "repondre",
    "mensajes:", "registrado:", "citar", "responder",
)

# --- schema.org / OpenGraph ----------------------------------------------------------------
# schema.org type names (https://schema.org/Article and subtypes). "PressRelease" is not a
# schema.org type but newsroom plugins emit it.
ARTICLE_SCHEMA: frozenset[str] = frozenset(
    {"article", "blogposting", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
     "opinionnewsarticle", "backgroundnewsarticle", "techarticle", "scholarlyarticle",
     "report", "socialmediaposting", "liveblogposting", "posting"}
)
PRESS_SCHEMA: frozenset[str] = frozenset({"pressrelease"})
# QAPage (schema.org): Stack Exchange, Discourse Q&A and other question/answer boards.
FORUM_SCHEMA: frozenset[str] = frozenset({"discussionforumposting", "qapage"})
LISTING_SCHEMA: frozenset[str] = frozenset({"itemlist", "localbusiness", "collectionpage"})
# OpenGraph og:type values (https://ogp.me/#types).
OG_ARTICLE: frozenset[str] = frozenset({"article", "blog", "news"})

# --- press releases ------------------------------------------------------------------------
# Distribution services whose pages are press releases by definition (the wires US, UK, DE,
# FR and ES companies use; list compiled by hand from their own "about" pages). Registrable
# domains, or the host where the wire is one host of a larger site (news.cision.com).
WIRE_DOMAINS: frozenset[str] = frozenset(
    {"prnewswire.com", "prnewswire.co.uk", "businesswire.com", "globenewswire.com",
     "accesswire.com", "accessnewswire.com", "einpresswire.com", "newswire.com", "prweb.com",
     "prlog.org", "newsfilecorp.com", "newswire.ca", "24-7pressrelease.com", "issuewire.com",
     "openpr.com", "openpr.de", "presseportal.de", "pressebox.de", "pr-gateway.de",
     "firmenpresse.de", "ots.at", "mynewsdesk.com", "news.cision.com", "actusnews.com",
     "categorynet.com", "comunicae.es", "notasdeprensa.es",
     # science and association wires: idw (Informationsdienst Wissenschaft, German
     # universities and institutes), verbaende.com (German associations' press portal),
     # EurekAlert! (AAAS), AlphaGalileo, Chainwire (crypto)
     "idw-online.de", "verbaende.com", "eurekalert.org", "alphagalileo.org", "chainwire.org"}
)
# Phrases that open or label a release (AP style "FOR IMMEDIATE RELEASE"; the German, French
# and Spanish labels newsrooms print above the headline).
PRESS_LABELS: tuple[str, ...] = (
    "press release", "news release", "press statement",
    "pressemitteilung", "pressemeldung", "presseinformation",
    "communique de presse", "communique",
    "nota de prensa", "comunicado de prensa", "comunicado",
)
# Openers that only a release prints at its top (AP style), in any language's newsroom.
PRESS_OPENERS: tuple[str, ...] = (
    "for immediate release", "immediate release", "embargoed until", "embargo:",
    "zur sofortigen veroffentlichung", "sperrfrist", "pour diffusion immediate",
    "diffusion immediate", "para su publicacion inmediata", "para publicacion inmediata",
)
# Wire credit lines in the dateline ("/PRNewswire/", "(BUSINESS WIRE)").
WIRE_CREDIT = re.compile(
    r"/\s*(pr\s?newswire|prweb|einpresswire(\.com)?|globe newswire)\s*/"
    r"|\(\s*(business wire|globe newswire|access\s?wire|access newswire|newsfile corp\.?)\s*\)",
    re.I,
)
# Closing boilerplate: media contact blocks (the "###" / "-30-" end marks are read as-is).
PRESS_CONTACTS: tuple[str, ...] = (
    "media contact", "press contact", "media inquiries", "media relations", "investor contact",
    "pressekontakt", "medienkontakt", "kontakt fur medien",
    "contact presse", "contacts presse", "relations presse",
    "contacto de prensa", "contacto para medios", "contacto con medios",
)
# Closers that point readers to the issuer at the end of a release ("For more information,
# visit <url>", "Weitere Informationen: <url>"): on a reproduced release they hold the
# issuer's bare URL. Matched right before the anchor, or right after it ("Visit <url> for
# more information").
PRESS_MORE_INFO: tuple[str, ...] = (
    "for more information visit", "for more information, visit", "for more information",
    "for further information", "to learn more", "to learn more visit", "to learn more, visit",
    "learn more at", "more information at", "more information is available at",
    "weitere informationen", "weitere informationen unter",
    "mehr informationen", "mehr informationen unter", "informationen unter",
    "plus d'informations", "plus d'informations sur", "pour en savoir plus",
    "pour plus d'informations", "mas informacion", "para mas informacion", "mas informacion en",
)
PRESS_MORE_INFO_AFTER: tuple[str, ...] = (
    "for more information", "for further information", "to learn more", "for details",
    "fur weitere informationen", "pour plus d'informations", "para mas informacion",
)
# "About <Company>" boilerplate headings; what follows the word must not be a reader-facing
# section ("About the author", "About us").
ABOUT_PREFIXES: tuple[str, ...] = ("about", "uber", "a propos de", "a propos d'", "acerca de",
                                   "sobre")
ABOUT_NOT: tuple[str, ...] = (
    "the author", "author", "us", "me", "this", "the", "our", "den autor", "die autorin",
    "uns", "mich", "l'auteur", "nous", "moi", "el autor", "la autora", "nosotros", "mi",
)
# Month names for datelines ("LONDON, March 3, 2024 --", "Berlin, 3. März 2024 –",
# "Paris, le 3 mars 2024 -", "Madrid, 3 de marzo de 2024.-"), folded.
_MONTHS = (
    "jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|"
    "oct(ober)?|nov(ember)?|dec(ember)?|januar|februar|marz|mai|juni|juli|oktober|dezember|"
    "janvier|fevrier|mars|avril|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
DATELINE = re.compile(
    r"^[a-z][a-z .'\-]{1,40}(, [a-z][a-z .]{1,30})?,?\s*(le\s+)?("
    rf"({_MONTHS})\.? \d{{1,2}},? \d{{4}}"
    rf"|\d{{1,2}}\.? (de )?({_MONTHS})\.?,? (de )?\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})"
    r"\s*(/[^/]{2,30}/)?\s*(\([^)]{2,30}\))?\s*[-–—.:/]",
)
# Newsroom URL paths.
PRESS_URL = re.compile(
    r"/(press[-_]?releases?|news[-_]?releases?|pressemitteilungen?|presse(mitteilung)?|"
    r"communiques?([-_]de[-_]presse)?|notas?[-_]de[-_]prensa|comunicados?|newsroom)(/|$)", re.I
)

# --- articles ------------------------------------------------------------------------------
# Blog/news URL shapes: WordPress date permalinks, /blog/, /news/, /article/ sections.
ARTICLE_URL = re.compile(
    r"/(19|20)\d\d/\d\d?/|/(blog|news|articles?|posts?|stories|story|magazin|actualites?|"
    r"noticias?|beitrag|artikel)/[^/]+", re.I
)
# <body> classes that WordPress, Ghost and Hugo themes put on a single post.
ARTICLE_BODY_CLASSES: frozenset[str] = frozenset(
    {"single-post", "single", "post-template", "single-format-standard", "article-page",
     "blog-post"}
)

# --- guest posts ---------------------------------------------------------------------------
# Labels blogs print in the byline or intro of outreach posts (collected from guest-post
# guidelines pages in each language).
GUEST_WORDS: tuple[str, ...] = (
    "guest post", "guest author", "guest blogger", "guest contributor", "guest article",
    "guest column", "guest blog", "contributed by", "this article was contributed",
    # Substack ("A guest post by <name>"), Medium publications and WordPress bylines
    "a guest post by", "guest post by", "guest essay", "guest writer", "guest piece",
    "today's guest", "guest today", "written by guest",
    "gastbeitrag", "gastautor", "gastautorin", "gastartikel", "gastkommentar",
    "article invite", "billet invite", "auteur invite", "autrice invitee", "tribune libre",
    "articulo invitado", "post invitado", "autor invitado", "autora invitada",
    "colaboracion de", "articulo de colaboracion", "colaborador invitado",
)
# Social and profile hosts: an author box pointing there is not "pointing off-site" in the
# guest-post sense (staff bios link them too).
SOCIAL_DOMAINS: frozenset[str] = frozenset(
    {"twitter.com", "x.com", "facebook.com", "linkedin.com", "instagram.com", "youtube.com",
     "github.com", "mastodon.social", "threads.net", "tiktok.com", "pinterest.com", "xing.com",
     "bsky.app", "gravatar.com", "medium.com", "t.me", "wikipedia.org", "flipboard.com",
     "tumblr.com", "reddit.com", "substack.com", "patreon.com", "muckrack.com", "vk.com"}
)

# Pages *about* guest posting ("Write for us"): their wording is not a guest byline.
GUEST_GUIDELINES: tuple[str, ...] = (
    "write for us", "guest post guidelines", "guest posting guidelines", "submit a guest post",
    "become a contributor", "schreiben sie fur uns", "gastbeitrag einreichen",
    "gastautor werden", "ecrivez pour nous", "proposer un article invite", "escribe para nosotros",
    "escribe con nosotros",
)
GUEST_URL = re.compile(r"/(guest[-_]?posts?|gastbeitrag|gastartikel|article[-_]invite|"
                       r"articulo[-_]invitado|colaboraciones)(/|$|[-_])", re.I)

# --- sponsors / acknowledgment -------------------------------------------------------------
# Headings of sponsor, donor, supporter and speaker pages (conference, open-source and club
# sites in each language).
SPONSOR_HEADINGS: tuple[str, ...] = (
    "sponsors", "our sponsors", "sponsor", "sponsorship", "sponsored by", "thanks to",
    "thank you to", "supported by", "our supporters", "supporters", "donors", "our donors",
    "backers", "patrons", "funders", "acknowledgements", "acknowledgments", "credits",
    "speakers", "our speakers", "hall of fame", "gold sponsors", "silver sponsors",
    "sponsoren", "unsere sponsoren", "forderer", "unsere forderer", "unterstutzer",
    "unsere unterstutzer", "danke an", "vielen dank an", "mit freundlicher unterstutzung",
    "gefordert von", "unterstutzt von", "spender", "danksagung", "referenten",
    "nos sponsors", "mecenes", "nos mecenes", "mecenat", "remerciements", "merci a",
    "soutenu par", "avec le soutien de", "nos soutiens", "donateurs", "parrains",
    "commanditaires", "intervenants", "conferenciers",
    "patrocinadores", "nuestros patrocinadores", "patrocinio", "gracias a", "agradecimientos",
    "con el apoyo de", "apoyado por", "donantes", "mecenas", "ponentes",
)
# Headings of a sponsor block inside any page (sidebar logo wall, "Thanks to our sponsors"
# under a podcast episode): stricter than page headings, no bare "thanks to"/"credits".
SPONSOR_SECTIONS: tuple[str, ...] = (
    "sponsors", "our sponsors", "sponsored by", "supported by", "thanks to our sponsors",
    "donors", "our donors", "patrons", "backers", "our supporters", "funded by",
    "presented by", "powered by our sponsors", "thank you", "thanks", "special thanks",
    "platinum sponsors", "gold sponsors", "silver sponsors", "bronze sponsors",
    "community sponsors", "media sponsors", "event sponsors", "sponsor",
    "sponsoren", "unsere sponsoren", "forderer", "unsere forderer", "unterstutzt von",
    "gefordert von", "mit freundlicher unterstutzung von", "hauptsponsor", "spender",
    "prasentiert von", "danke", "vielen dank",
    "nos sponsors", "mecenes", "nos mecenes", "soutenu par", "avec le soutien de", "donateurs",
    "presente par", "merci", "remerciements",
    "patrocinadores", "nuestros patrocinadores", "patrocinado por", "con el apoyo de",
    "donantes", "mecenas", "presentado por", "gracias", "agradecimientos",
)
SPONSOR_URL = re.compile(
    r"/(sponsors?(hip)?|sponsoren|forderer|unterstutzer|patrocinadores|patrocinio|mecenes|"
    r"mecenat|donors?|donateurs|donantes|supporters|backers|thanks|danke|remerciements|"
    r"agradecimientos|acknowledg(e)?ments|credits|speakers|referenten|intervenants|ponentes)"
    r"(/|$|\.)", re.I
)
# URL segments of pages that list sponsors as such (not speakers, credits or thanks pages,
# whose photos and logos link out too): where a wall of logos confirms the page type.
SPONSOR_WALL_URL = re.compile(
    r"/(sponsors?(hip)?|sponsoren|forderer|unterstutzer|supporters|patrocinadores|mecenes|"
    r"donors|backers)(/|$|\.)", re.I
)
# Words that, near a link on a sponsor page, say "this is a sponsor" (tier names included).
SPONSOR_WORDS: tuple[str, ...] = (
    "sponsor", "sponsors", "sponsored", "donor", "donors", "patron", "backer", "supporter",
    "supporters", "platinum", "gold", "silver", "bronze", "thanks", "thank you", "speaker",
    "sponsoren", "forderer", "unterstutzer", "spender", "dank", "referent",
    "mecene", "mecenes", "donateur", "merci", "soutien", "parrain", "intervenant",
    "patrocinador", "patrocinadores", "donante", "gracias", "apoyo", "ponente",
)
# Lead-ins that introduce a sponsor right before its link anywhere ("This episode is
# sponsored by <a>"). A bare "sponsor" in prose is not enough (see the hard-case fixture).
SPONSOR_LEADINS: tuple[str, ...] = (
    "sponsored by", "brought to you by", "supported by", "funded by", "made possible by",
    "thanks to our sponsor", "thanks to our sponsors", "donated by", "thank you to",
    "many thanks to", "special thanks to", "gespendet von", "offert par", "donado por",
    "gesponsert von", "unterstutzt von", "gefordert von", "mit freundlicher unterstutzung von",
    "sponsorise par", "parraine par", "soutenu par", "avec le soutien de", "finance par",
    "patrocinado por", "con el patrocinio de", "con el apoyo de", "financiado por",
)

# Words allowed between a lead-in and the anchor ("sponsored by the team at", "gesponsert von
# unseren Freunden bei", "avec le soutien de nos amis de", "patrocinado por nuestros amigos
# de"): articles, possessives and "friends/team/folks at".
LEADIN_FILLERS: frozenset[str] = frozenset(
    {"our", "friends", "at", "the", "team", "folks", "people", "good", "kind", "generous",
     "from", "of", "unseren", "unserem", "freunden", "von", "bei", "der", "die", "den", "dem",
     "nos", "notre", "amis", "de", "du", "des", "la", "le", "les", "l", "chez",
     "nuestros", "nuestro", "amigos", "del", "el", "los", "las", "en"}
)

# --- partners / resources ------------------------------------------------------------------
# Headings of partner, resource and link-exchange pages and of blogroll widgets.
PARTNER_HEADINGS: tuple[str, ...] = (
    "partners", "our partners", "partner", "link partners", "partner sites",
    "useful links", "helpful links", "recommended sites", "friends links", "link friends",
    "recommended links", "friends", "friends of", "blogroll", "link exchange",
    "reciprocal links", "links", "related sites", "sites we like",
    "unsere partner", "linkpartner", "partnerseiten", "nutzliche links", "weiterfuhrende links",
    "empfehlenswerte seiten", "linktipps", "befreundete seiten", "linktausch",
    "kooperationspartner", "befreundete blogs", "freunde", "linkliste",
    "partenaires", "nos partenaires", "liens utiles", "liens", "sites amis", "liens amis",
    "sites partenaires", "echange de liens", "liens recommandes",
    "socios", "nuestros socios", "aliados", "enlaces", "enlaces de interes", "enlaces utiles",
    "sitios amigos", "enlaces amigos",
    # Chinese blogs' friend-link pages (友情链接 / 友链, traditional 友情鏈接) and Japanese
    # mutual-link pages (相互リンク, リンク集): the link exchanges of those blog scenes.
    "友情链接", "友链", "友情鏈接", "友鏈", "相互リンク", "相互リンク集", "リンク集", "リンク",
    "webs amigas", "intercambio de enlaces", "colaboradores",
)
# Blogroll widgets are site-wide sidebar lists: typed "other" like other site chrome (the
# labeling guideline of the demo web and of tests/fixtures/types). A blogroll that is also an
# exchange shows it through the "graph:reciprocal" evidence. True types them "partner".
BLOGROLL_IS_PARTNER = False
BLOGROLL_WORDS: tuple[str, ...] = ("blogroll", "widget_links", "linkcat", "linkroll")

# Headings of a partner block inside any page (a sidebar blogroll, a footer "Our partners"):
# stricter than page headings ("Resources" or "Links" under an article is further reading).
PARTNER_SECTIONS: tuple[str, ...] = (
    "partners", "our partners", "link partners", "partner sites", "friends", "our friends",
    "friends of", "link exchange", "reciprocal links", "media partners",
    "partner", "sites we like",
    "unsere partner", "linkpartner", "partnerseiten", "befreundete seiten", "befreundete blogs",
    "kooperationspartner", "medienpartner",
    "partenaires", "nos partenaires", "sites amis", "sites partenaires", "blogs amis",
    "partenaires medias",
    "socios", "nuestros socios", "aliados", "sitios amigos", "webs amigas", "blogs amigos",
    "友情链接", "友链", "友情鏈接", "相互リンク", "相互リンク集",
    *(BLOGROLL_WORDS if BLOGROLL_IS_PARTNER else ()),
)
# Anchors of site-chrome links that call the target a partner ("Partner shop" in a menu).
# Stricter than section headings: "friends" in an anchor is usually part of a name.
PARTNER_ANCHORS: tuple[str, ...] = (
    "partner", "partners", "our partners", "link partner", "partner shop", "partner site",
    "unsere partner", "linkpartner", "partnershop", "kooperationspartner",
    "partenaire", "partenaires", "nos partenaires", "socio", "socios", "nuestros socios",
)
PARTNER_URL = re.compile(
    r"/(partners?|partnerseiten|linkpartner|kooperationspartner|partenaires|socios|aliados|"
    r"links|liens|enlaces|blogroll|useful[-_]links|sougo[-_]?link|link[-_]?friends|youlian|"
    r"liens[-_]utiles|enlaces[-_]de[-_]interes|link[-_]?exchange|linktausch|friends)"
    r"(/|$|\.)", re.I
)
# Class/id words of blogroll and partner widgets (WordPress "widget_links"/"blogroll",
# theme "partners"/"friends" boxes).
PARTNER_CLASS_WORDS: tuple[str, ...] = (
    "partners", "partner-links", "friends", "link-exchange", "partnerlinks", "partenaires",
    "socios", *(BLOGROLL_WORDS if BLOGROLL_IS_PARTNER else ()),
)
# Lead-ins that name a partner right before its link ("in partnership with <a>").
PARTNER_LEADINS: tuple[str, ...] = (
    "in partnership with", "our partner", "our partners", "partnered with", "link partner",
    "in kooperation mit", "in zusammenarbeit mit", "unser partner", "unserem partner",
    "en partenariat avec", "notre partenaire", "nos partenaires",
    "en colaboracion con", "nuestro socio", "en alianza con",
)
# Class/id words of sponsor widgets and logo walls.
SPONSOR_CLASS_WORDS: tuple[str, ...] = (
    "sponsor", "sponsors", "sponsoren", "patrocinadores", "donors", "supporters", "mecenes",
    "backers",
)

# --- directories ---------------------------------------------------------------------------
# Headings and anchors of web and business directories (DMOZ-style catalogs, German
# "Webkatalog", French "annuaire", Spanish "directorio").
# Calls to action of directories ("Submit your site"), as link anchors and headings.
DIRECTORY_SUBMIT: tuple[str, ...] = (
    "submit your site", "submit site", "submit a site", "add url", "add your site",
    "suggest a site", "add listing", "add your business", "list your business",
    "submit a link",
    "seite eintragen", "link eintragen", "eintrag hinzufugen", "webseite eintragen",
    "ajouter un site", "proposer un site", "soumettre un site", "inscrire un site",
    "anadir sitio", "enviar sitio", "alta de web", "anadir web", "anadir empresa",
)
DIRECTORY_HEADINGS: tuple[str, ...] = (
    "web directory", "link directory", "business directory", "directory", "site directory",
    "browse categories", "featured listings", "listings",
    # DMOZ-style category pages, old and new layouts ("Related categories", "Sites")
    "related categories", "subcategories", "sites in this category", "unterkategorien",
    "sous-categories", "subcategorias",
    "podcast directory", "podcasts directory", "event directory", "events directory",
    # Chinese navigation sites (网址导航) list external sites in cards
    "网址导航", "导航", "导航页", "网址大全", "酷站",
    "webkatalog", "webverzeichnis", "linkverzeichnis", "branchenbuch", "firmenverzeichnis",
    "annuaire", "annuaire web", "directorio", "directorio web", "directorio de empresas",
    *DIRECTORY_SUBMIT,
)
# Headings that make a directory only as the page's own title, not as the site's or a
# section's name ("Pricing changes - GitHub Resources", "... | The Events Calendar"): resource
# lists, event and podcast calendars and form libraries are lists of external sites, but the
# same words name blogs, product sections and menus (WCXB article and service pages).
DIRECTORY_TITLE_HEADINGS: tuple[str, ...] = (
    # resource lists (library guides, "Resources" pages): lists of external sites
    "resources", "useful resources", "online resources", "resource list", "resource guide",
    "ressourcen", "ressources", "recursos", "research guides",
    # podcast and event directories
    "podcast list", "event calendar", "events calendar", "upcoming events",
    "upcoming conferences", "conference list", "veranstaltungskalender", "terminkalender",
    "podcasts", "tech conferences", "developer conferences", "it conferences",
    "it-konferenzen", "conferences tech",
    "agenda des evenements", "calendario de eventos",
    # form libraries (legal aid, courts, agencies): lists of external forms
    "legal forms", "free legal forms", "court forms", "forms library", "forms and instructions",
    "forms and publications", "formulare", "formulaires", "formularios",
)
# Headings where a directory word is part of another name: a company's or university's HR
# department ("Human Resources"), natural-resource agencies. Seen on WCXB service and article
# pages typed "directory" by the "resources" heading alone.
DIRECTORY_HEADINGS_NOT: tuple[str, ...] = (
    "human resources", "human resource", "natural resources", "water resources",
    "mineral resources", "energy resources", "hr resources",
)
# Words that make a one-word site name a directory's ("BizDirectory", "Linkkatalog").
DIRECTORY_NAME_WORDS: tuple[str, ...] = ("directory", "verzeichnis", "katalog", "annuaire",
                                         "directorio", "导航")
# Springshare LibGuides (library research guides): every guide is a resource list. Its
# templates carry these class tokens; its <title> ends in "LibGuides at <library>".
LIBGUIDES_CLASSES: frozenset[str] = frozenset({"s-lib-box", "s-lg-link-list", "s-lg-box-content",
                                                "s-lib-box-content"})
DIRECTORY_URL = re.compile(
    r"/(directory|dir|listings?|webkatalog|verzeichnis|branchenbuch|annuaire|directorio)(/|$)"
    # ODP/DMOZ category paths ("/Top/Arts/Music/"), kept by its clones and mirrors
    r"|^/top/[^/?]+"
    r"|/(submit|add[-_]?url|add[-_]?site|suggest)[-_.a-z]*(/|$)", re.I
)
# The last URL segment of a resource list, podcast or event directory ("/resources",
# "/podcasts/", "/events.html"); only the last one: /events/2024/launch-party is one event.
DIRECTORY_LIST_URL = re.compile(
    r"^/(resources|ressources|recursos|ressourcen|useful[-_]resources|podcasts|events|"
    r"conferences|veranstaltungen|nav|daohang)(/|$|\.)", re.I
)
# Anchors of the "Website" button on a business card (local "best of" listings, business
# directories); several on one page to different sites make a business listing.
WEBSITE_BUTTON_ANCHORS: frozenset[str] = frozenset(
    {"website", "visit website", "visit site", "view website", "webseite", "zur webseite",
     "site web", "site internet", "sitio web", "visitar web", "pagina web"}
)
# Class tokens of a listing entry in directory scripts (phpLD "link-item", esoTalk/Directory
# themes "listing", WordPress directory plugins "wpbdp-listing", "lsting").
DIRECTORY_CLASSES: frozenset[str] = frozenset(
    {"listing", "listing-item", "listing-card", "link-item", "wpbdp-listing",
     "directory-entry", "site-entry", "dir-entry", "listings", "directory", "business-card",
     # WebStack (the common Chinese navigation-site theme) cards; LibGuides link lists;
     # podcast and event directory cards
     "url-card", "s-lg-link-list", "podcast-card", "podcast-item", "event-card", "event-item",
     # DMOZ's old category pages ("directory dir-col" lists, "directory-url" entries) and
     # the new layout (2013 on, kept by Curlie): "site-item" cards
     "dir-col", "directory-url", "site-item"}
)
# schema.org types of one listed business; several on one page make a business directory.
LISTED_SCHEMA: frozenset[str] = frozenset({"localbusiness", "organization", "store"})
# Class words of a directory's listing and category blocks, matched in a link's dom_path
# (the tokens above plus category lists: "subcategories", "cat-list", German "eintrag").
DIRECTORY_MARKUP_WORDS: tuple[str, ...] = (
    "listing", "link-item", "directory", "site-entry", "dir-entry", "subcategor", "cat-list",
    "category-list", "eintrag", "annuaire", "directorio", "url-card", "s-lg-link", "dir-col",
    "directory-url", "site-item", "site-url",
)

# --- homepages -----------------------------------------------------------------------------
HOME_PATHS = re.compile(r"^/((index|default|home)\.(html?|php|aspx?))?$|^/[a-z]{2}(-[a-z]{2})?/?$",
                        re.I)

# --- page chrome ---------------------------------------------------------------------------
# Words of class/id tokens whose blocks are not the page's own text (for page-type wording):
# the same conventions as location_rules.CLASS_WORDS, reduced to the unambiguous ones.
CHROME_WORDS: frozenset[str] = frozenset(
    {"sidebar", "widget", "widgets", "comment", "comments", "commentlist", "respond", "footer",
     "colophon", "menu", "nav", "navbar", "navigation", "related", "share", "sharing",
     "cookie", "newsletter", "disqus", "breadcrumb", "breadcrumbs"}
)
CHROME_TAGS: frozenset[str] = frozenset({"nav", "aside", "footer", "menu"})

# Headings of an author box ("About the author" in each language): a link under one is in
# the author's bio even where the locator saw only an <aside>.
AUTHOR_SECTIONS: tuple[str, ...] = (
    "about the author", "about the writer", "about the contributor", "about the guest author",
    "author bio", "uber den autor", "uber die autorin", "zum autor", "zur autorin",
    # Substack/Medium/WordPress guest bios ("About the guest author", "Meet the author",
    # Medium's closing "Written by")
    "about the guest", "about our guest", "guest bio", "guest author bio", "meet the author",
    "written by", "about the authors", "uber die gastautorin", "uber den gastautor",
    "a propos de l'auteur invite", "sobre el autor invitado",
    "uber den gastautor", "a propos de l'auteur", "a propos de l'autrice", "l'auteur",
    "sobre el autor", "sobre la autora", "acerca del autor", "acerca de la autora",
)

# --- link-level ----------------------------------------------------------------------------
# Locations that are site-wide boilerplate (vocab.LOCATIONS): a link there is "other" unless a
# sponsor or partner widget claims it.
BOILERPLATE_LOCATIONS: frozenset[str] = frozenset(
    {"navigation", "header", "footer", "sidebar", "breadcrumb"}
)
# Class words that mark a comment area even when extraction placed the link elsewhere
# (WordPress "comment-content", Disqus "post-message", "comments").
COMMENT_CLASS_WORDS: tuple[str, ...] = ("comment", "comments", "commentlist", "disqus")
# WordPress core's "Recent Comments" widget (id "recent-comments-N", list "recentcomments")
# and theme/plugin variants: a commenter's link repeated in site chrome is still a comment.
# A blog platform's own controls and notices inside a comment area (Blogger's "item-control"
# Delete links, WordPress edit links, the comment form and Akismet's privacy notice): not what
# a commenter contributed (labelling guide: admin links inside comments are "other").
COMMENT_ADMIN_WORDS: tuple[str, ...] = (
    "item-control", "comment-delete", "comment-edit", "edit-link", "comment-form", "respond",
    "logged-in-as", "comment-notes", "akismet", "comment-policy",
)
COMMENT_ADMIN_ANCHORS: frozenset[str] = frozenset(
    {"delete", "edit", "remove", "loschen", "bearbeiten", "supprimer", "modifier", "eliminar",
     "editar", "borrar"}
)
# Class words of a press release's contact box ("Kontakt", "Pressekontakt", "Media contact"):
# the issuer's address there belongs to the release wherever the layout puts the box.
PRESS_CONTACT_CLASS_WORDS: tuple[str, ...] = ("contact", "kontakt", "kontact", "pressekontakt")
RECENT_COMMENTS_WORDS: tuple[str, ...] = ("recent-comments", "recentcomments",
                                          "latest-comments", "wp-block-latest-comments")
# Class words of forum post and topic-list boxes, matched in a link's dom_path: a link inside
# one is a forum link wherever the locator put it (a signature in an <aside>, a topic row
# with a "...-bottom-line" class). The engines' own markup, as in FORUM_ENGINES.
FORUM_MARKUP_WORDS: tuple[str, ...] = (
    "postbody", "postprofile", "signature", "postcontainer", "postbit", "postcontent",
    "postrow", "postdetails", "userinfo", "message-body", "message-content",
    "message-signature", "message-user",
    "bbwrapper", "structitem", "topic-post", "topic-body", "topic-meta-data", "cooked",
    "crawler-post", "topic-list-item", "cpost", "ipscomment", "cauthorpane", "ipsdataitem",
    "post_body", "post_wrapper", "forum-post", "blockpost", "bbp-reply-content", "topiclist",
    "row-item", "threadbit", "list-inner", "threadtitle", "topic-title",
    # Stack Exchange answers, questions and comments under them; XenForo-based themes'
    # poster card ("user-details"); signatures of custom engines ("DiscussionBoard-signature")
    "answercell", "postcell", "js-post-body", "comment-copy", "user-details", "-signature",
    # FluxBB/PunBB poster column ("postleft", the "Website" link in "usercontacts")
    "postleft", "usercontacts",
)
# Element ids the engines give each post and its parts, as the extractor writes them in
# dom_path ("dl#profile40211"): phpBB p123/profile123/sig123/post_content123, vBulletin
# post_123/post_message_123, MyBB pid_123, XenForo js-post-123, Invision elComment_123,
# Discourse post_1.
FORUM_POST_ID = re.compile(
    r"#(p|profile|sig|post_content|post_|post-|post_message_|pid_|js-post-|elcomment_)\d+\b",
    re.I,
)
# Class words of a forum's own navigation inside the main column (Discourse's category badge
# next to a topic title, breadcrumb trails): such links are "other" on a forum page.
FORUM_CHROME_WORDS: tuple[str, ...] = ("topic-category", "breadcrumb", "crumbs", "pagination",
                                       "pagenav")
# Location evidence that places a link of location "other" inside the main content (the
# locator's teaser and social-profile calls, a <main>/<article> ancestor), as opposed to
# page furniture (share bars, captions).
MAIN_EVIDENCE_PREFIXES: tuple[str, ...] = (
    "density:main-content", "shape:", "target:", "tag:main", "role:main", "tag:article",
)

# --- compiled matchers ---------------------------------------------------------------------


_COMBINING = re.compile("[\u0300-\u036f]")
# A word character that bounds a phrase: any \w except CJK ideographs, kana and hangul.
# Chinese and Japanese write without spaces ("233的导航页", "友情链接-你我他"), so a phrase
# in those scripts may sit right against other characters; Latin phrases keep whole words.
_WORD = r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"


def fold(text: str) -> str:
    """Lower-case, strip accents, collapse whitespace: the form every phrase is matched in."""
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).replace("’", "'")
    return " ".join(text.split())


_PREFILTER_FROM = 200  # characters of text from which Phrases.search looks for needles first


def _needles(phrases: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """(needle, offset) pairs such that every phrase holds a needle at most ``offset``
    characters from its start: few needles (each costs a str.find over the text), picked
    greedily among the 4- and 5-character starts of words (rarer in text than word middles;
    the longer one unless the shorter covers more phrases)."""
    phrases = tuple(phrases)
    left = set(phrases)
    out: dict[str, int] = {}
    while left:
        covers: dict[str, set[str]] = {}
        for phrase in left:
            for i in range(len(phrase)):
                if i == 0 or phrase[i - 1] == " ":
                    for size in (4, 5):
                        covers.setdefault(phrase[i:i + size], set()).add(phrase)
        best = max(sorted(covers), key=lambda s: (len(s) >= 4, len(covers[s]), len(s)))
        out[best] = max(p.index(best) for p in phrases if best in p)
        left -= covers[best]
    return tuple(out.items())


class Phrases:
    """A keyword list compiled for matching folded text on word boundaries."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(dict.fromkeys(fold(p) for p in phrases))
        alternatives = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        self._rx = re.compile(rf"(?<!{_WORD})({alternatives})(?!{_WORD})")
        self._needles = _needles(self.phrases)
        self._longest = max(map(len, self.phrases), default=0)

    def search(self, folded: str) -> str | None:
        """The first phrase found in ``folded`` text, or None."""
        if len(folded) <= _PREFILTER_FROM:
            match = self._rx.search(folded)
            return match.group(1) if match else None
        # The regex tries every alternative at every position (~25 ns a character); str.find
        # is far faster. A phrase starts at most ``offset`` characters before its needle, so
        # the regex only runs around needles, in order: a window from there to just past
        # the longest phrase at the needle holds every match starting up to the needle
        # (the lookarounds see real text: lookbehind reads before ``pos``, and the window
        # ends past any such match).
        heap: list[tuple[int, int, str, int]] = []
        for needle, offset in self._needles:
            found = folded.find(needle)
            if found >= 0:
                heap.append((found - offset, found, needle, offset))
        heapq.heapify(heap)
        windows = 0
        while heap:
            start, found, needle, offset = heap[0]
            windows += 1
            if windows > 8:  # a common needle: one plain search from here on
                match = self._rx.search(folded, max(start, 0))
                return match.group(1) if match else None
            match = self._rx.search(folded, max(start, 0), found + self._longest + 1)
            if match and match.start() <= found:
                return match.group(1)
            found = folded.find(needle, found + 1)
            if found >= 0:
                heapq.heapreplace(heap, (found - offset, found, needle, offset))
            else:
                heapq.heappop(heap)
        return None

    def lead_in(self, folded: str, end: int) -> str | None:
        """A phrase that introduces what starts at ``end``: it ends right before it, with at
        most a few filler words between ("sponsored by our friends at <anchor>")."""
        found = None
        for match in self._rx.finditer(folded, max(0, end - 120), end):
            gap = folded[match.end():end]
            words = re.findall(r"\w+", gap)
            if (len(words) <= 4 and all(w in LEADIN_FILLERS for w in words)
                    and not any(mark in gap for mark in ".!?;")):
                found = match.group(1)
        return found

    def heading(self, folded: str) -> str | None:
        """The phrase if ``folded`` is a short heading made of it ("Our sponsors 2024")."""
        found = self.search(folded)
        if found and len(folded.split()) <= len(found.split()) + 3 and (
            folded.startswith(found) or folded.endswith(found)
        ):
            return found
        return None


GUEST = Phrases(GUEST_WORDS)
GUEST_GUIDELINE = Phrases(GUEST_GUIDELINES)
PRESS_LABEL = Phrases(PRESS_LABELS)
PRESS_OPENER = Phrases(PRESS_OPENERS)
PRESS_CONTACT = Phrases(PRESS_CONTACTS)
PRESS_MORE = Phrases(PRESS_MORE_INFO)
PRESS_MORE_AFTER = Phrases(PRESS_MORE_INFO_AFTER)
SPONSOR_HEADING = Phrases(SPONSOR_HEADINGS)
SPONSOR_WORD = Phrases(SPONSOR_WORDS)
SPONSOR_LEADIN = Phrases(SPONSOR_LEADINS)
SPONSOR_SECTION = Phrases(SPONSOR_SECTIONS)
PARTNER_HEADING = Phrases(PARTNER_HEADINGS)
PARTNER_SECTION = Phrases(PARTNER_SECTIONS)
PARTNER_ANCHOR = Phrases(PARTNER_ANCHORS)
AUTHOR_SECTION = Phrases(AUTHOR_SECTIONS)
PARTNER_LEADIN = Phrases(PARTNER_LEADINS)
DIRECTORY_HEADING = Phrases(DIRECTORY_HEADINGS)
DIRECTORY_TITLE_HEADING = Phrases(DIRECTORY_TITLE_HEADINGS)
DIRECTORY_ANY_HEADING = Phrases((*DIRECTORY_HEADINGS, *DIRECTORY_TITLE_HEADINGS))
DIRECTORY_HEADING_NOT = Phrases(DIRECTORY_HEADINGS_NOT)
DIRECTORY_SUBMIT_ANCHOR = Phrases(DIRECTORY_SUBMIT)
