"""Re-fetch known source pages and decide, per stored backlink, live or lost (and why).

``scrapy crawl recheck`` rechecks every stored backlink; narrow it with
``-a target=acme.com`` (target domains, comma-separated), ``-a status=live|lost`` and
``-a older_than=7`` (days since the link was last checked). Verdicts come from
:mod:`linkcrawl.recheck`; ``pipelines.recheck.RecheckPipeline`` writes them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from linkcrawl.config import LinkcrawlConfig
from linkcrawl.domains import host_of, registrable_domain
from linkcrawl.errors import ConfigError
from linkcrawl.items import PageItem
from linkcrawl.recheck import plan_recheck
from linkcrawl.seeds import load_targets
from linkcrawl.spiderbase import LinkcrawlSpider
from linkcrawl.store import open_store

logger = logging.getLogger(__name__)

STATUSES = ("all", "live", "lost")


class RecheckSpider(LinkcrawlSpider):
    name = "recheck"
    # No dedupe step: two source URLs that now redirect to one page each need a verdict.
    custom_settings = {  # noqa: RUF012 (Scrapy reads this class attribute)
        "ITEM_PIPELINES": {
            "pipelines.normalize.NormalizePipeline": 100,
            "pipelines.targets.TargetFilterPipeline": 200,
            "pipelines.classify.ClassifyPipeline": 400,
            "pipelines.recheck.RecheckPipeline": 900,
        },
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Scrapy 2.19's robots.txt middleware lets requests that queue behind a host's
        # robots.txt ignore it; a robots_blocked verdict needs the fixed one. Merged into
        # the project's middlewares (a dict in custom_settings would replace them).
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares |= {
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "linkcrawl.robotstxt.RobotsTxtMiddleware": 100,
        }
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    def __init__(
        self,
        target: str | None = None,
        status: str | None = None,
        older_than: str | float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.run_args.update(
            {k: v for k, v in (("target", target), ("status", status),
                               ("older_than", older_than)) if v is not None}
        )
        self.only_targets = load_targets(target, None)
        self.status = (status or "all").strip().lower()
        if self.status not in STATUSES:
            raise ConfigError(f"-a status must be one of {', '.join(STATUSES)}, got {status!r}")
        try:
            self.older_than = None if older_than in (None, "") else float(older_than)
        except (TypeError, ValueError):
            raise ConfigError(
                f"-a older_than must be a number of days, got {older_than!r}"
            ) from None
        self.plan: dict[str, list[str]] = {}

    def configure(self, settings: BaseSettings) -> None:
        """Read which backlinks to recheck from the store (no seeds or targets needed)."""
        self.config = LinkcrawlConfig.from_settings(settings)
        self.max_depth = 0
        self.max_pages = self.config.max_pages_per_site
        where: dict[str, Any] = {}
        if self.only_targets:
            where["target_domain"] = sorted({registrable_domain(t) for t in self.only_targets})
        if self.status != "all":
            where["status"] = self.status
        with open_store(self.config.store_uri) as store:
            docs = store.find("backlinks", where)
        self.plan = plan_recheck(docs, now=datetime.now(UTC), older_than_days=self.older_than)
        self.targets = sorted({d["target_domain"] for d in docs if d["source_url"] in self.plan})
        self.targets = self.targets or list(self.only_targets)

    async def start(self) -> AsyncIterator[Any]:
        links = sum(len(keys) for keys in self.plan.values())
        logger.info("recheck: %d backlinks on %d source pages", links, len(self.plan))
        for url in list(self.plan):
            yield scrapy.Request(
                url, callback=self.parse, errback=self.on_error, dont_filter=True,
                meta={"recheck_source": url, "site": registrable_domain(host_of(url))},
            )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[PageItem]:
        source = response.meta["recheck_source"]
        page = self.analyze_response(response)
        if page is None:  # no longer an HTML page: it answers, but links nothing
            page = PageItem(url=source, final_url=response.url, status=response.status,
                            spider=self.name)
        page.url = source  # the verdict belongs to the URL that was stored
        yield page

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        source = failure.request.meta.get("recheck_source")  # type: ignore[attr-defined]
        for page in super().on_error(failure):
            page.url = source or page.url
            yield page
