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

SEED_FLAGS = frozenset({"js"})


@dataclass(frozen=True, slots=True)
class Seed:
    url: str
    flags: frozenset[str] = frozenset()


def check_url(url: str, where: str = "", what: str = "seed URL") -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, else raise ConfigError."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        suffix = f" ({where})" if where else ""
        raise ConfigError(
            f"invalid {what} {url!r}{suffix}: expected http:// or https:// with a host"
        )
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
    url, *flags = line.split()
    unknown = set(flags) - SEED_FLAGS
    if unknown:
        raise ConfigError(f"unknown seed flag {sorted(unknown)[0]!r} ({where or url})")
    return Seed(check_url(url, where), frozenset(flags))


def load_seeds(seeds: str | list[str] | None, seeds_file: str | None) -> list[Seed]:
    """Seeds from ``-a seeds=u1,u2`` and/or ``-a seeds_file=PATH``, in order, deduplicated."""
    found: list[Seed] = [parse_seed_line(s) for s in parse_list(seeds)]
    if seeds_file:
        for number, line in _read_lines(seeds_file, "seeds"):
            found.append(parse_seed_line(line, f"{seeds_file} line {number}"))
    unique: dict[str, Seed] = {}
    for seed in found:
        unique.setdefault(seed.url, seed)
    return list(unique.values())


def load_targets(targets: str | list[str] | None, targets_file: str | None) -> list[str]:
    """Target domains from ``-a targets=a.com,b.com`` and/or ``-a targets_file=PATH``."""
    found = parse_list(targets)
    if targets_file:
        found += [line.split()[0] for _, line in _read_lines(targets_file, "targets")]
    cleaned: list[str] = []
    for target in found:
        host = target.strip().lower()
        if "://" in host:
            host = urlsplit(host).hostname or ""
        host = host.strip(".").removeprefix("www.")
        if not host or "/" in host or " " in host or "." not in host:
            raise ConfigError(
                f"invalid target domain {target!r}: expected a domain like example.com"
            )
        if host not in cleaned:
            cleaned.append(host)
    return cleaned
