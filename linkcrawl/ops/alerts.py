"""Alerts at the end of a crawl or recheck: new, lost and restored backlinks per target.

``LINKCRAWL_ALERT_WEBHOOK`` (a URL: the run's changes are POSTed as JSON) and/or
``LINKCRAWL_ALERT_SMTP`` (``smtp://[user:password@]host[:port]``, ``smtps://`` for TLS; with
``LINKCRAWL_ALERT_EMAIL_TO``) switch it on; otherwise the extension is not configured. Nothing
is sent for a run that changed nothing. Sending happens in a thread after the crawl, so a slow
receiver delays the end of the process, never the crawl; a failure is logged (credentials
masked) and counted, and never fails the run.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.request
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Self
from urllib.parse import unquote, urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import threads
from twisted.internet.defer import Deferred

from linkcrawl import __version__
from linkcrawl.crawl.context import crawl_config
from linkcrawl.ops.logmask import mask_text
from linkcrawl.report.alerts import alert_payload, alert_text, run_changes
from linkcrawl.store import open_store

__all__ = ["AlertsExtension", "send_email", "send_webhook"]

logger = logging.getLogger(__name__)
TIMEOUT = 15.0  # seconds per delivery attempt


def send_webhook(url: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON; raises OSError/ValueError on failure."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("LINKCRAWL_ALERT_WEBHOOK must be an http:// or https:// URL")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": f"linkcrawl/{__version__}"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered HTTP {response.status}")


def send_email(uri: str, sender: str, to: list[str], subject: str, body: str) -> None:
    """Send one plain-text message through the SMTP server of ``uri``."""
    parts = urlsplit(uri)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("LINKCRAWL_ALERT_SMTP must be smtp://[user:password@]host[:port] "
                         "or smtps://...")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, ", ".join(to)
    message.set_content(body)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, port, timeout=TIMEOUT,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=TIMEOUT)
    with client:
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


class AlertsExtension:
    """Sends the run's changes when the spider closes (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = crawl_config(crawler)
        self.started_at = datetime.now(UTC)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = crawl_config(crawler)
        if not (config.alert_webhook or config.alert_smtp):
            raise NotConfigured  # the default: no message, so Scrapy logs nothing
        if config.alert_smtp and not config.alert_email_to:
            raise NotConfigured("LINKCRAWL_ALERT_SMTP is set but LINKCRAWL_ALERT_EMAIL_TO "
                                "is empty: no e-mail alerts")
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = datetime.now(UTC)

    def spider_closed(self, spider: Spider) -> Deferred[None]:
        targets = list(getattr(spider, "targets", None) or self.config.targets)
        run_id = str(self.crawler.stats.get_value("linkcrawl/run_id") or "")
        return threads.deferToThread(self._send, targets, run_id, spider.name)

    def _send(self, targets: list[str], run_id: str, spider: str) -> None:
        stats = self.crawler.stats
        try:
            with open_store(self.config.store_uri, **self.config.store_options) as store:
                changes = run_changes(store, targets, self.started_at)
        except Exception as exc:  # an alert never fails the run
            logger.error("alerts: cannot read the store: %s", mask_text(str(exc)))
            stats.inc_value("alerts/failed")
            return
        payload = alert_payload(changes, run_id=run_id, spider=spider,
                                finished_at=datetime.now(UTC))
        if not payload["targets"]:
            logger.info("alerts: nothing new, lost or restored; nothing sent")
            return
        if self.config.alert_webhook:
            self._deliver("webhook", send_webhook, self.config.alert_webhook, payload)
        if self.config.alert_smtp:
            subject, body = alert_text(payload)
            self._deliver("email", send_email, self.config.alert_smtp,
                          self.config.alert_email_from, list(self.config.alert_email_to),
                          subject, body)

    def _deliver(self, kind: str, send: Any, *args: Any) -> None:
        stats = self.crawler.stats
        try:
            send(*args)
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            logger.error("alerts: %s delivery failed: %s", kind, mask_text(str(exc)))
            stats.inc_value(f"alerts/{kind}_failed")
            return
        logger.info("alerts: %s sent", kind)
        stats.inc_value(f"alerts/{kind}_sent")
