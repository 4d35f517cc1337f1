"""Scrapy project settings for linkcrawl: polite by default.

LINKCRAWL_* settings and their defaults live in :mod:`linkcrawl.config`; this module only
wires Scrapy's own settings and the components. Override per run with ``-s NAME=VALUE``.
"""

from linkcrawl import __version__
from linkcrawl.config import setting_defaults
from linkcrawl.crawl.browser import PLAYWRIGHT_SETTINGS

BOT_NAME = "linkcrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "linkcrawl.crawl.commands"

globals().update(setting_defaults())

# Politeness: a user agent that names us, robots.txt obeyed, adaptive throttling.
USER_AGENT = f"linkcrawl/{__version__} (backlink discovery crawler; +https://pypi.org/project/linkcrawl/)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
# Retried: timeouts and dropped connections, as docs/crawling.md says. Scrapy's default list
# also retries DNS failures and refused connections: a host that does not resolve or listen
# will not on the next try either, and three tries per dead host slow a crawl of many sites.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.TimeoutError",
    "twisted.internet.error.TCPTimedOutError",
    "twisted.internet.error.ConnectionLost",
]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Measured on the benchmark web (benchmarks/run.py --profile), both cost CPU per response:
# Scrapy re-reads the source of a bound-method callback for every response to warn about
# "return" in generators (~6% of a crawl's CPU); and it starts CONCURRENT_ITEMS tasks for
# each response's output (100 by default, ~7%), where our pipelines are synchronous and batch
# their writes, so parallel item processing buys nothing.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_ITEMS = 8
# Scrapy 2.19 opens a code-executing HTTP console per crawl; a crawler has no use for it.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# JavaScript pages: Debian's Chromium through scrapy-playwright, only for requests with
# meta["playwright"] (see linkcrawl.crawl.browser); Playwright starts on the first such request.
globals().update(PLAYWRIGHT_SETTINGS)
DOWNLOAD_HANDLERS = {
    "http": "linkcrawl.crawl.browser_handler.LazyPlaywrightHandler",
    "https": "linkcrawl.crawl.browser_handler.LazyPlaywrightHandler",
}

# The address guard where connections are made: only public addresses reach Twisted's
# HTTP client (linkcrawl.crawl.resolver); AddressGuardMiddleware refuses earlier, clearly.
TWISTED_DNS_RESOLVER = "linkcrawl.crawl.resolver.GuardedResolver"

DOWNLOADER_MIDDLEWARES = {
    # Scrapy 2.19's robots.txt middleware lets requests queued behind a host's robots.txt
    # ignore it (see linkcrawl/crawl/robotstxt.py); ours gives every waiter the parser.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "linkcrawl.crawl.robotstxt.RobotsTxtMiddleware": 100,
    "linkcrawl.crawl.middlewares.ProxyMiddleware": 740,
    "linkcrawl.crawl.middlewares.AddressGuardMiddleware": 745,
    # header limits; non-text charset labels replaced before any middleware reads .text
    "linkcrawl.crawl.hostile.CharsetLabelMiddleware": 900,
    # lowest number: its process_response runs last, on the final (decompressed) response
    "linkcrawl.crawl.analysis_pool.AnalysisPoolMiddleware": 50,
}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.targets.TargetFilterPipeline": 200,
    "pipelines.mentions.MentionsPipeline": 250,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.classify.ClassifyPipeline": 400,
    "pipelines.store.StorePipeline": 900,
    # LINKCRAWL_ARCHIVE_DIR: pages holding backlinks kept as WARC files (pipelines/archive.py)
    "pipelines.archive.ArchivePipeline": 950,
}

# With JOBDIR set, journal requested-but-unfinished URLs so a restart after a kill re-queues
# them (linkcrawl.ops.journal_middleware); lowest order so it sees a callback's output last.
SPIDER_MIDDLEWARES = {
    "linkcrawl.ops.journal_middleware.JournalMiddleware": 1,
}

EXTENSIONS = {
    # first: built before Scrapy logs anything, masks credentials in every log record
    "linkcrawl.ops.logmask.SecretMaskExtension": 0,
    "linkcrawl.crawl.progress.ProgressLog": 500,
    # LINKCRAWL_ALERT_WEBHOOK / LINKCRAWL_ALERT_SMTP: the run's new, lost and restored links
    "linkcrawl.ops.alerts.AlertsExtension": 600,
}

# LINKCRAWL_REDIS_URL: one frontier shared by several workers (linkcrawl.ops.distributed).
# The seen-set duplicate filter (linkcrawl.crawl.dupefilter) unless the Redis one is in use.
ADDONS = {"linkcrawl.ops.distributed.RedisFrontierAddon": 0,
          "linkcrawl.crawl.dupefilter.SeenSetsAddon": 10}
