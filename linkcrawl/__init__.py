"""linkcrawl: a self-hosted backlink discovery crawler built on Scrapy."""

__version__ = "0.1.0"
