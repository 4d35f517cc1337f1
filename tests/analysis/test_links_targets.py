"""Which links are backlinks to the targets: registrable-domain targets and host targets."""

from __future__ import annotations

import pytest

from linkcrawl.analysis.links import TargetMatcher, normalize_link, split_backlinks
from linkcrawl.items import LinkItem, PageItem


def _page(url: str, hrefs: list[str]) -> PageItem:
    host = url.split("/")[2]
    parts = host.split(".")
    domain = ".".join(parts[-2:]) if parts[-1] != "uk" else ".".join(parts[-3:])
    page = PageItem(url=url, host=host, domain=domain)
    for href in hrefs:
        link = LinkItem(source_url=url, href=href, url=href)
        assert normalize_link(link, page)
        page.links.append(link)
    return page


@pytest.mark.parametrize(
    ("targets", "page_url", "href", "backlink"),
    [
        # a host target: the other hosts of the shared registrable domain are other sites
        (["ec.europa.eu"], "https://www.europarl.europa.eu/news", "https://ec.europa.eu/x", True),
        (["ec.europa.eu"], "https://europarl.europa.eu/", "https://sub.ec.europa.eu/", True),
        (["ec.europa.eu"], "https://www.gov.uk/", "https://ec.europa.eu/x", True),
        # ... but not the host itself, nor its own subdomains
        (["ec.europa.eu"], "https://ec.europa.eu/a", "https://ec.europa.eu/b", False),
        (["ec.europa.eu"], "https://news.ec.europa.eu/a", "https://ec.europa.eu/b", False),
        # a sibling host that is not the target is not a backlink
        (["ec.europa.eu"], "https://www.gov.uk/", "https://europarl.europa.eu/", False),
        # a registrable-domain target: its own hosts link internally, as before
        (["europa.eu"], "https://europarl.europa.eu/", "https://ec.europa.eu/x", False),
        (["europa.eu"], "https://www.gov.uk/", "https://ec.europa.eu/x", True),
        (["example.com"], "https://blog.example.com/", "https://www.example.com/", False),
        # both kinds named: the host target still counts from a sibling host
        (["europa.eu", "ec.europa.eu"], "https://europarl.europa.eu/", "https://ec.europa.eu/",
         True),
    ],
)
def test_split_backlinks_host_targets(targets: list[str], page_url: str, href: str,
                                      backlink: bool) -> None:
    page = _page(page_url, [href])
    backlinks, _ = split_backlinks(page, TargetMatcher(targets))
    assert [link.href for link in backlinks] == ([href] if backlink else [])


@pytest.mark.parametrize(
    ("page_url", "href", "edges"),
    [
        # a sibling-host backlink adds no self-edge to the domain graph
        ("https://europarl.europa.eu/", "https://ec.europa.eu/x", {}),
        ("https://www.gov.uk/", "https://ec.europa.eu/x", {"europa.eu": 1}),
    ],
)
def test_domain_edges_stay_between_registrable_domains(page_url: str, href: str,
                                                       edges: dict[str, int]) -> None:
    _, found = split_backlinks(_page(page_url, [href]), TargetMatcher(["ec.europa.eu"]))
    assert dict(found) == edges


def test_host_target_backlink_keeps_shared_source_domain() -> None:
    """The rollup interaction: the referring domain is the target's own registrable domain,
    the referring host tells the sites apart."""
    page = _page("https://www.europarl.europa.eu/news", ["https://ec.europa.eu/x"])
    (link,), _ = split_backlinks(page, TargetMatcher(["ec.europa.eu"]))
    assert (link.source_domain, link.source_host, link.target_domain) == (
        "europa.eu", "www.europarl.europa.eu", "europa.eu")
