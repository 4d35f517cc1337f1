"""Downloader-level defences against responses that attack the crawler rather than inform it.

* **Header floods.** Twisted's HTTP/1.1 client (``twisted.web._newclient.HTTPClientParser``,
  under Scrapy's HTTP/1.1 handler) keeps every header line a server sends, with no limit on
  their number: a server that sends header lines forever grows the crawl without bound
  (2.68 GB in one measured crawl) while ``DOWNLOAD_TIMEOUT`` and ``DOWNLOAD_MAXSIZE`` never
  fire, since the body never starts. :func:`limit_response_headers` caps a response's header
  section at :data:`MAX_HEADER_LINES` lines and :data:`MAX_HEADER_BYTES` bytes (Chromium
  refuses more than 256 KiB of headers too); past either, the connection is dropped and the
  request fails with :class:`HeadersTooLarge`.
* **Non-text charset labels.** A ``charset=zlib`` (base64, hex, rot13, utf-7, ...) in
  Content-Type or ``<meta>`` makes Scrapy's ``response.text`` raise ``LookupError`` in the
  first middleware that reads it (meta refresh), so the page became a fetch error.
  Browsers ignore labels they do not know; :class:`CharsetLabelMiddleware` gives such a
  response the encoding linkcrawl's own sniffing finds (``linkcrawl.analysis.encoding``).
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from linkcrawl.analysis.encoding import is_text_codec, sniff_encoding

__all__ = [
    "MAX_HEADER_BYTES", "MAX_HEADER_LINES", "CharsetLabelMiddleware", "HeadersTooLarge",
    "limit_response_headers",
]

logger = logging.getLogger(__name__)

MAX_HEADER_LINES = 1000  # status line and header lines (continuations included) per response
MAX_HEADER_BYTES = 256 * 1024  # their total size


class HeadersTooLarge(Exception):
    """A response whose header section passed :data:`MAX_HEADER_LINES` or
    :data:`MAX_HEADER_BYTES`: the connection is dropped before the rest arrives."""


def limit_response_headers() -> None:
    """Cap the header section Twisted's HTTP/1.1 client reads (once per process).

    Scrapy swaps the parser's class for a lenient subclass that has its own
    ``lineReceived``, so the count is kept in ``dataReceived``, which both share. It counts
    while the parser is still reading headers after a chunk, so every byte counted is a
    header byte; memory past the limit is at most one network read.
    """
    from twisted.web import _newclient  # the parser Scrapy's HTTP/1.1 handler drives

    parser = _newclient.HTTPClientParser
    if getattr(parser, "_linkcrawl_limited", False):
        return
    receive = parser.dataReceived
    reading_headers = (_newclient.STATUS, _newclient.HEADER)

    def data_received(self: Any, data: bytes) -> None:
        if self.state not in reading_headers:
            receive(self, data)
            return
        size = self.__dict__.get("_linkcrawl_bytes", 0) + len(data)
        lines = self.__dict__.get("_linkcrawl_lines", 0) + data.count(b"\n")
        self._linkcrawl_bytes, self._linkcrawl_lines = size, lines
        receive(self, data)
        if self.state in reading_headers and (size > MAX_HEADER_BYTES or
                                              lines > MAX_HEADER_LINES):
            raise HeadersTooLarge(
                f"response headers over the limit ({lines} lines, {size} bytes; at most "
                f"{MAX_HEADER_LINES} lines and {MAX_HEADER_BYTES} bytes)")

    parser.dataReceived = data_received
    parser._linkcrawl_limited = True


def _unusable(label: str | None) -> bool:
    return bool(label) and not is_text_codec(str(label))


class CharsetLabelMiddleware:
    """Downloader middleware: a response labelled with a non-text codec gets a sniffed one.

    Also installs the header limits (:func:`limit_response_headers`) when the crawl starts.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        limit_response_headers()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        if not isinstance(response, TextResponse):
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        header_label = http_content_type_encoding(content_type)
        meta_label = None if header_label else html_body_declared_encoding(response.body[:4096])
        if not (_unusable(header_label) or _unusable(meta_label)):
            return response
        name, _ = sniff_encoding(response.body, content_type=content_type)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("linkcrawl/charset_label_ignored")
        logger.debug("%s: charset %r is no text encoding; reading it as %s",
                     response.url, header_label or meta_label, name)
        return response.replace(encoding=name)
