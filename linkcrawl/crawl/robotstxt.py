"""Scrapy's robots.txt middleware with a fix for requests that wait on the same robots.txt.

Scrapy 2.19's ``RobotsTxtMiddleware.robot_parser`` has every request that arrives while
a host's robots.txt is downloading await one shared Deferred through
``maybe_deferred_to_future``; Twisted's ``Deferred.asFuture`` consumes the result, so only
the first waiter gets the parser and the others get ``None``, which means "allowed".
Requests queued behind robots.txt then ignore it. By the time a waiter resumes, the
middleware has stored the real parser (or ``None`` after a download error) in
``_parsers``, so reading it from there gives every waiter the right answer.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class _OneLine(logging.Filter):
    """Scrapy logs a traceback when robots.txt cannot be fetched (a host that is down);
    the message already names the error, and a crawl meets dead hosts all the time."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


_SCRAPY_LOGGER = logging.getLogger(ScrapyRobotsTxt.__module__)
if not any(isinstance(f, _OneLine) for f in _SCRAPY_LOGGER.filters):
    _SCRAPY_LOGGER.addFilter(_OneLine())


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser
