"""Seeds and targets from arguments and files, checked before any crawl starts.

Seed file format (``data/seeds/*.txt``): one URL per line; blank lines and everything
after ``#`` are ignored; words after the URL are flags (``js`` = render with the browser).
Targets files: one domain per line, same comment rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from linkcrawl.config import parse_list
from linkcrawl.errors import ConfigError
from linkcrawl.web.targets import parse_target
from linkcrawl.web.urls import normalize_host

SEED_FLAGS = frozenset({"js"})


@dataclass(frozen=True, slots=True)
class Seed:
    url: str
    flags: frozenset[str] = frozenset()


def check_url(url: str, where: str = "", what: str = "seed URL") -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, else raise ConfigError."""
    suffix = f" ({where})" if where else ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ConfigError(
            f"invalid {what} {url!r}{suffix}: expected http:// or https:// with a host"
        )
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked)
    except ValueError:
        raise ConfigError(
            f"invalid {what} {url!r}{suffix}: the port must be a number from 1 to 65535"
        ) from None
    if parts.port == 0:
        raise ConfigError(f"invalid {what} {url!r}{suffix}: port 0 cannot be fetched")
    try:
        normalize_host(host)
    except ValueError:
        raise ConfigError(f"invalid {what} {url!r}{suffix}: {host!r} is not a host name") from None
    return url


def _read_lines(path: str, what: str) -> list[tuple[int, str]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot read {what} file {path!r}: {reason}") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append((number, line))
    return lines


def parse_seed_line(line: str, where: str = "") -> Seed:
    """One seed: a URL, then flags. The URL is checked first, so a line that is not a URL
    at all is reported as such, and a URL with a space in it is named whole."""
    url, *flags = line.split()
    unknown = [f for f in flags if f not in SEED_FLAGS]
    place = f" ({where})" if where else ""
    if unknown and "://" not in url:
        raise ConfigError(f"invalid seed {line!r}{place}: expected a URL "
                          "(http:// or https:// with a host), then flags")
    check_url(url, where)
    if unknown:
        raise ConfigError(
            f"invalid seed {line!r}{place}: {unknown[0]!r} is not a seed flag (known: "
            f"{', '.join(sorted(SEED_FLAGS))}); a space inside a URL must be written %20")
    return Seed(url, frozenset(flags))


def _seed_items(seeds: str | list[str] | None) -> list[str]:
    """``-a seeds=u1,u2`` (or ``u1 u2``): split on commas and newlines, and on spaces only
    between URLs, so that a URL with a space in it reaches :func:`parse_seed_line` whole and
    is reported whole."""
    if seeds is None:
        return []
    items = seeds if isinstance(seeds, list) else seeds.replace("\n", ",").split(",")
    found: list[str] = []
    for item in items:
        words = item.split()
        if len(words) > 1 and all("://" in word for word in words):
            found += words  # "u1 u2": whitespace-separated URLs, as settings lists allow
        elif words:
            found.append(item.strip())
    return found


def load_seeds(seeds: str | list[str] | None, seeds_file: str | None) -> list[Seed]:
    """Seeds from ``-a seeds=u1,u2`` and/or ``-a seeds_file=PATH``, in order, deduplicated."""
    found: list[Seed] = [parse_seed_line(s) for s in _seed_items(seeds)]
    if seeds_file:
        for number, line in _read_lines(seeds_file, "seeds"):
            found.append(parse_seed_line(line, f"{seeds_file} line {number}"))
    unique: dict[str, Seed] = {}
    for seed in found:
        unique.setdefault(seed.url, seed)
    return list(unique.values())


def load_targets(
    targets: str | list[str] | None, targets_file: str | None,
    notes: list[str] | None = None,
) -> list[str]:
    """Target hosts from ``-a targets=a.com,b.com`` and/or ``-a targets_file=PATH``, each
    parsed by :func:`linkcrawl.web.targets.parse_target`; what was reduced (a URL, a
    wildcard) is appended to ``notes`` for the caller to tell the user."""
    found = [parse_target(t) for t in parse_list(targets)]
    if targets_file:
        for number, line in _read_lines(targets_file, "targets"):
            where = f"{targets_file} line {number}"
            if len(line.split()) > 1:
                raise ConfigError(f"invalid target {line!r} ({where}): one domain per line")
            found.append(parse_target(line, where))
    cleaned: list[str] = []
    for target in found:
        if target.note and notes is not None and target.note not in notes:
            notes.append(target.note)
        if target.host not in cleaned:
            cleaned.append(target.host)
    return cleaned
