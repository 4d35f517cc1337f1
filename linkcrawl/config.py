"""Every ``LINKCRAWL_*`` setting, its default and what it does — in one place.

``linkcrawl.settings`` loads these defaults into the Scrapy project settings; components
read them once through :class:`LinkcrawlConfig`. The README's settings table is this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from scrapy.settings import BaseSettings

from linkcrawl.errors import ConfigError
from linkcrawl.mentions import parse_brand_terms

DEFAULT_STORE_URI = "sqlite:///var/linkcrawl.db"

# name: (default, one-line description)
SETTINGS: dict[str, tuple[Any, str]] = {
    "LINKCRAWL_STORE_URI": (
        DEFAULT_STORE_URI,
        "Where results go: sqlite:///PATH (embedded, default) or mongodb://HOST/DBNAME. "
        "The environment variable of the same name overrides the default.",
    ),
    "LINKCRAWL_TARGETS": ([], "Target domains whose backlinks are kept (spider args override)."),
    "LINKCRAWL_MAX_DEPTH": (5, "How many links deep a spider follows from each seed."),
    "LINKCRAWL_MAX_PAGES_PER_SITE": (
        1000,
        "Page budget per registrable domain; further pages of that site are not requested.",
    ),
    "LINKCRAWL_BATCH_SIZE": (500, "Backlinks buffered before one batched write to the store."),
    "LINKCRAWL_HTTP_PROXY": (
        "",
        "HTTP proxy for every request (the local demo web is served this way).",
    ),
    "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": (
        False,
        "Allow hosts that resolve to private, loopback, link-local or multicast addresses.",
    ),
    "LINKCRAWL_PROGRESS_INTERVAL": (30.0, "Seconds between progress log lines (0 = off)."),
    "LINKCRAWL_RUN_ID": ("", "Run id to record (default: generated from time and spider)."),
    # --- store outages and restarts (linkcrawl.spill, linkcrawl.journal) ---
    "LINKCRAWL_SPILL_DIR": (
        "var/spill",
        "Folder of spill files: documents the store could not take, one file per run; "
        "load a file left there with `linkcrawl replay FILE`.",
    ),
    "LINKCRAWL_SPILL_MAX_ITEMS": (
        10000,
        "Documents kept in memory while the store is down; beyond this they go to the spill file.",
    ),
    "LINKCRAWL_STORE_RETRY_MAX_DELAY": (
        60.0,
        "Longest wait in seconds between write attempts while the store is down "
        "(the wait doubles from 1 s).",
    ),
    "LINKCRAWL_JOURNAL": (
        True,
        "With JOBDIR set, journal requested-but-unfinished URLs so that a restart after a "
        "kill re-queues them.",
    ),
    # --- crawl traps (linkcrawl.traps) ---
    "LINKCRAWL_MAX_URL_LENGTH": (2048, "URLs longer than this are not requested."),
    "LINKCRAWL_MAX_QUERY_PARAMS": (
        12,
        "URLs with more query parameters than this (after stripping session ids and "
        "sort/filter parameters) are not requested.",
    ),
    "LINKCRAWL_MAX_PAGE_NUMBER": (
        100,
        "Highest page number followed in a paginated listing (offset parameters such as "
        "start= may go to 50 times this).",
    ),
    "LINKCRAWL_MAX_CALENDAR_PAGES": (
        20,
        "Calendar/date pages requested per host; calendar URLs dated more than 5 years back "
        "or 1 year ahead are never requested.",
    ),
    # --- browser (linkcrawl.browser) ---
    "LINKCRAWL_BROWSER_DOMAINS": (
        [],
        "Domains whose pages are always rendered in the browser (Chromium via Playwright).",
    ),
    "LINKCRAWL_BROWSER_AUTO": (
        True,
        "Render a page in the browser when its static HTML has almost no text and links "
        "but loads scripts.",
    ),
    # --- directories spider ---
    "LINKCRAWL_MAX_CATEGORY_DEPTH": (
        3,
        "How many category levels the directories spider walks below a seed.",
    ),
    "LINKCRAWL_MAX_LISTINGS": (
        500,
        "Listing detail pages the directories spider visits per directory site.",
    ),
    # --- distributed crawl (linkcrawl.distributed) ---
    "LINKCRAWL_REDIS_URL": (
        "",
        "redis://HOST:PORT/DB: workers share one frontier, dupe filter and page budget in "
        "Redis (needs scrapy-redis). The environment variable of the same name overrides it.",
    ),
    "LINKCRAWL_REDIS_KEY": (
        "linkcrawl:%(spider)s",
        "Prefix of the shared crawl's Redis keys; give concurrent shared crawls different ones.",
    ),
    # --- unlinked mentions and sitewide placements (linkcrawl.mentions, linkcrawl.sitewide) ---
    "LINKCRAWL_MENTIONS": (
        True,
        "Store unlinked brand mentions: pages that name a target in their main content "
        "without linking to it.",
    ),
    "LINKCRAWL_BRAND_TERMS": (
        {},
        "Brand terms per target, as a dict or `target=term|term;target2=term` (spider arg "
        "brand_terms overrides); default: the domain's name without its suffix.",
    ),
    "LINKCRAWL_SITEWIDE_MIN_PAGES": (
        3,
        "A placement (same link, anchor and location on many pages of one referring site) "
        "on at least this many pages is sitewide.",
    ),
    "LINKCRAWL_RECHECK_VERIFY_DELAY": (
        30.0,
        "Seconds before recheck fetches a page that seems to have lost links a second time; "
        "only that answer counts (0 = off).",
    ),
}

# Settings that may hold credentials: read from the environment so they never have to be
# passed on a command line or in a Scrapyd job's arguments.
ENV_SETTINGS: tuple[str, ...] = ("LINKCRAWL_STORE_URI", "LINKCRAWL_REDIS_URL")


def setting_defaults() -> dict[str, Any]:
    """Defaults as a plain dict for the Scrapy settings module (env applied)."""
    values = {name: default for name, (default, _) in SETTINGS.items()}
    for name in ENV_SETTINGS:
        if os.environ.get(name):
            values[name] = os.environ[name]
    return values


def parse_list(value: Any) -> list[str]:
    """Settings and spider args accept lists or comma/whitespace-separated strings."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace(",", " ").split()
    else:
        parts = [str(v).strip() for v in value]
    return [p for p in parts if p]


