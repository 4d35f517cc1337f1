"""Alerts after a real crawl of the demo web: a JSON POST to a local receiver and an e-mail to
a local SMTP server, with the run's new links; a crawl that changes nothing sends nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from linkcrawl.ops.alerts import send_email, send_webhook
from linkcrawl.store import open_store
from tests.conftest import DEMO_TARGETS, REPO, free_port, scrapy_crawl

SEEDS = REPO / "data" / "seeds" / "demo.txt"


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook?token=s3cret"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def crawl(web: Any, uri: str, settings: dict[str, Any]) -> Any:
    return scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url, settings=settings,
                        args={"seeds_file": str(SEEDS), "targets": ",".join(DEMO_TARGETS)})


def test_a_crawl_alerts_its_new_links_and_a_repeat_sends_nothing(
    demo_web: Any, tmp_path: Path, receiver: Receiver, mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    uri = f"sqlite:///{tmp_path / 'alerts.db'}"
    settings = {"LINKCRAWL_ALERT_WEBHOOK": receiver.url,
                "LINKCRAWL_ALERT_SMTP": f"smtp://127.0.0.1:{port}",
                "LINKCRAWL_ALERT_EMAIL_TO": "seo@agency.example"}
    first = crawl(demo_web, uri, settings).check()
    (body,) = receiver.bodies
    counts = {t["target"]: t["counts"] for t in body["targets"]}
    # the demo web's ground truth: 46 backlinks to acme-widgets.test, 25 to rival-gadgets.test
    assert counts == {"acme-widgets.test": {"new": 46, "lost": 0, "restored": 0},
                      "rival-gadgets.test": {"new": 25, "lost": 0, "restored": 0}}
    with open_store(uri) as store:
        (run,) = store.find("runs")
    assert body["run_id"] == run["run_id"]
    link = body["targets"][0]["new"][0]
    assert link["target_url"].startswith("http://acme-widgets.test/") and link["link_type"]
    (raw,) = box.messages
    mail = message_from_bytes(raw)
    assert mail["To"] == "seo@agency.example"
    subject = " ".join(mail["Subject"].split())  # unfolded: long headers wrap in transit
    assert subject == ("linkcrawl: acme-widgets.test: 46 new, 0 lost, 0 restored; "
                       "rival-gadgets.test: 25 new, 0 lost, 0 restored")
    assert "s3cret" not in first.stderr  # the webhook's token never reaches the log
    # the same web again: nothing new, lost or restored, so nothing is sent
    second = crawl(demo_web, uri, settings).check()
    assert len(receiver.bodies) == 1 and len(box.messages) == 1
    assert "nothing new, lost or restored" in second.stderr


def test_an_unreachable_receiver_is_logged_not_fatal(demo_web: Any, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'alerts.db'}"
    done = crawl(demo_web, uri, {"LINKCRAWL_ALERT_WEBHOOK": "http://127.0.0.1:9/hook"})
    done.check()  # the crawl itself succeeded
    assert "'alerts/webhook_failed': 1" in done.stderr  # Scrapy's stats dump
    assert "alerts: webhook delivery failed" in done.stderr


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "hook"])
def test_a_webhook_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        send_webhook(url, {})


def test_a_bad_smtp_uri_is_refused() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        send_email("mailto:x@example.com", "a@b", ["c@d"], "s", "b")
