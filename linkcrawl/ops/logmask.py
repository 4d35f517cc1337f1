"""Keep passwords in URIs out of the log, whoever logs them.

Scrapy itself logs every setting given with ``-s`` ("Overridden settings"), so a store URI
such as ``mongodb://user:secret@db/linkcrawl`` passed on the command line would reach the
log unmasked. :class:`SecretMaskExtension` (first in ``EXTENSIONS``; Scrapy builds the
extensions just before it logs the overridden settings) puts :class:`MaskFilter` on the
root logger's handlers, so every record is masked before it is written, whatever module
logged it. Prefer the ``LINKCRAWL_STORE_URI`` environment variable anyway: Scrapyd lists
``-s``/``setting=`` values of its jobs, and a log filter cannot reach that listing.
"""

from __future__ import annotations

import logging
import re
from typing import Self

from scrapy.crawler import Crawler

__all__ = ["MaskFilter", "SecretMaskExtension", "install", "mask_text"]

# scheme://user:password@ -> scheme://user:***@ (the password runs to the last "@" before
# white space or a quote, so a raw "@" or "/" in it is masked too); and password=... in
# a query string.
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:@/'\"]*):[^\s'\"]*@")
_QUERY_PASSWORD = re.compile(r"(?i)([?&][^=&\s'\"]*password[^=&\s'\"]*=)[^&\s'\"]*")


def mask_text(text: str) -> str:
    """``text`` with the password of every URI in it replaced by ``***``."""
    if "://" not in text:
        return text
    return _QUERY_PASSWORD.sub(r"\1***", _USERINFO.sub(r"\g<head>:***@", text))


class MaskFilter(logging.Filter):
    """Rewrites a record whose message holds a URI with a password (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add one MaskFilter to every handler of ``logger`` (default: root) and to the logger."""
    logger = logger or logging.getLogger()
    for target in (logger, *logger.handlers):
        if not any(isinstance(f, MaskFilter) for f in target.filters):
            target.addFilter(MaskFilter())


class SecretMaskExtension:
    """Installs the mask on the log handlers when the crawler is built."""

    def __init__(self) -> None:
        install()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()
