"""Re-fetch known source pages and decide, per stored backlink, live or lost (and why).

``scrapy crawl recheck`` rechecks every stored backlink; narrow it with
``-a target=acme.com`` (target domains, comma-separated; ``targets``/``targets_file`` work
too), ``-a status=live|lost|claimed`` (claimed: links imported from an export, which the
recheck confirms or refutes, see ``linkcrawl.history.claims``) and
``-a older_than=7`` (days since the link was last checked). A page that seems to have lost
links is fetched a second time after ``LINKCRAWL_RECHECK_VERIFY_DELAY`` seconds (or
``-a verify_delay=S``); only that second answer counts. Verdicts come from
:mod:`linkcrawl.history.recheck`; ``pipelines.recheck.RecheckPipeline`` writes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from linkcrawl.config import setting_default
from linkcrawl.crawl.context import crawl_context
from linkcrawl.crawl.spider import LinkcrawlSpider
from linkcrawl.errors import ConfigError
from linkcrawl.history.recheck import fetch_of, plan_recheck, suspected_losses
from linkcrawl.items import PageItem
from linkcrawl.navigate.seeds import load_targets
from linkcrawl.store import open_store
from linkcrawl.vocab import SUPERSEDED
from linkcrawl.web.domains import host_of, page_identity, registrable_domain

logger = logging.getLogger(__name__)

STATUSES = ("all", "live", "lost", "claimed")  # claimed: imported, not yet confirmed
# Verified losses: a page that seems to have lost links is fetched once more after this many
# seconds, and only that answer counts (0 = believe the first answer).
VERIFY_SETTING = "LINKCRAWL_RECHECK_VERIFY_DELAY"
DEFAULT_VERIFY_DELAY: float = setting_default(VERIFY_SETTING)


class RecheckSpider(LinkcrawlSpider):
    name = "recheck"
    finds_mentions = False  # a recheck judges the stored links only
    # No dedupe step: two source URLs that now redirect to one page each need a verdict.
    custom_settings = {  # noqa: RUF012 (Scrapy reads this class attribute)
        "ITEM_PIPELINES": {
            "pipelines.normalize.NormalizePipeline": 100,
            "pipelines.targets.TargetFilterPipeline": 200,
            "pipelines.classify.ClassifyPipeline": 400,
            "pipelines.recheck.RecheckPipeline": 900,
        },
    }

    def __init__(
        self,
        target: str | None = None,
        status: str | None = None,
        older_than: str | float | None = None,
        verify_delay: str | float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.run_args.update(
            {k: v for k, v in (("target", target), ("status", status),
                               ("older_than", older_than), ("verify_delay", verify_delay))
             if v is not None}
        )
        # -a target=… and the other spiders' -a targets=… / targets_file=… both narrow it.
        self.only_targets = load_targets(target, None, self.target_notes) or list(self.targets)
        self.status = (status or "all").strip().lower()
        if self.status not in STATUSES:
            raise ConfigError(f"-a status must be one of {', '.join(STATUSES)}, got {status!r}")
        self.older_than = _float_arg("older_than", older_than, "a number of days")
        self.verify_delay = _float_arg("verify_delay", verify_delay, "seconds")
        self.plan: dict[str, list[str]] = {}
        self.was_noindex: set[str] = set()

    def configure(self, settings: BaseSettings) -> None:
        """Read which backlinks to recheck from the store (no seeds or targets needed)."""
        self.config = self.read_config(settings)
        self.max_depth = 0
        self.max_pages = self.config.max_pages_per_site
        where: dict[str, Any] = {}
        if self.only_targets:
            where["target_domain"] = sorted({registrable_domain(t) for t in self.only_targets})
        if self.status != "all":
            where["status"] = self.status
        with open_store(self.config.store_uri, create=False,
                        **self.config.store_options) as store:
            # a superseded link lives on in its edited successor, which is rechecked instead
            docs = [d for d in store.find("backlinks", where) if d.get("status") != SUPERSEDED]
            self.plan = plan_recheck(docs, now=datetime.now(UTC), older_than_days=self.older_than)
            # pages stored as noindex: noindex now is no loss, and no reason for a second look
            self.was_noindex = {p["url"] for p in store.find("pages", {"url": list(self.plan)})
                                if p.get("noindex")} if self.plan else set()
        picked = {key for keys in self.plan.values() for key in keys}
        self.expected: dict[str, list[dict[str, Any]]] = {}
        for doc in docs:
            if doc["key"] in picked:
                self.expected.setdefault(doc["source_url"], []).append(
                    {k: doc.get(k) for k in ("key", "target_url", "anchor_text", "follow",
                                             "status", "lost_reason", "link_kind")})
        if self.verify_delay is None:
            self.verify_delay = settings.getfloat(VERIFY_SETTING, DEFAULT_VERIFY_DELAY)
        self.targets = sorted({d["target_domain"] for d in docs if d["source_url"] in self.plan})
        self.targets = self.targets or list(self.only_targets)
        crawler = getattr(self, "crawler", None)
        if crawler is not None:  # the recheck pipeline takes each page's keys from here
            crawl_context(crawler).recheck_plan = {url: list(k) for url, k in self.plan.items()}

    async def start(self) -> AsyncIterator[Any]:
        links = sum(len(keys) for keys in self.plan.values())
        logger.info("recheck: %d backlinks on %d source pages", links, len(self.plan))
        for url in list(self.plan):
            yield self.source_request(url)

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        source = response.meta["recheck_source"]
        # a source that refreshed to its target (Scrapy followed it) still has that link
        page = next(iter(self.refresh_pages(response.request)), None)
        if page is None or page.url != page_identity(source)[0]:
            page = self.analyze_response(response) or next(iter(self.feed_page(response)), None)
        if page is None:  # no longer an HTML page or a linking feed: it links nothing
            page = PageItem(url=source, final_url=response.url, status=response.status,
                            spider=self.name)
        page.url = source  # the verdict belongs to the URL that was stored
        yield await self._second_look(response.meta, page) or page

    async def on_error(self, failure: Failure) -> AsyncIterator[Any]:
        meta = failure.request.meta  # type: ignore[attr-defined]
        for page in super().on_error(failure):
            page.url = meta.get("recheck_source") or page.url
            yield await self._second_look(meta, page) or page

    async def _second_look(self, meta: dict[str, Any], page: PageItem) -> scrapy.Request | None:
        """A second request for a page that seems to have lost links (verified losses):
        after ``verify_delay`` seconds, once; its answer is the one that counts."""
        if self.verify_delay <= 0 or meta.get("recheck_verified"):
            return None
        links = [{"target_url": link.normalized_url, "anchor_text": link.anchor_text,
                  "follow": link.follow, "rel": link.rel, "link_kind": link.link_kind}
                 for link in [*page.links, *page.other_links]]
        expected = self.expected.get(page.url, ())
        if not suspected_losses(expected, fetch_of(page, links),
                                was_noindex=page.url in self.was_noindex):
            return None
        self.crawler.stats.inc_value("recheck/verify_refetch")
        await asyncio.sleep(self.verify_delay)
        return self.source_request(page.url, verified=True)

    def source_request(self, url: str, verified: bool = False) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse, errback=self.on_error, dont_filter=True,
            meta={"recheck_source": url, "recheck_verified": verified,
                  "site": registrable_domain(host_of(url))},
        )


def _float_arg(name: str, value: str | float | None, expected: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"-a {name} must be {expected}, got {value!r}") from None
