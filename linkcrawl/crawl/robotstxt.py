"""Scrapy's robots.txt middleware, fixed for waiters, unreachable hosts and odd files.

Three changes to Scrapy 2.19's ``RobotsTxtMiddleware``:

* **Waiters get the parser.** ``robot_parser`` has every request that arrives while a
  host's robots.txt is downloading await one shared Deferred through
  ``maybe_deferred_to_future``; Twisted's ``Deferred.asFuture`` consumes the result, so only
  the first waiter gets the parser and the others get ``None``, which means "allowed". By
  the time a waiter resumes, the middleware has stored the real parser in ``_parsers``, so
  reading it from there gives every waiter the right answer.
* **Unreachable means disallowed, for now** (RFC 9309 2.3.1.4). Scrapy reads a 5xx answer's
  body as the rules and a timeout as "allow all". Here a 5xx, a 429 or a timeout holds the
  host's requests (they are not fetched and not recorded) and fetches robots.txt
  again after ``LINKCRAWL_ROBOTSTXT_RETRY_DELAY`` seconds, doubling, up to
  :data:`ROBOTS_ATTEMPTS` times; then the held requests are recorded as blocked by
  robots.txt. A 4xx still means "no rules" (2.3.1.3).
* **What search engines may crawl is kept** for each host: the linking pages Googlebot
  may not crawl are flagged ``robots_blocked`` on their backlinks
  (:func:`search_engine_block`), whatever linkcrawl's own user agent is allowed.
* **The first 500 KiB are read** (RFC 9309 2.5), whatever the file's size: the download
  stops there instead of failing at ``DOWNLOAD_MAXSIZE``, and a UTF-16 file with a BOM is
  decoded (Scrapy reads every robots.txt as UTF-8).
"""

from __future__ import annotations

import codecs
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.exceptions import DontCloseSpider, DownloadTimeoutError, IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from linkcrawl.crawl.context import CrawlContext, crawl_config, crawl_context
from linkcrawl.web.robots import SEARCH_AGENT, blocking_rule, search_engine_rules

__all__ = ["ROBOTS_ATTEMPTS", "ROBOTS_MAX_BYTES", "RobotsTxtHeld", "RobotsTxtMiddleware",
           "robots_body", "search_engine_block"]

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: crawlers must parse at least 500 KiB
ROBOTS_ATTEMPTS = 3  # fetches of an unreachable robots.txt before its host counts as blocked
# A server that accepted the connection but did not answer in time: "unreachable" in RFC
# 9309's sense. Errors that mean no server at all (DNS, refused, reset) are left to fail
# the page requests themselves, which records them as the host being unreachable.
_TIMEOUTS = (DownloadTimeoutError, TimeoutError, TwistedTimeoutError)
_CAP_META = "linkcrawl_robots_cap"  # bytes of robots.txt received so far (our robots request)


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


class RobotsTxtHeld(IgnoreRequest):
    """A request held while its host's robots.txt is unreachable; it is sent again after the
    next robots.txt fetch, so the spider records nothing for it now."""


class _Unreachable:
    """Stands in for a parser while robots.txt cannot be fetched: nothing is allowed."""

    def allowed(self, url: str, user_agent: Any) -> bool:
        return False


def robots_body(body: bytes) -> bytes:
    """The part of a robots.txt that is read, as UTF-8: the first 500 KiB, cut at a line end
    (a rule is never half-read); UTF-16 with a BOM decoded."""
    data = body[:ROBOTS_MAX_BYTES]
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom):len(data) - (len(data) - len(bom)) % 2].decode(codec, "replace")
            if len(body) > ROBOTS_MAX_BYTES:
                text = text[: text.rfind("\n") + 1]
            return text.encode("utf-8")
    if len(body) > ROBOTS_MAX_BYTES:
        data = data[: data.rfind(b"\n") + 1]
    return data