@dataclass(frozen=True, slots=True)
class LinkcrawlConfig:
    """The LINKCRAWL_* settings, read once and checked."""

    store_uri: str
    targets: tuple[str, ...]
    max_depth: int
    max_pages_per_site: int
    batch_size: int
    http_proxy: str
    allow_private_addresses: bool
    progress_interval: float
    run_id: str
    max_url_length: int = 2048
    max_query_params: int = 12
    max_page_number: int = 100
    max_calendar_pages: int = 20
    browser_domains: tuple[str, ...] = ()
    browser_auto: bool = True
    max_category_depth: int = 3
    max_listings: int = 500
    spill_dir: str = "var/spill"
    spill_max_items: int = 10000
    store_retry_max_delay: float = 60.0
    journal: bool = True
    mentions: bool = True
    brand_terms: dict[str, list[str]] = field(default_factory=dict)
    sitewide_min_pages: int = 3

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> LinkcrawlConfig:
        try:
            cfg = cls(
                store_uri=str(settings.get("LINKCRAWL_STORE_URI") or DEFAULT_STORE_URI),
                targets=tuple(parse_list(settings.get("LINKCRAWL_TARGETS"))),
                max_depth=settings.getint("LINKCRAWL_MAX_DEPTH", 5),
                max_pages_per_site=settings.getint("LINKCRAWL_MAX_PAGES_PER_SITE", 1000),
                batch_size=settings.getint("LINKCRAWL_BATCH_SIZE", 500),
                http_proxy=str(settings.get("LINKCRAWL_HTTP_PROXY") or ""),
                allow_private_addresses=settings.getbool("LINKCRAWL_ALLOW_PRIVATE_ADDRESSES"),
                progress_interval=settings.getfloat("LINKCRAWL_PROGRESS_INTERVAL", 30.0),
                run_id=str(settings.get("LINKCRAWL_RUN_ID") or ""),
                max_url_length=settings.getint("LINKCRAWL_MAX_URL_LENGTH", 2048),
                max_query_params=settings.getint("LINKCRAWL_MAX_QUERY_PARAMS", 12),
                max_page_number=settings.getint("LINKCRAWL_MAX_PAGE_NUMBER", 100),
                max_calendar_pages=settings.getint("LINKCRAWL_MAX_CALENDAR_PAGES", 20),
                browser_domains=tuple(
                    d.lower().strip(".")
                    for d in parse_list(settings.get("LINKCRAWL_BROWSER_DOMAINS"))
                ),
                browser_auto=settings.getbool("LINKCRAWL_BROWSER_AUTO", True),
                max_category_depth=settings.getint("LINKCRAWL_MAX_CATEGORY_DEPTH", 3),
                max_listings=settings.getint("LINKCRAWL_MAX_LISTINGS", 500),
                spill_dir=str(settings.get("LINKCRAWL_SPILL_DIR") or "var/spill"),
                spill_max_items=settings.getint("LINKCRAWL_SPILL_MAX_ITEMS", 10000),
                store_retry_max_delay=settings.getfloat("LINKCRAWL_STORE_RETRY_MAX_DELAY", 60.0),
                journal=settings.getbool("LINKCRAWL_JOURNAL", True),
                mentions=settings.getbool("LINKCRAWL_MENTIONS", True),
                brand_terms=parse_brand_terms(settings.get("LINKCRAWL_BRAND_TERMS")),
                sitewide_min_pages=settings.getint("LINKCRAWL_SITEWIDE_MIN_PAGES", 3),
            )
        except ValueError as exc:
            raise ConfigError(f"invalid linkcrawl setting: {exc}") from None
        if cfg.batch_size < 1:
            raise ConfigError(f"LINKCRAWL_BATCH_SIZE must be >= 1, got {cfg.batch_size}")
        if cfg.max_depth < 0 or cfg.max_pages_per_site < 1:
            raise ConfigError(
                "LINKCRAWL_MAX_DEPTH must be >= 0 and LINKCRAWL_MAX_PAGES_PER_SITE >= 1"
            )
        limits = {
            "LINKCRAWL_MAX_URL_LENGTH": cfg.max_url_length,
            "LINKCRAWL_MAX_QUERY_PARAMS": cfg.max_query_params,
            "LINKCRAWL_MAX_PAGE_NUMBER": cfg.max_page_number,
            "LINKCRAWL_MAX_LISTINGS": cfg.max_listings,
            "LINKCRAWL_SPILL_MAX_ITEMS": cfg.spill_max_items,
            "LINKCRAWL_SITEWIDE_MIN_PAGES": cfg.sitewide_min_pages,
        }
        for name, value in limits.items():
            if value < 1:
                raise ConfigError(f"{name} must be >= 1, got {value}")
        if cfg.max_calendar_pages < 0 or cfg.max_category_depth < 0:
            raise ConfigError(
                "LINKCRAWL_MAX_CALENDAR_PAGES and LINKCRAWL_MAX_CATEGORY_DEPTH must be >= 0"
            )
        return cfg


def settings_markdown() -> str:
    """The README's settings table (``python -m linkcrawl.config`` prints it)."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for name, (default, description) in SETTINGS.items():
        shown = "[]" if default == [] else repr(default) if isinstance(default, str) else default
        rows.append(f"| `{name}` | `{shown}` | {description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_markdown())
