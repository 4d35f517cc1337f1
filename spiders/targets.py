"""Fetch each distinct target URL of the stored live backlinks once: broken backlinks.

``scrapy crawl targets -a target=acme.com`` (target domains, comma-separated; all stored
targets without it) reads the live backlinks' target URLs from the store, fetches each once
(robots.txt, the address guard and politeness as for any crawl; redirects followed) and hands
the answers to ``pipelines.targetpages.TargetPagesPipeline``, which records them on the
backlinks (``target_status``, ``target_state``, ...). ``linkcrawl broken`` runs it and prints
the links to reclaim.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from linkcrawl.crawl.context import crawl_config
from linkcrawl.items import TargetCheckItem
from linkcrawl.navigate.seeds import load_targets
from linkcrawl.store import open_store
from linkcrawl.web.domains import registrable_domain

logger = logging.getLogger(__name__)
# Error answers come to the callback (they are the point); redirects are still followed by
# Scrapy's redirect middleware, which handle_httpstatus_all would switch off.
ERRORS = list(range(400, 600))


class TargetPagesSpider(scrapy.Spider):
    name = "targets"
    custom_settings = {  # noqa: RUF012 (Scrapy reads this class attribute)
        "ITEM_PIPELINES": {"pipelines.targetpages.TargetPagesPipeline": 900},
    }

    def __init__(self, target: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.only_targets = load_targets(target, None)
        self.urls: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        where: dict[str, Any] = {"status": "live"}
        if spider.only_targets:
            where["target_domain"] = sorted({registrable_domain(t) for t in spider.only_targets})
        with open_store(crawl_config(crawler).store_uri) as store:
            spider.urls = sorted({d["target_url"] for d in store.find("backlinks", where)
                                  if d.get("target_url")})
        return spider

    async def start(self) -> AsyncIterator[Any]:
        logger.info("targets: checking %d target URLs", len(self.urls))
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error,
                                 dont_filter=True, meta={"handle_httpstatus_list": ERRORS,
                                                         "target_url": url})

    def parse(self, response: Response, **kwargs: Any) -> Any:
        yield TargetCheckItem(url=response.meta["target_url"], status=response.status,
                              final_url=response.url, checked_at=datetime.now(UTC))

    def on_error(self, failure: Failure) -> Any:
        request = failure.request  # type: ignore[attr-defined]
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        yield TargetCheckItem(url=request.meta["target_url"], error=error,
                              checked_at=datetime.now(UTC))
