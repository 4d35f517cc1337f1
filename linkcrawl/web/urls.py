"""URL helpers: resolve an href, normalize a URL, unwrap redirect wrappers.

Pure functions over strings. Internal failures raise ``ValueError`` only, so callers can
skip one bad link with ``except ValueError`` and keep the page.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

import idna

from linkcrawl.web.url_rules import (
    REDIRECT_HOSTS,
    REDIRECT_PARAMS_STRONG,
    REDIRECT_PARAMS_WEAK,
    REDIRECT_PATH_WORDS,
    SKIP_SCHEMES,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
)

__all__ = [
    "REDIRECT_HOSTS", "SKIP_SCHEMES", "TRACKING_PARAMS", "TRACKING_PREFIXES", "normalize_host",
    "normalize_url", "resolve_href", "unwrap_redirect",
]

# Rules as data (tracking parameters, schemes, redirect wrappers) live in linkcrawl.web.url_rules.
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HEX = "0123456789ABCDEFabcdef"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# RFC 3986 pchar minus "%" (handled separately); "/" joins segments, "?" is allowed in queries.
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")
_ASCII_HOST_RE = re.compile(r"^[a-z0-9_\-.]+$")
# WHATWG URL: tabs and newlines are removed anywhere, C0 controls and spaces trimmed at ends.
_STRIP_INSIDE = str.maketrans("", "", "\t\n\r")
_EDGE = "".join(chr(c) for c in range(0x21)) + "\"'\u00a0\ufeff"


_USERINFO_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:")
# A part with none of these characters ("%" or any outside its safe set) is already normal.
_NEEDS_FIX = {
    safe: re.compile("[^" + "".join(re.escape(c) for c in sorted(safe)) + "]")
    for safe in (_PATH_SAFE, _QUERY_SAFE, _USERINFO_SAFE)
}
_URL_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?", re.DOTALL)


def _fix_percent(part: str, safe: frozenset[str]) -> str:
    """Upper-case %XX, decode unreserved ones, encode anything outside ``safe`` (UTF-8)."""
    if not part or not _NEEDS_FIX[safe].search(part):
        return part
    out: list[str] = []
    i, n = 0, len(part)
    while i < n:
        ch = part[i]
        if ch == "%":
            if i + 2 < n and part[i + 1] in _HEX and part[i + 2] in _HEX:
                code = int(part[i + 1 : i + 3], 16)
                dec = chr(code)
                out.append(dec if dec in _UNRESERVED else "%" + part[i + 1 : i + 3].upper())
                i += 3
                continue
            out.append("%25")
        elif ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so "/a/./b/../c" and "/a/c" normalize alike."""
    if "." not in path:
        return path
    segments = path.split("/")
    if not any(s in (".", "..") for s in segments):
        return path
    out: list[str] = []
    for seg in segments[1:] if path.startswith("/") else segments:
        if seg == ".":
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    tail = "/" if segments[-1] in (".", "..") else ""
    return "/" + "/".join(out) + tail if path.startswith("/") else "/".join(out) + tail


def _idna_label(label: str, host: str) -> str:
    """Punycode of one label: UTS 46 non-transitional as browsers do ("ß" -> xn--zca), else
    IDNA 2003 for symbols that IDNA 2008 forbids but browsers still resolve ("☃")."""
    try:
        return idna.encode(label, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        pass
    try:
        return label.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"invalid internationalized host: {host!r}") from exc


@lru_cache(maxsize=4096)
def normalize_host(host: str) -> str:
    """Lower-case, drop a trailing dot, IDNA-encode non-ASCII labels. Raises ValueError."""
    host = unquote(host).strip().rstrip(".").lower()
    if not host:
        raise ValueError("URL has no host")
    if ":" in host:  # IPv6 literal, kept in brackets as URLs write it
        try:
            return f"[{ipaddress.IPv6Address(host.strip('[]')).compressed}]"
        except ValueError as exc:
            raise ValueError(f"invalid IPv6 host: {host!r}") from exc
    if not host.isascii():
        labels = []
        for label in host.split("."):
            if label.isascii():
                labels.append(label)
                continue
            labels.append(_idna_label(label, host))
        host = ".".join(labels)
    if not _ASCII_HOST_RE.match(host) or ".." in host:
        raise ValueError(f"invalid host: {host!r}")
    return host


