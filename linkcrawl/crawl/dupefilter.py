"""Scrapy's duplicate-request filter over a seen set (``LINKCRAWL_SEEN_SETS``).

Scrapy's RFPDupeFilter keeps every request fingerprint in a Python set: about 100 bytes a
request, for the whole crawl. :class:`SeenSetDupeFilter` keeps them in a Bloom filter (about
3 bytes a request; see :mod:`linkcrawl.navigate.seen` for the false-positive rate: a request
wrongly taken for a duplicate is dropped, as Scrapy drops duplicates). With ``JOBDIR`` the
fingerprints file is still written and read back on resume, so restarts work as before. In
distributed mode (``LINKCRAWL_REDIS_URL``) the shared Redis filter is used instead.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.settings import BaseSettings
from scrapy.utils.job import job_dir

from linkcrawl.crawl.context import crawl_config
from linkcrawl.navigate.seen import SeenSet, seen_set

__all__ = ["SeenSetDupeFilter", "SeenSetsAddon"]

DUPEFILTER = "linkcrawl.crawl.dupefilter.SeenSetDupeFilter"


class SeenSetDupeFilter(RFPDupeFilter):
    """RFPDupeFilter with the fingerprints in a :class:`SeenSet`."""

    def __init__(self, path: str | None = None, debug: bool = False, *,
                 kind: str = "bloom", **kwargs: Any) -> None:
        super().__init__(path, debug, **kwargs)
        self.seen: SeenSet = seen_set(kind)
        loaded = getattr(self, "_fingerprints", None)  # read from JOBDIR by Scrapy
        for fingerprint in loaded or ():
            self.seen.add(fingerprint)
        if loaded:
            loaded.clear()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
                   kind=crawl_config(crawler).seen_sets,
                   fingerprinter=crawler.request_fingerprinter)

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.fingerprinter.fingerprint(request)
        if not self.seen.add(fingerprint):
            return True
        if self.file:  # Scrapy's format: 2-byte big-endian length, then the fingerprint
            self.file.write(len(fingerprint).to_bytes(2, "big") + fingerprint)
        return False


class SeenSetsAddon:
    """Scrapy add-on: use :class:`SeenSetDupeFilter` unless the project, the command line or
    distributed mode chose another duplicate filter."""

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.get("LINKCRAWL_REDIS_URL"):
            return
        if settings.getpriority("DUPEFILTER_CLASS") == 0:  # Scrapy's default, untouched
            settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
