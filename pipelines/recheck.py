"""Write recheck verdicts: live again, still live (with changes), or lost with a reason.

Runs last in the ``recheck`` spider's pipelines (instead of the store pipeline). Per page:
the stored backlinks of the page are diffed (:func:`linkcrawl.history.recheck.diff_page`) against
the backlinks found now; links found now are upserted (new ones are new backlinks, and a
link moved by a redirect keeps its ``first_seen``), then each stored link gets its verdict.
A link gone from the page and paired with a new one there (an edited anchor text or target
URL, :mod:`linkcrawl.history.linkedits`) is not lost: the new link continues its record and the old
one is ``superseded``. At the end, referring domains and placements of the pairs touched
are recomputed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler

from linkcrawl.history.claims import claim_fields, judge_claim, split_claims
from linkcrawl.history.documents import backlink_doc, page_doc, page_flags
from linkcrawl.history.linkedits import continued_fields, pair_edits, superseded_fields
from linkcrawl.history.recheck import (
    UNREACHABLE,
    Verdict,
    changes,
    diff_page,
    fetch_of,
    moved_within_site,
    verdict_fields,
)
from linkcrawl.history.refresh import refresh_derived
from linkcrawl.items import PageItem
from linkcrawl.store import open_store
from linkcrawl.store.base import Store
from linkcrawl.vocab import CLAIMED, SUPERSEDED
from linkcrawl.web.domains import page_identity
from pipelines._base import CrawlerPipeline

logger = logging.getLogger(__name__)


class RecheckPipeline(CrawlerPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store: Store | None = None
        self.run_id = ""
        self._pairs: set[tuple[str, str]] = set()
        self.outcomes: Counter[str] = Counter()

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.spider
        self.store = open_store(self.config.store_uri, **self.config.store_options)
        stamp = datetime.now(UTC)
        self.run_id = self.start_run_id(self.config.run_id, spider.name, stamp)
        self.store.start_run({"run_id": self.run_id, "spider": spider.name,
                              "args": dict(getattr(spider, "run_args", {})),
                              "store_uri": self.store.masked_uri, "started_at": stamp})

    def process_item(self, item: PageItem) -> PageItem:
        assert self.store is not None
        keys = self.context.recheck_plan.pop(item.url, None)
        if not keys:
            return item
        now = datetime.now(UTC)
        # claims (imported, never seen) are confirmed or refuted, not declared lost
        claims, old = split_claims(self.store.find("backlinks", {"key": keys}), CLAIMED)
        before = self.store.find("pages", {"url": item.url}, limit=1)
        was_noindex = bool(before and before[0].get("noindex"))
        final = "" if item.error else page_identity(item.final_url or item.url)[0]
        found_at = dataclasses.replace(item, url=final) if final and final != item.url else item
        current = {}
        flags = page_flags(found_at) if item.links else []
        for link in item.links:
            doc = backlink_doc(found_at, link, self.run_id, now, flags)
            current.setdefault(doc["key"], doc)
        fetch = fetch_of(item, list(current.values()))
        verdicts = diff_page(old, fetch, was_noindex=was_noindex)
        claimed = {}
        for claim in claims:
            judged = judge_claim(claim, fetch)
            claimed[claim["key"]] = claim_fields(judged, now)
            self.outcomes[f"claim/{judged.outcome}"] += 1
            self.stats.inc_value(f"recheck/claims/{judged.outcome}")
        if verdicts and all(v.status == UNREACHABLE for v in verdicts):
            # an outage, not a removal: the stored page and its links stay as they were
            self.outcomes[UNREACHABLE] += len(verdicts)
            self.stats.inc_value("recheck/unreachable", len(verdicts))
            if claimed:
                self.store.update_backlinks(claimed)
            return item
        by_key = {d["key"]: d for d in old}
        edited = self._edits(verdicts, by_key, current, now)
        verdicts = [self._moved(v, by_key[v.key]) for v in verdicts if v.key not in edited]
        for verdict in verdicts:
            if verdict.found is not None and verdict.found["key"] != verdict.key:
                moved = current[verdict.found["key"]]
                moved["first_seen"] = by_key[verdict.key].get("first_seen")
                moved["moved_from"] = item.url
        self.store.upsert_pages([answered_page_doc(item, self.run_id)])
        if current:
            self.store.upsert_backlinks(list(current.values()))
        self.store.update_backlinks(
            {**{v.key: verdict_fields(by_key[v.key], v, now) for v in verdicts}, **edited,
             **claimed}
        )
        for doc in [*old, *claims, *current.values()]:
            self._pairs.add((doc["target_domain"], doc["source_domain"]))
        for verdict in verdicts:
            outcome = verdict.reason or "live"
            self.outcomes[outcome] += 1
            self.stats.inc_value(f"recheck/{'live' if outcome == 'live' else 'lost/' + outcome}")
        edits = sum(1 for f in edited.values() if f.get("status") == SUPERSEDED)
        if edits:
            self.outcomes["edited"] += edits
            self.stats.inc_value("recheck/edited", edits)
        return item

    def _edits(self, verdicts: list[Verdict], by_key: dict[str, Any],
               current: dict[str, dict[str, Any]], now: datetime) -> dict[str, dict[str, Any]]:
        """Links gone from a page that answered normally, paired with links new on it
        (:func:`linkcrawl.history.linkedits.pair_edits`): the new document continues the old one's
        record (changed in ``current``), the old one is superseded. Returns the updates."""
        assert self.store is not None
        gone = sorted((by_key[v.key] for v in verdicts
                       if v.reason == "link_removed" and by_key[v.key].get("status") == "live"),
                      key=lambda d: (str(d.get("first_seen")), d["key"]))  # stable pairing
        unknown = [k for k in current if k not in by_key]
        if not gone or not unknown:
            return {}
        stored = {d["key"]: d for d in self.store.find("backlinks", {"key": unknown})}
        fresh = [current[k] for k in unknown
                 if k not in stored or stored[k].get("status") == SUPERSEDED]
        updates: dict[str, dict[str, Any]] = {}
        for edit in pair_edits(gone, fresh):
            old, new = by_key[edit.old_key], current[edit.new_key]
            fields = continued_fields(old, edit, now, changes(old, new))
            new.update(fields)
            if edit.new_key in stored:  # an edit back to an older link: its first_seen too
                updates[edit.new_key] = fields
            updates[edit.old_key] = {**superseded_fields(old, edit, now), "checked_at": now}
        return updates

    def _moved(self, verdict: Verdict, old: dict[str, Any]) -> Verdict:
        """Look for the removed link elsewhere on the referring site (one indexed query)."""
        if verdict.reason != "link_removed":
            return verdict
        assert self.store is not None
        candidates = self.store.find("backlinks", {
            "source_domain": old["source_domain"], "target_url": old["target_url"],
            "anchor_text": old.get("anchor_text", ""), "status": "live"})
        return moved_within_site(verdict, old, candidates)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is None:
            return
        try:
            derived = refresh_derived(self.store, self._pairs,
                                      min_pages=self.config.sitewide_min_pages)
            self.stats.set_value("linkcrawl/referring_domains", derived.referring_domains)
            self.stats.set_value("linkcrawl/placements", derived.placements)
            stats = self.stats.get_stats()
            self.store.finish_run(self.run_id, finished_at=datetime.now(UTC),
                                  finish_reason=str(stats.get("finish_reason", "finished")),
                                  stats=stats)
            kept = ("live", "edited", UNREACHABLE)
            lost = sum(n for k, n in self.outcomes.items()
                       if k not in kept and not k.startswith("claim/"))
            reasons = ", ".join(f"{k} {n}" for k, n in sorted(self.outcomes.items())
                                if k not in kept)
            logger.info("summary: recheck %s: %d live, %d edited, %d lost%s, %d unreachable "
                        "(unchanged)", self.run_id, self.outcomes["live"],
                        self.outcomes["edited"], lost, f" ({reasons})" if reasons else "",
                        self.outcomes[UNREACHABLE])
        finally:
            self.store.close()


# What an error answer (404, 410, 403, robots.txt) says about a page; the rest of the stored
# page (title, language, page type ...) is what the page was, and a recheck keeps it.
ERROR_PAGE_FIELDS = ("url", "final_url", "error", "spider", "run_id", "fetched_at")


def answered_page_doc(item: PageItem, run_id: str) -> dict[str, Any]:
    """The page document a recheck writes: all of it for a page that answered, only the
    error (and a real status) for one that did not, so nothing stored is erased."""
    doc = page_doc(item, run_id)
    if not item.error:
        return doc
    kept = {k: doc[k] for k in ERROR_PAGE_FIELDS}
    if item.status:
        kept["status"] = item.status
    return kept
