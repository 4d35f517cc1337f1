"""WARC files for the scan tests: recorded from a loopback web, or written record by record.

``record_web`` fetches every file of a LocalWeb through its proxy (so the records carry the
server's real status lines and headers) and writes a request and a response record per URL
with warcio, the way an archiving crawler would. Capture dates are given, so the tests know
what ``first_seen`` must be.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkcrawl.ops.localweb import LocalWeb


def web_urls(root: Path) -> list[str]:
    """Every servable file of a local web as a URL (folders per host; ``_`` paths hidden)."""
    urls = []
    for host in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(host.rglob("*")):
            rel = path.relative_to(host)
            if path.is_file() and not any(part.startswith("_") for part in rel.parts):
                urls.append(f"http://{host.name}/{rel.as_posix()}")
    return urls


def warc_date(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_response(writer: WARCWriter, url: str, status: str, headers: list[tuple[str, str]],
                   body: bytes, at: datetime, extra: dict[str, str] | None = None) -> None:
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=http,
        warc_headers_dict={"WARC-Date": warc_date(at), **(extra or {})})
    writer.write_record(record)


def record_web(root: Path, out: Path, start: datetime, *, gzip: bool = True,
               urls: Iterable[str] | None = None, repeat: int = 1) -> int:
    """Fetch ``urls`` (default: every file) from ``root`` served on loopback and write them to
    ``out``; capture i is dated ``start + i minutes``. Returns the number of responses."""
    written = 0
    with LocalWeb(root) as web, out.open("wb") as fh:
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": web.proxy_url}))
        writer = WARCWriter(fh, gzip=gzip)
        todo = list(urls or web_urls(root))
        for _ in range(repeat):
            for url in todo:
                at = start + timedelta(minutes=written)
                request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", url.split("/")[2])],
                                           is_http_request=True)
                writer.write_record(writer.create_warc_record(
                    url, "request", http_headers=request,
                    warc_headers_dict={"WARC-Date": warc_date(at)}))
                try:
                    response = opener.open(url, timeout=10)
                    status, body = response.status, response.read()
                    reason, headers = response.reason, list(response.headers.items())
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                    reason, headers = exc.reason, list(exc.headers.items())
                write_response(writer, url, f"{status} {reason}", headers, body, at)
                written += 1
    return written