def _is_tracking(param: str) -> bool:
    name = unquote(param.split("=", 1)[0]).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """Canonical form of an absolute http(s) URL; raises ValueError when it is unusable.

    Lower-cased scheme and host, punycode host, no default port, no fragment, no tracking
    parameters, "/" for an empty path, dot segments removed, percent-encoding normalized
    (upper-case hex, unreserved characters decoded, unsafe characters encoded). Idempotent.
    """
    if not isinstance(url, str):
        raise ValueError("URL must be a string")
    return _normalize(url)


def _split_authority(netloc: str) -> tuple[str, str, str]:
    """(userinfo, host, port) of an authority; ValueError when the port or brackets are bad."""
    userinfo, _, hostport = netloc.rpartition("@")
    if "[" in userinfo or "]" in userinfo:
        raise ValueError(f"invalid authority: {netloc!r}")
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0 or (len(hostport) > close + 1 and hostport[close + 1] != ":"):
            raise ValueError(f"invalid IPv6 authority: {netloc!r}")
        host, port = hostport[: close + 1], hostport[close + 2 :]
    else:
        host, _, port = hostport.partition(":")
    if port and (not port.isdigit() or not port.isascii() or int(port) > 65535):
        raise ValueError(f"invalid port in {netloc!r}")
    return userinfo, host, port.lstrip("0") or ("0" if port else "")


