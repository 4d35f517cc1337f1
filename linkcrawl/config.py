"""Every ``LINKCRAWL_*`` setting, its default and what it does — in one place.

``linkcrawl.settings`` loads these defaults into the Scrapy project settings; components
read them once through :class:`LinkcrawlConfig`. The README's settings table is this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings

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
    "LINKCRAWL_PROGRESS_INTERVAL": (30.0, "Seconds between progress log lines (0 = off)."),
    "LINKCRAWL_RUN_ID": ("", "Run id to record (default: generated from time and spider)."),
}


def setting_defaults() -> dict[str, Any]:
    """Defaults as a plain dict for the Scrapy settings module (env applied)."""
    values = {name: default for name, (default, _) in SETTINGS.items()}
    env_uri = os.environ.get("LINKCRAWL_STORE_URI")
    if env_uri:
        values["LINKCRAWL_STORE_URI"] = env_uri
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
            )
        except ValueError as exc:
            raise ConfigError(f"invalid linkcrawl setting: {exc}") from None
        if cfg.batch_size < 1:
            raise ConfigError(f"LINKCRAWL_BATCH_SIZE must be >= 1, got {cfg.batch_size}")
        if cfg.max_depth < 0 or cfg.max_pages_per_site < 1:
            raise ConfigError("LINKCRAWL_MAX_DEPTH must be >= 0 and LINKCRAWL_MAX_PAGES_PER_SITE >= 1")
        return cfg
