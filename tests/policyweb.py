"""The policy test web (tests/web/policy) and its endless trap pages, for spider tests.

Static sites live in ``tests/web/policy/<host>/``. Endless URL spaces cannot be static
files, so :class:`PolicyWeb` generates three of them on ``traps.test``:

- ``/calendar/YYYY/MM/``: a month page linking the previous and the next month, forever;
- ``/catalog/?color=red&f2=2...``: every page links itself plus one more parameter;
- ``/archive/page/N/``: every page links page N+1.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from linkcrawl.ops.localweb import LocalWeb, Resolved
from linkcrawl.store import open_store

POLICY_WEB = Path(__file__).resolve().parent / "fixtures" / "webs" / "policy"
TARGETS = "acme-widgets.test,rival-gadgets.test"
TRAP_HOST = "traps.test"
_CALENDAR_RE = re.compile(r"^/calendar/(\d{4})/(\d{2})/$")
_ARCHIVE_RE = re.compile(r"^/archive/page/(\d+)/$")


def _html(title: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f"<!doctype html><title>{title}</title><h1>{title}</h1><ul>{items}</ul>\n"


def endless_page(target: str) -> str | None:
    """HTML for a generated trap URL on traps.test, or None for the static site."""
    parts = urlsplit(target)
    match = _CALENDAR_RE.match(parts.path)
    if match:
        year, month = int(match[1]), int(match[2])
        prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
        next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
        return _html(f"Events {year}-{month:02d}", [
            (f"/calendar/{prev_y}/{prev_m:02d}/", "Previous month"),
            (f"/calendar/{next_y}/{next_m:02d}/", "Next month"),
        ])
    if parts.path == "/catalog/":
        count = len([p for p in parts.query.split("&") if p])
        more = f"{target}&f{count + 1}={count + 1}"
        return _html(f"Catalog ({count} filters)", [(more.replace("&", "&amp;"), "Narrow down")])
    match = _ARCHIVE_RE.match(parts.path)
    if match:
        number = int(match[1])
        return _html(f"Archive page {number}", [(f"/archive/page/{number + 1}/", "Older")])
    return None


class PolicyWeb(LocalWeb):
    """LocalWeb over tests/web/policy plus the generated trap pages."""

    def __init__(self, generated: Path) -> None:
        super().__init__(POLICY_WEB)
        self.generated = generated
        generated.mkdir(parents=True, exist_ok=True)

    def resolve(self, host: str, target: str) -> Resolved:
        if host.lower() == TRAP_HOST:
            html = endless_page(target)
            if html is not None:
                name = hashlib.sha1(target.encode("utf-8")).hexdigest() + ".html"
                path = self.generated / name
                path.write_text(html, encoding="utf-8")
                return Resolved(200, path)
        return super().resolve(host, target)

    def paths(self, host: str) -> list[str]:
        """Every path?query requested on ``host`` except robots.txt, in request order."""
        with self._lock:
            return [p for h, p, _ in self.requests if h == host and p != "/robots.txt"]


def backlinks(store_uri: str) -> set[tuple[str, str, str]]:
    """(source_url, target_url, anchor_text) of every stored backlink."""
    with open_store(store_uri) as store:
        docs = store.find("backlinks")
    return {(d["source_url"], d["target_url"], d["anchor_text"]) for d in docs}


def run_stats(store_uri: str) -> dict[str, object]:
    with open_store(store_uri) as store:
        runs = store.find("runs")
    assert len(runs) == 1, runs
    return dict(runs[0]["stats"])


def page_urls(store_uri: str) -> set[str]:
    with open_store(store_uri) as store:
        return {d["url"] for d in store.find("pages")}