@lru_cache(maxsize=8192)  # repeated link URLs (menus, footers) hit links._target_of first
def _normalize(url: str) -> str:
    url = url.translate(_STRIP_INSIDE).strip(_EDGE)
    match = _URL_RE.match(url)
    if match is None:
        raise ValueError(f"not an absolute http(s) URL: {url[:80]!r}")
    scheme_raw, netloc, raw_path, query = match.groups()
    scheme = scheme_raw.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url[:80]!r}")
    userinfo, host_raw, port = _split_authority(netloc)
    if userinfo or "@" in netloc:
        userinfo = _fix_percent(userinfo, _USERINFO_SAFE) + "@"
    host = normalize_host(host_raw)
    port_str = "" if not port or port == _DEFAULT_PORTS[scheme] else f":{port}"
    path = _remove_dot_segments(_fix_percent(raw_path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    if query:
        kept = [p for p in query.split("&") if p and not _is_tracking(p)]
        query = _fix_percent("&".join(kept), _QUERY_SAFE)
    out = f"{scheme}://{userinfo}{host}{port_str}{path}" + (f"?{query}" if query else "")
    if out[-1] in _EDGE:  # a stray quote left at the end ("/a'#frag", "?q='&utm_x=1"): the
        return _normalize(out.rstrip(_EDGE))  # next pass would strip it, so strip it now
    return out


# WHATWG URL, "special authority ignore slashes": after "http:" any run of slashes (backslashes
# are slashes by then) leads to the host, so "http:///host/x" and "https:/host" both name a host.
_SPECIAL_SLASHES_RE = re.compile(r"^(https?):(/*)", re.IGNORECASE)

_AUTHORITY_RE = re.compile(
    r"^https?://(?:[^@/?#\s]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^:/?#\[\]@\s]+)(?::(\d{0,5}))?(?:[/?#]|$)",
    re.IGNORECASE,
)


@lru_cache(maxsize=256)
def _origin(base: str) -> tuple[str, str]:
    """(scheme, "scheme://authority") of a base URL, ("", "") when it has none."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return "", ""
    if not parts.scheme or not parts.netloc:
        return "", ""
    return parts.scheme, f"{parts.scheme}://{parts.netloc}"


def resolve_href(href: str, base: str) -> str | None:
    """Absolute http(s) URL for an href as written, or None for links nobody can follow.

    Skips empty and fragment-only hrefs and javascript:/mailto:/tel:/data: and other non-web
    schemes; tolerates whitespace, stray quotes and backslashes the way browsers do.
    """
    href = href.translate(_STRIP_INSIDE).strip(_EDGE)
    if not href or href[0] == "#":
        return None
    head = href[:12].lower()
    colon = head.find(":")
    if colon > 0 and head[:colon] in SKIP_SCHEMES:
        return None
    if "\\" in href:  # browsers treat "\" as "/" in http(s) URLs (before the query)
        cut = min((i for i in (href.find("?"), href.find("#")) if i >= 0), default=len(href))
        href = href[:cut].replace("\\", "/") + href[cut:]
        head = href[:12].lower()
    slashes = _SPECIAL_SLASHES_RE.match(href)
    if slashes is not None and len(slashes.group(2)) != 2:
        href = _special_authority(href, slashes, base)
        if href is None:
            return None
        head = href[:12].lower()
    if head.startswith(("http://", "https://")):
        absolute = href
    elif href[0] == "/" and _origin(base)[0]:  # the common cases, without urljoin's cost
        scheme, origin = _origin(base)
        absolute = f"{scheme}:{href}" if href.startswith("//") else origin + href
    else:
        try:
            absolute = urljoin(base, href)
        except ValueError:
            return None
    match = _AUTHORITY_RE.match(absolute)
    if match is None or (match.group(1) and int(match.group(1)) > 65535):
        return None
    return absolute


def _special_authority(href: str, match: re.Match[str], base: str) -> str | None:
    """An ``http:``/``https:`` href without exactly two slashes, as browsers read it.

    Two or more slashes, or a scheme other than the base's: what follows the slashes is the
    host (``http:///host/x`` is ``http://host/x``). The base's own scheme with fewer than two
    slashes is a relative reference (``http:/x`` and ``http:x`` stay on the base's host).
    """
    scheme, run = match.group(1).lower(), match.group(2)
    rest = href[match.end():]
    if len(run) < 2 and _origin(base)[0].lower() == scheme:
        return href  # urljoin reads these as relative, as browsers do
    if not rest or rest[0] in "?#":
        return None
    return f"{scheme}://{rest}"


def _as_url(value: str) -> str | None:
    """``value`` as an absolute http(s) URL (decoding once more or base64 if needed)."""
    value = value.strip()
    for _ in range(2):
        low = value[:8].lower()
        if low.startswith(("http://", "https://")):
            break
        if low.startswith("//"):
            value = "https:" + value
            break
        if low.startswith(("http%3a", "https%3a")):
            value = unquote(value)
            continue
        if value.startswith("aHR0c"):  # base64 of "http"
            try:
                padded = value + "=" * (-len(value) % 4)
                value = base64.urlsafe_b64decode(padded).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
            continue
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() in _DEFAULT_PORTS and parts.hostname and " " not in parts.netloc:
        return value
    return None


def _param_url(params: dict[str, str], names: tuple[str, ...]) -> str | None:
    """The first of the ``names`` parameters that holds a URL, as :func:`_as_url` reads it."""
    return next((target for name in names if (target := _as_url(params.get(name, "")))), None)


def _unwrap_once(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    params: dict[str, str] = {}
    for piece in parts.query.split("&"):
        key, sep, value = piece.partition("=")
        if sep:
            params.setdefault(unquote(key).lower(), unquote(value.replace("+", " ")))
    # Known wrappers of social networks, search engines and mail services.
    for host_re, path_re, names in REDIRECT_HOSTS:
        if host_re.search(host) and path_re.search(parts.path):
            target = _param_url(params, names)
            if target:
                return target
            if not names and parts.query:  # the whole query is the URL (href.li/?https://..)
                target = _as_url(unquote(parts.query))
                if target:
                    return target
    target = _param_url(params, REDIRECT_PARAMS_STRONG)
    if target:
        return target
    words = [w for w in parts.path.lower().split("/") if w]
    looks_like_redirector = any(w.split(".")[0] in REDIRECT_PATH_WORDS for w in words)
    if looks_like_redirector:
        target = _param_url(params, REDIRECT_PARAMS_WEAK)
        if target:
            return target
        # /go/https%3A%2F%2Fexample.com or /out/aHR0cHM6Ly9... : the URL sits in the path.
        path = parts.path
        for word in REDIRECT_PATH_WORDS:
            idx = path.lower().find(f"/{word}/")
            if idx >= 0:
                rest = path[idx + len(word) + 2 :]
                if parts.query and rest.lower().startswith(("http", "//")):
                    rest += "?" + parts.query
                target = _as_url(rest) or _as_url(unquote(rest))
                if target:
                    return target
    return None


def unwrap_redirect(url: str) -> tuple[str, str]:
    """``(target, wrapper)`` for a redirect wrapper URL, ``(url, "")`` for anything else.

    Nested wrappers (a Google link to a Facebook link) unwrap to the innermost target; the
    wrapper returned is the outermost one, as written on the page. Opaque shorteners (t.co,
    bit.ly) stay as they are: their target is not in the URL.
    """
    low = url[8:].lower()
    if "http" not in low and "%2f%2f" not in low and "ahr0c" not in low:
        return url, ""  # no embedded URL: the common case, decided without parsing
    target = url
    for _ in range(4):
        inner = _unwrap_once(target)
        if not inner or inner == target:
            break
        target = inner
    return (target, url) if target != url else (url, "")
