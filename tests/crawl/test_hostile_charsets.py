"""A page that names a codec that is no text encoding (charset=zlib, base64, rot13, ...)
is read the way browsers read it: the label is ignored and the encoding sniffed.

A real crawl of one site whose pages carry such labels in Content-Type or in <meta>; every
page's backlink must be stored and no page may count as an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcrawl.analysis.encoding import parse_document, sniff_encoding
from linkcrawl.store import open_store
from tests.conftest import scrapy_crawl
from tests.hostileweb import TARGET, HostileWeb, backlink, page

HOST = "charsets.test"
# Python codecs that are not text encodings, or that no browser knows.
LABELS = ("zlib", "base64", "hex", "rot13", "bz2", "uu", "quopri", "utf-7", "idna", "punycode",
          "undefined", "unicode_escape", "zip")


def test_non_text_charset_labels_lose_no_page(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'charsets.db'}"
    index = []
    with HostileWeb() as web:
        for label in LABELS:
            body = page(label, backlink(f"header-{label}") + "<p>caf\u00e9</p>")
            web.html(HOST, f"/h-{label}.html", body, f"text/html; charset={label}")
            meta = page(label, backlink(f"meta-{label}") + "<p>caf\u00e9</p>").replace(
                b"<head>", f'<head><meta charset="{label}">'.encode())
            web.html(HOST, f"/m-{label}.html", meta, "text/html")
            index += [f'<a href="/h-{label}.html">h</a>', f'<a href="/m-{label}.html">m</a>']
        web.html(HOST, "/", page("index", " ".join(index)))
        web.html(HOST, "/robots.txt", b"", "text/plain")
        scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                     args={"seeds": f"http://{HOST}/", "targets": TARGET}).check()
    with open_store(uri) as store:
        found = {d["target_url"].rsplit("/", 1)[1] for d in store.find("backlinks")}
        errors = {p["url"]: p["error"] for p in store.find("pages") if p["error"]}
    assert errors == {}
    expected = {f"{where}-{label}" for label in LABELS for where in ("header", "meta")}
    assert found == expected, f"lost: {sorted(expected - found)}"


@pytest.mark.parametrize("label", LABELS)
def test_non_text_labels_are_ignored_when_sniffing(label: str) -> None:
    body = "<p>caf\u00e9</p>".encode()
    assert sniff_encoding(body, content_type=f"text/html; charset={label}") == ("utf-8", 0)
    assert sniff_encoding(body, encoding=label) == ("utf-8", 0)
    meta = f'<meta charset="{label}">'.encode() + body
    assert sniff_encoding(meta) == ("utf-8", 0)
    assert "caf\u00e9" in parse_document(meta, encoding=label).text_content()