def search_engine_block(context: CrawlContext, url: str) -> str:
    """The robots.txt rule that keeps Googlebot off ``url`` (``"googlebot Disallow: /x/"``),
    "" when it may crawl it or its host's robots.txt was not read. The verdict is Protego's
    (Scrapy's parser of the file); the rule is named by :func:`blocking_rule`."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return ""
    known = context.search_robots.get(netloc)
    if known is None:
        return ""
    parser, rules = known
    if parser.allowed(url, SEARCH_AGENT):
        return ""
    return blocking_rule(rules, url) or f"{SEARCH_AGENT} (rule not named)"


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.retry_delay = crawl_config(crawler).robotstxt_retry_delay
        self._attempts: dict[str, int] = {}  # netloc -> failed robots.txt fetches
        self._held: dict[str, list[Request]] = {}  # netloc -> requests waiting for a retry
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            if urlparse_cached(request).path == "/robots.txt" and _CAP_META not in request.meta:
                # our own robots.txt request: no DOWNLOAD_MAXSIZE failure, stop at 500 KiB
                request.meta[_CAP_META] = 0
                request.meta["download_maxsize"] = 0
            return
        if request.url.startswith(("data:", "file:")):
            return
        netloc = urlparse_cached(request).netloc
        if netloc in self._held:
            self._hold(request, netloc)
        parser = await self.robot_parser(request)
        if isinstance(parser, _Unreachable):
            self._hold(request, netloc)
        self.process_request_2(parser, request)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser

    # --- robots.txt that cannot be fetched ---------------------------------------------
    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500 or response.status == 429:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._unreachable(netloc, f"http {response.status}")
            return
        body = robots_body(response.body)
        if len(response.body) > ROBOTS_MAX_BYTES:
            self._stats.inc_value("linkcrawl/robotstxt/truncated")
        await super()._parse_robots(response.replace(body=body), netloc, request)
        parser = self._parsers.get(netloc)
        if parser is not None and not isinstance(parser, Deferred | _Unreachable):
            rules = search_engine_rules(body.decode("utf-8", "ignore"))
            crawl_context(self.crawler).search_robots[netloc] = (parser, rules)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, _TIMEOUTS):
            # refused by the address guard, or no connection at all (DNS, refused, reset):
            # the pages would fail the same way and are recorded with their own error
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unreachable(netloc, type(exc).__name__)

    def _unreachable(self, netloc: str, why: str) -> None:
        """Disallow everything on ``netloc`` until robots.txt is fetched again."""
        attempts = self._attempts[netloc] = self._attempts.get(netloc, 0) + 1
        self._stats.inc_value("linkcrawl/robotstxt/unreachable")
        waiting = self._parsers.get(netloc)
        self._parsers[netloc] = _Unreachable()  # type: ignore[assignment]
        if attempts < ROBOTS_ATTEMPTS:
            delay = self.retry_delay * 2 ** (attempts - 1)
            logger.warning("robots.txt of %s unreachable (%s): its requests wait, next try in "
                           "%.0f s", netloc, why, delay)
            self._held.setdefault(netloc, [])
            from twisted.internet import reactor  # the crawl's reactor, installed by now

            reactor.callLater(delay, self._retry, netloc)  # type: ignore[attr-defined]
        else:
            logger.warning("robots.txt of %s unreachable (%s) after %d tries: its pages count "
                           "as disallowed", netloc, why, attempts)
        if isinstance(waiting, Deferred):
            waiting.callback(self._parsers[netloc])

    def _hold(self, request: Request, netloc: str) -> None:
        """Keep ``request`` for the next robots.txt fetch, or refuse it after the last."""
        held = self._held.get(netloc)
        if held is None:
            self._stats.inc_value("linkcrawl/robotstxt/unreachable_blocked")
            raise IgnoreRequest("robots.txt unreachable")
        held.append(request)
        self._stats.inc_value("linkcrawl/robotstxt/held")
        raise RobotsTxtHeld("held until robots.txt can be fetched")

    def _retry(self, netloc: str) -> None:
        """Fetch robots.txt again: send the held requests, the first one fetches it."""
        held = self._held.pop(netloc, [])
        self._parsers.pop(netloc, None)
        engine = self.crawler.engine
        if engine is None or not held:
            return
        for request in held:
            engine.crawl(request.replace(dont_filter=True))

    def _spider_idle(self, spider: Spider) -> None:
        if self._held:  # requests wait for a robots.txt retry
            raise DontCloseSpider

    # --- big robots.txt ----------------------------------------------------------------
    def _bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        received = request.meta.get(_CAP_META)
        if received is None:
            return
        if received == 0:  # the body is under way: decompression keeps DOWNLOAD_MAXSIZE
            request.meta.pop("download_maxsize", None)
        request.meta[_CAP_META] = received = received + len(data)
        if received > ROBOTS_MAX_BYTES:
            raise StopDownload(fail=False)
