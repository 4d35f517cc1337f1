"""linkcrawl's item pipelines, in order: normalize → targets → dedupe → classify → store.

Each receives one :class:`linkcrawl.items.PageItem` per crawled page with its links.
"""
