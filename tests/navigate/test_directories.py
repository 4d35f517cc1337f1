"""Directory link rules: categories, listings, pagination, pages to skip."""

from __future__ import annotations

import pytest

from linkcrawl.navigate.directories import classify_directory_link

D = "http://d.test"


@pytest.mark.parametrize(
    ("path", "dom_path", "rel", "expected"),
    [
        # phpLD-style script
        ("/index.php?c=3", "", (), "category"),
        ("/index.php?c=1&p=2", "", (), "page"),
        ("/detail/link-7.html", "", (), "listing"),
        ("/submit.php?c=1", "", (), "skip"),
        ("/report.php?id=7", "", (), "skip"),
        ("/out.php?id=7", "", (), "skip"),
        # WordPress directory plugins and common themes
        ("/category/manufacturing/", "", (), "category"),
        ("/category/manufacturing/page/2/", "", (), "page"),
        ("/listing/acme-widgets/", "", (), "listing"),
        ("/business-directory/?wpbdp_category=tools", "", (), "category"),
        ("/places/berlin/acme/", "", (), "listing"),
        ("/add-listing/", "", (), "skip"),
        ("/search?q=widgets", "", (), "skip"),
        ("/anything/", "", ("next",), "page"),
        # generic structure: only the markup says what a link is
        ("/b/1234", "div.listing-card > h3.listing-title > a", (), "listing"),
        ("/x/widgets-berlin", "ul.subcategories > li > a", (), "category"),
        ("/x/widgets-berlin", "nav.breadcrumb > a", (), "other"),
        ("/about.html", "footer > ul > li > a", (), "other"),
    ],
)
def test_classify_directory_link(path: str, dom_path: str, rel: tuple[str, ...],
                                 expected: str) -> None:
    assert classify_directory_link(D + path, dom_path, rel) == expected
