"""What a target is, parsed one way for every command that takes one.

A *target* is a domain whose backlinks are wanted: ``acme.com`` means acme.com and every
host under it (``www.acme.com``, ``blog.acme.com``); ``blog.acme.com`` means that host and
the hosts under it. Crawl arguments, targets files, the ``LINKCRAWL_TARGETS`` setting,
``report``, ``extract`` and ``recheck`` all call :func:`parse_target`, so a target typed
in any of them means the same thing:

- case and a trailing dot do not matter; a Unicode name (``bücher.example``) is the same
  target as its punycode (``xn--bcher-kva.example``);
- a leading ``www.`` is dropped (``www.acme.com`` is ``acme.com``);
- a URL (``https://acme.com/page``) is reduced to its host, with a note saying so: a target
  is a whole domain, never one page;
- ``*.acme.com`` is ``acme.com`` with a note: every target already covers its subdomains;
  a ``*`` anywhere else is refused;
- a port (``acme.com:8080``) or a path (``acme.com/blog``) without a scheme is refused: links
  are matched by host, so neither could narrow anything;
- a bare public suffix (``co.uk``) or a single label (``localhost``) is refused.

Pure: strings in, a :class:`Target` out; errors are :class:`ConfigError` with one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from linkcrawl.errors import ConfigError
from linkcrawl.web.domains import _PSL, _is_ip, registrable_domain
from linkcrawl.web.urls import normalize_host

__all__ = ["Target", "parse_target", "parse_targets"]

_EXPECTED = "expected a domain like example.com"
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed target: ``host`` is what links are matched against, ``domain`` the
    registrable domain the store files its backlinks under (``target_domain``)."""

    host: str
    domain: str
    given: str
    note: str = ""  # set when the input was reduced (a URL, a wildcard): tell the user


def _refuse(given: str, why: str, where: str) -> ConfigError:
    place = f" ({where})" if where else ""
    return ConfigError(f"invalid target {given!r}{place}: {why}")


def parse_target(text: str, where: str = "") -> Target:
    """The :class:`Target` that ``text`` names; raises ConfigError (with ``where``, e.g. a
    file and line, in the message) when it names none."""
    given = text
    value = text.strip()
    note = ""
    if not value:
        raise _refuse(given, f"empty; {_EXPECTED}", where)
    if any(c.isspace() for c in value):
        raise _refuse(given, f"contains a space; {_EXPECTED}", where)
    if "://" in value:
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
            parts.port  # noqa: B018 (raises ValueError for a port out of range)
        except ValueError:
            raise _refuse(given, f"not a valid URL; {_EXPECTED}", where) from None
        if parts.scheme.lower() not in ("http", "https") or not host:
            raise _refuse(given, f"not an http(s) URL with a host; {_EXPECTED}", where)
        value = host
        note = "url"
    elif value.startswith("["):
        raise _refuse(given, _EXPECTED, where)
    else:
        if value.endswith("/") and "/" not in value.rstrip("/"):
            value = value.rstrip("/")
        if "/" in value:
            domain = value.split("/", 1)[0]
            raise _refuse(given, f"a target is a domain, not a path: use {domain!r} (links to "
                          "every page of it are found)", where)
        if "@" in value or (":" in value and not value.rsplit(":", 1)[1].isdigit()
                            and value.rsplit(":", 1)[1]):
            raise _refuse(given, _EXPECTED, where)
        if ":" in value:
            domain = value.rsplit(":", 1)[0]
            raise _refuse(given, f"a target has no port: use {domain!r} (links are matched "
                          "by host, on any port)", where)
    if value.startswith("*."):
        value = value[2:]
        note = note or "wildcard"
    if "*" in value:
        raise _refuse(given, "a '*' may only start a target ('*.example.com', which is "
                      "example.com and its subdomains)", where)
    try:
        host = normalize_host(value)
    except ValueError:
        raise _refuse(given, _EXPECTED, where) from None
    host = host.removeprefix("www.")
    if host.startswith("[") or "." not in host or not all(map(_LABEL_RE.match, host.split("."))):
        raise _refuse(given, _EXPECTED, where)
    if not _is_ip(host) and _PSL.is_public(host):
        raise _refuse(given, f"{host!r} is a public suffix, not a domain; {_EXPECTED}", where)
    if note == "url":
        note = (f"target {given!r} is a URL: using its host {host!r} (a target is a whole "
                "domain with its subdomains, never one page)")
    elif note == "wildcard":
        note = f"target {given!r} is {host!r}: a target always covers its subdomains"
    return Target(host=host, domain=registrable_domain(host), given=given, note=note)


def parse_targets(texts: list[str], where: str = "") -> list[Target]:
    """Each of ``texts`` parsed, in order, a target given twice kept once."""
    seen: dict[str, Target] = {}
    for text in texts:
        target = parse_target(text, where)
        seen.setdefault(target.host, target)
    return list(seen.values())
