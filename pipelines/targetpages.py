"""Record each target URL's answer on the live backlinks that point to it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from linkcrawl.history.targetpages import target_state
from linkcrawl.items import TargetCheckItem
from linkcrawl.store import Store, open_store
from pipelines._base import CrawlerPipeline

CHUNK = 500  # target URLs per query: bounded IN lists


class TargetPagesPipeline(CrawlerPipeline):
    def open_spider(self, spider: Any = None) -> None:
        self.store: Store = open_store(self.config.store_uri)
        self.answers: dict[str, dict[str, Any]] = {}
        self.states: Counter[str] = Counter()

    def process_item(self, item: TargetCheckItem) -> TargetCheckItem:
        state, reason = target_state(item.url, item.status, item.final_url, item.error)
        self.answers[item.url] = {"target_status": item.status or None,
                                  "target_final_url": item.final_url or None,
                                  "target_state": state, "target_reason": reason,
                                  "target_checked_at": item.checked_at}
        self.states[state] += 1
        self.stats.inc_value(f"targets/{state}")
        return item

    def close_spider(self, spider: Any = None) -> None:
        try:
            urls = sorted(self.answers)
            for start in range(0, len(urls), CHUNK):
                chunk = urls[start:start + CHUNK]
                docs = self.store.find("backlinks", {"target_url": chunk, "status": "live"})
                self.store.update_backlinks({d["key"]: self.answers[d["target_url"]]
                                             for d in docs})
        finally:
            self.store.close()
