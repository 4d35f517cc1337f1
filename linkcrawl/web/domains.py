"""Host and registrable-domain helpers over publicsuffixlist's bundled list (no network).

The "referring domain" an analyst counts is the registrable domain: ``news.bbc.co.uk`` and
``www.bbc.co.uk`` are one referrer, ``alice.blogspot.com`` and ``bob.blogspot.com`` are two
(private suffixes such as blogspot.com and github.io are included on purpose).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from linkcrawl.web.urls import normalize_host, normalize_url

__all__ = ["host_of", "page_identity", "registrable_domain", "site_of"]

_HOST_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(\[[^\]/?#@]*\]|[^:/?#@\[\]]*)"
                      r"(?::\d*)?(?:[/?#]|$)")
_PSL = PublicSuffixList()  # bundled list; loading it once costs ~50 ms


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The registrable domain ("eTLD+1") of ``host``, lower-case and punycoded.

    IP addresses, single-label hosts (``localhost``) and bare public suffixes come back as
    the host itself, so the answer is never empty for a non-empty host.
    Raises ValueError for an empty or invalid host.
    """
    host = normalize_host(host)
    if _is_ip(host):
        return host
    domain = _PSL.privatesuffix(host)
    return domain or host


@lru_cache(maxsize=32768)
def host_of(url: str) -> str:
    """The normalized host of ``url`` (lower-case, punycode, no port); "" when it has none."""
    match = _HOST_RE.match(url.strip())
    if match is None:
        return ""
    try:
        return normalize_host(match.group(1)) if match.group(1) else ""
    except ValueError:
        return ""


@lru_cache(maxsize=16384)
def site_of(url: str) -> str:
    """The registrable domain of ``url``'s host; "" when it has none."""
    host = host_of(url)
    try:
        return registrable_domain(host) if host else ""
    except ValueError:
        return ""


def brand_name(target: str) -> str:
    """The name a site goes by: its registrable domain without the public suffix,
    IDNA-decoded (``shop.acme-widgets.co.uk`` -> ``acme-widgets``, ``xn--bcher-kva.de`` ->
    ``bücher``). Anchor classes and unlinked mentions both start from it."""
    label = registrable_domain(target.lower().strip(".")).split(".", 1)[0]
    if label.startswith("xn--"):
        with contextlib.suppress(UnicodeError):
            label = label.encode("ascii").decode("idna")
    return label


def page_identity(url: str) -> tuple[str, str, str]:
    """(normalized url, host, registrable domain) of a page URL; raw URL if unusable."""
    with contextlib.suppress(ValueError):
        url = normalize_url(url)
    host = host_of(url)
    return url, host, registrable_domain(host) if host else ""
