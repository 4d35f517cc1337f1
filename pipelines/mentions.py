"""Count the unlinked brand mentions page analysis found (:mod:`linkcrawl.analysis.mentions`).

Mentions are found while the page's tree exists, in page analysis
(:class:`linkcrawl.analysis.page.PageAnalyzer`, in the crawl process or a worker), for the
targets the page does not link to; with ``LINKCRAWL_MENTIONS=False`` none are looked for.
This step counts them and keeps a failed page from carrying any.
"""

from __future__ import annotations

from linkcrawl.items import PageItem
from pipelines._base import CrawlerPipeline


class MentionsPipeline(CrawlerPipeline):
    def process_item(self, item: PageItem) -> PageItem:
        if item.error:
            item.mentions = []
        if item.mentions:
            self.stats.inc_value("linkcrawl/mentions_found", len(item.mentions))
        return item
