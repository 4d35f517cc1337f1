"""Every ``LINKCRAWL_*`` setting, its default and what it does — in one place.

``linkcrawl.crawl.settings`` loads these defaults into the Scrapy project settings; components
read them once through :class:`LinkcrawlConfig`; docs/crawling.md's settings table is this.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from linkcrawl.errors import ConfigError

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
    "LINKCRAWL_PROGRESS_INTERVAL": (30.0, "Seconds between progress log lines (0 = off; the "
                                    "terminal status line does not depend on it)."),
    "LINKCRAWL_RUN_ID": ("", "Run id to record (default: generated from time and spider)."),
    "LINKCRAWL_ANALYSIS_WORKERS": (
        0,
        "Processes that parse and analyse pages beside the crawl process (0 = analyse in "
        "the crawl process). A crawl is CPU-bound on one core; 1 or more moves most of the "
        "work to other cores. `auto`: 0 on 1-2 cores, 1 on 3, 2 on 4 or more (see "
        "docs/performance.md).",
    ),
    "LINKCRAWL_SEEN_SETS": (
        "bloom",
        "How the crawl remembers requested URLs, canonical URLs, stored pages and request "
        "fingerprints: `bloom` (about 3 bytes a URL; below 1 in 10,000 URLs is taken for "
        "seen and never fetched) or `exact` (about 90 bytes a URL).",
    ),
    # --- store outages and restarts (linkcrawl.ops.spill, linkcrawl.ops.journal) ---
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
    # --- MongoDB client (linkcrawl.store; options in the URI's query win) ---
    "LINKCRAWL_MONGO_TIMEOUT_MS": (
        10000,
        "Longest one MongoDB operation may take, waiting for a server and retries included "
        "(pymongo's timeoutMS; 0 = no limit). A write that takes longer fails and its batch "
        "waits as in an outage.",
    ),
    "LINKCRAWL_MONGO_CONNECT_TIMEOUT_MS": (
        5000,
        "How long opening the store waits for a reachable MongoDB server "
        "(serverSelectionTimeoutMS, connectTimeoutMS) or for a locked SQLite file.",
    ),
    "LINKCRAWL_MONGO_WRITE_CONCERN": (
        "majority",
        "MongoDB write concern (w) of every write: majority, a number of members (not 0) "
        "or a tag set name. A batch counts as stored only once acknowledged at this level.",
    ),
    "LINKCRAWL_JOURNAL": (
        True,
        "With JOBDIR set, journal requested-but-unfinished URLs so that a restart after a "
        "kill re-queues them.",
    ),
    "LINKCRAWL_ROBOTSTXT_RETRY_DELAY": (
        60.0,
        "Seconds before a host's robots.txt is fetched again after a 5xx, 429 or timeout "
        "(doubling, 3 tries); its requests wait meanwhile (RFC 9309: unreachable means "
        "disallowed).",
    ),
    # --- crawl traps (linkcrawl.navigate.traps) ---
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
    # --- browser (linkcrawl.crawl.browser) ---
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
    # --- distributed crawl (linkcrawl.ops.distributed) ---
    "LINKCRAWL_REDIS_URL": (
        "",
        "redis://HOST:PORT/DB: workers share one frontier, dupe filter and page budget in "
        "Redis (needs scrapy-redis). The environment variable of the same name overrides it.",
    ),
    "LINKCRAWL_REDIS_KEY": (
        "linkcrawl:%(spider)s",
        "Prefix of the shared crawl's Redis keys; give concurrent shared crawls different ones.",
    ),
    "LINKCRAWL_REDIS_OUTAGE_MAX": (
        600.0,
        "Seconds a worker waits for an unreachable Redis (requests found meanwhile wait in "
        "memory, reconnecting with back-off) before it stops cleanly with the queue kept.",
    ),
    # --- unlinked mentions and sitewide placements (analysis/mentions, history/sitewide) ---
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
    "LINKCRAWL_LOCATION_MODEL": (
        True,
        "Decide whether a link sits in the main content with the learned model "
        "(linkcrawl/classify/content_model.py); False: with the hand rules alone.",
    ),
    "LINKCRAWL_RECHECK_VERIFY_DELAY": (
        30.0,
        "Seconds before recheck fetches a page that seems to have lost links a second time; "
        "only that answer counts (0 = off).",
    ),
    # --- evidence archive of crawled pages (linkcrawl/ops/archive.py, docs/operations.md) ---
    "LINKCRAWL_ARCHIVE_DIR": (
        "",
        "Folder for WARC files of the crawled pages that hold backlinks (request and response "
        "records); each backlink records its snapshot, `linkcrawl show` prints it. Empty = off. "
        "Needs warcio: pip install 'linkcrawl[warc]'.",
    ),
    "LINKCRAWL_ARCHIVE_MAX_FILE_BYTES": (
        1_000_000_000,
        "Size after which the archive starts a new WARC file (`<run_id>-<counter>.warc.gz`).",
    ),
    "LINKCRAWL_ARCHIVE_KEEP_DAYS": (
        0.0,
        "At the end of a crawl, WARC files older than this are removed unless a backlink's "
        "latest snapshot is in them (0 = no age limit).",
    ),
    "LINKCRAWL_ARCHIVE_MAX_BYTES": (
        0,
        "At the end of a crawl, the oldest WARC files are removed while the archive is larger "
        "than this, again never one with a backlink's latest snapshot (0 = no size limit).",
    ),
    "LINKCRAWL_ARCHIVE_SNAPSHOTS": (
        5,
        "Snapshot references kept per backlink (newest first), so a re-crawl keeps the proof "
        "of earlier sightings.",
    ),
    # --- alerts (linkcrawl/ops/alerts.py) ---
    "LINKCRAWL_ALERT_WEBHOOK": (
        "",
        "URL that gets the run's new, lost and restored backlinks per target as a JSON POST "
        "after each crawl or recheck that changed something. The environment variable of "
        "the same name overrides it.",
    ),
    "LINKCRAWL_ALERT_SMTP": (
        "",
        "smtp://[user:password@]host[:port] (smtps:// for TLS) to e-mail the same alert; "
        "needs LINKCRAWL_ALERT_EMAIL_TO. The environment variable of the same name overrides it.",
    ),
    "LINKCRAWL_ALERT_EMAIL_TO": ([], "Recipients of e-mail alerts (comma-separated)."),
    "LINKCRAWL_ALERT_EMAIL_FROM": ("linkcrawl@localhost", "Sender address of e-mail alerts."),
}

# Settings that may hold credentials: read from the environment so they never have to be
# passed on a command line or in a Scrapyd job's arguments.
ENV_SETTINGS: tuple[str, ...] = ("LINKCRAWL_STORE_URI", "LINKCRAWL_REDIS_URL",
                                 "LINKCRAWL_ALERT_WEBHOOK", "LINKCRAWL_ALERT_SMTP")


class SettingsLike(Protocol):
    """What config reads from Scrapy's settings (or any mapping-like object): ``get``."""

    def get(self, name: str, default: Any = None) -> Any: ...


