"""Where backlinks are found besides a crawl: vendor exports (claims to verify), web
archives (WARC files) and the Common Crawl host graph (prospects to crawl).

Plain Python over files and the store, no Scrapy: the verification of claims is the
``recheck`` spider's job, and the prospects become a seed file for ``scrapy crawl sites``.
"""
