"""How much of the text around a backlink is links (the link-farm shape), read from real
markup: the nearest ancestor with 200 characters of text, else the whole page."""

from __future__ import annotations

import pytest

from linkcrawl.analysis.encoding import parse_document
from linkcrawl.analysis.extract import extract_links, read_page

PROSE = ("Tomatoes need six hours of sun and a deep pot, and they want water every morning "
         "once the weather turns warm; a saucer under the pot keeps the roots from drying out. ")
BLOGROLL = "".join(f'<li><a href="http://site{i}.test/">Friendly site number {i}</a></li>'
                   for i in range(12))


@pytest.mark.parametrize(("body", "density", "links"), [
    # a link in a paragraph of prose: the paragraph holds 200+ characters
    (f'<p>{PROSE}The <a href="http://acme.test/">Acme seed shop</a> sells them.</p>',
     round(len("Acme seed shop") / len(f"{PROSE}The Acme seed shop sells them.".strip()), 2),
     1),
    # a link in a blogroll of 12: the list is the part with 200+ characters, all links
    (f'<p>{PROSE}</p><ul><li><a href="http://acme.test/">Acme seed shop</a></li>{BLOGROLL}</ul>',
     1.0, 13),
    # a lone link on a short page: the whole page
    ('<p>See <a href="http://acme.test/">Acme</a>.</p>', round(4 / 9, 2), 1),
])
def test_block_link_density(body: str, density: float, links: int) -> None:
    root = parse_document(f"<html><body>{body}</body></html>".encode())
    facts = read_page(root, "http://blog.test/post", {})
    (acme,) = [link for link in extract_links(root, facts) if "acme" in link.url]
    assert (acme.block_link_density, acme.block_links) == (density, links)
