"""Scrapy commands that linkcrawl overrides (``COMMANDS_MODULE``)."""