def setting_default(name: str) -> Any:
    """The one place a setting's default is written: :data:`SETTINGS`."""
    return SETTINGS[name][0]


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class _Reader:
    """Typed reads with the defaults of :data:`SETTINGS` (settings built without linkcrawl's
    settings module, as in unit tests, still get the documented defaults). A value that
    does not convert is a :class:`ConfigError` naming the setting, not a bare ValueError."""

    def __init__(self, settings: SettingsLike) -> None:
        self.settings = settings

    def _raw(self, name: str) -> Any:
        value = self.settings.get(name)
        return setting_default(name) if value is None else value

    def _bad(self, name: str, value: Any, kind: str) -> ConfigError:
        return ConfigError(f"{name} must be {kind}, got {value!r}")

    def int(self, name: str) -> int:
        value = self._raw(name)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise self._bad(name, value, "a whole number") from None

    def float(self, name: str) -> float:
        value = self._raw(name)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise self._bad(name, value, "a number") from None

    def bool(self, name: str) -> bool:
        value = self._raw(name)
        if isinstance(value, bool | int):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise self._bad(name, value, "True or False")

    def str(self, name: str) -> str:
        return str(self.settings.get(name) or setting_default(name))


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


def parse_brand_terms(value: Any) -> dict[str, list[str]]:
    """Target -> terms from a dict (of lists or "a|b" strings) or "t1=a|b;t2=c" text.

    Raises :class:`ConfigError` for an entry without "=" or without terms."""
    if not value:
        return {}
    if isinstance(value, str):
        pairs = []
        for entry in value.split(";"):
            if not entry.strip():
                continue
            target, sep, terms = entry.partition("=")
            if not sep:
                raise ConfigError(f"brand terms entry {entry.strip()!r}: expected TARGET=TERM|TERM")
            pairs.append((target, terms))
        items: Iterable[tuple[Any, Any]] = pairs
    elif isinstance(value, Mapping):
        items = value.items()
    else:
        raise ConfigError(f"brand terms must be a dict or TARGET=TERM|TERM;... text, not {value!r}")
    out: dict[str, list[str]] = {}
    for target, terms in items:
        raw = terms.split("|") if isinstance(terms, str) else list(terms)
        cleaned = list(dict.fromkeys(" ".join(str(t).split()) for t in raw if str(t).strip()))
        name = str(target).strip().lower().strip(".").removeprefix("www.")
        if not name or not cleaned:
            raise ConfigError(f"brand terms for {target!r}: need a target and at least one term")
        out[name] = cleaned
    return out


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
    analysis_workers: int
    seen_sets: str
    max_url_length: int
    max_query_params: int
    max_page_number: int
    max_calendar_pages: int
    browser_domains: tuple[str, ...]
    browser_auto: bool
    max_category_depth: int
    max_listings: int
    spill_dir: str
    spill_max_items: int
    store_retry_max_delay: float
    journal: bool
    mentions: bool
    brand_terms: dict[str, list[str]]
    sitewide_min_pages: int
    mongo_timeout_ms: int
    mongo_connect_timeout_ms: int
    mongo_write_concern: str
    location_model: bool = True
    alert_webhook: str = ""
    alert_smtp: str = ""
    alert_email_to: tuple[str, ...] = ()
    alert_email_from: str = "linkcrawl@localhost"
    robotstxt_retry_delay: float = 60.0

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> LinkcrawlConfig:
        read = _Reader(settings)
        try:
            cfg = cls(
                store_uri=read.str("LINKCRAWL_STORE_URI"),
                targets=tuple(parse_list(settings.get("LINKCRAWL_TARGETS"))),
                max_depth=read.int("LINKCRAWL_MAX_DEPTH"),
                max_pages_per_site=read.int("LINKCRAWL_MAX_PAGES_PER_SITE"),
                batch_size=read.int("LINKCRAWL_BATCH_SIZE"),
                http_proxy=str(settings.get("LINKCRAWL_HTTP_PROXY") or ""),
                allow_private_addresses=read.bool("LINKCRAWL_ALLOW_PRIVATE_ADDRESSES"),
                progress_interval=read.float("LINKCRAWL_PROGRESS_INTERVAL"),
                run_id=str(settings.get("LINKCRAWL_RUN_ID") or ""),
                analysis_workers=read_workers(settings.get("LINKCRAWL_ANALYSIS_WORKERS")),
                seen_sets=read.str("LINKCRAWL_SEEN_SETS").strip().lower(),
                max_url_length=read.int("LINKCRAWL_MAX_URL_LENGTH"),
                max_query_params=read.int("LINKCRAWL_MAX_QUERY_PARAMS"),
                max_page_number=read.int("LINKCRAWL_MAX_PAGE_NUMBER"),
                max_calendar_pages=read.int("LINKCRAWL_MAX_CALENDAR_PAGES"),
                browser_domains=tuple(
                    d.lower().strip(".")
                    for d in parse_list(settings.get("LINKCRAWL_BROWSER_DOMAINS"))
                ),
                browser_auto=read.bool("LINKCRAWL_BROWSER_AUTO"),
                max_category_depth=read.int("LINKCRAWL_MAX_CATEGORY_DEPTH"),
                max_listings=read.int("LINKCRAWL_MAX_LISTINGS"),
                spill_dir=read.str("LINKCRAWL_SPILL_DIR"),
                spill_max_items=read.int("LINKCRAWL_SPILL_MAX_ITEMS"),
                store_retry_max_delay=read.float("LINKCRAWL_STORE_RETRY_MAX_DELAY"),
                journal=read.bool("LINKCRAWL_JOURNAL"),
                mentions=read.bool("LINKCRAWL_MENTIONS"),
                brand_terms=parse_brand_terms(settings.get("LINKCRAWL_BRAND_TERMS")),
                sitewide_min_pages=read.int("LINKCRAWL_SITEWIDE_MIN_PAGES"),
                location_model=read.bool("LINKCRAWL_LOCATION_MODEL"),
                mongo_timeout_ms=read.int("LINKCRAWL_MONGO_TIMEOUT_MS"),
                mongo_connect_timeout_ms=read.int("LINKCRAWL_MONGO_CONNECT_TIMEOUT_MS"),
                mongo_write_concern=read.str("LINKCRAWL_MONGO_WRITE_CONCERN"),
                alert_webhook=str(settings.get("LINKCRAWL_ALERT_WEBHOOK") or "").strip(),
                alert_smtp=str(settings.get("LINKCRAWL_ALERT_SMTP") or "").strip(),
                alert_email_to=tuple(parse_list(settings.get("LINKCRAWL_ALERT_EMAIL_TO"))),
                alert_email_from=read.str("LINKCRAWL_ALERT_EMAIL_FROM"),
                robotstxt_retry_delay=read.float("LINKCRAWL_ROBOTSTXT_RETRY_DELAY"),
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
        if cfg.analysis_workers < 0:
            raise ConfigError(
                f"LINKCRAWL_ANALYSIS_WORKERS must be >= 0, got {cfg.analysis_workers}")
        if cfg.seen_sets not in ("bloom", "exact"):
            raise ConfigError(
                f"LINKCRAWL_SEEN_SETS must be bloom or exact, got {cfg.seen_sets!r}")
        if cfg.max_calendar_pages < 0 or cfg.max_category_depth < 0:
            raise ConfigError(
                "LINKCRAWL_MAX_CALENDAR_PAGES and LINKCRAWL_MAX_CATEGORY_DEPTH must be >= 0"
            )
        return cfg

    @property
    def store_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`linkcrawl.store.open_store` from these settings."""
        return {"timeout_ms": self.mongo_connect_timeout_ms,
                "mongo_timeout_ms": self.mongo_timeout_ms,
                "write_concern": self.mongo_write_concern}


def auto_workers(cores: int) -> int:
    """Analysis workers for ``cores`` usable cores (``LINKCRAWL_ANALYSIS_WORKERS=auto``).

    Measured on 2 busy cores (docs/performance.md): a worker cuts the crawl process's CPU
    from ~8.5 to ~5 ms a page but adds ~15% CPU in all and ~95 MB, so it pays only when it
    has a core the crawl process and the network do not use. One worker's analysis (~4.7 ms
    a page on the benchmark web) about keeps up with one crawl process; a second gives room
    for heavier real pages; more add memory, not pages.
    """
    return 0 if cores <= 2 else min(cores - 2, 2)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def read_workers(value: Any) -> int:
    """LINKCRAWL_ANALYSIS_WORKERS: a whole number, or ``auto`` (:func:`auto_workers`)."""
    if value is None or value == "":
        value = setting_default("LINKCRAWL_ANALYSIS_WORKERS")
    if isinstance(value, str) and value.strip().lower() == "auto":
        return auto_workers(usable_cores())
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"LINKCRAWL_ANALYSIS_WORKERS must be a whole number or auto, got {value!r}"
        ) from None


def settings_markdown() -> str:
    """The settings table of docs/crawling.md (``python -m linkcrawl.config`` prints it)."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for name, (default, description) in SETTINGS.items():
        shown = "[]" if default == [] else repr(default) if isinstance(default, str) else default
        rows.append(f"| `{name}` | `{shown}` | {description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_markdown())
