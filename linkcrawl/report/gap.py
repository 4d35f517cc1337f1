"""Link gap and link intersect: who links to the competitors and not to the target.

The analyst's first competitor question ("backlink gap" / "link intersect" in the big tools):
referring domains with live links to at least ``min_competitors`` of the competitors and none
to the target are the outreach list, strongest first. The reverse question (``reverse``) is
what the target has that none of the competitors has: the links to protect.

Everything is read from the stored ``referring_domains`` rollup and the backlinks of the
candidate domains, so SQLite and MongoDB give the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from linkcrawl.store.base import Store
from linkcrawl.store.rollup import best_link_key

__all__ = ["GapRow", "link_gap"]

_IN_LIST = 500  # domains per query: bounded IN lists


@dataclass(slots=True)
class GapRow:
    """One referring domain of the gap, with its best link to each domain it links to."""

    referring_domain: str
    linked: list[str]  # the compared domains it links to (live)
    authority: float | None
    followed: int  # live followed backlinks to those domains, summed
    best: dict[str, dict[str, Any]] = field(default_factory=dict)  # domain -> best link


def _live_rows(store: Store, domains: Sequence[str]) -> list[dict[str, Any]]:
    return store.find("referring_domains", {"target_domain": list(domains), "status": "live"})


def _best_links(store: Store, pairs: Iterable[tuple[str, str]],
                follow_only: bool) -> dict[tuple[str, str], dict[str, Any]]:
    """Best live backlink of each (target_domain, referring_domain) pair."""
    by_target: dict[str, set[str]] = defaultdict(set)
    for target, source in pairs:
        by_target[target].add(source)
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for target, sources in by_target.items():
        names = sorted(sources)
        for start in range(0, len(names), _IN_LIST):
            where: dict[str, Any] = {"target_domain": target, "status": "live",
                                     "source_domain": names[start:start + _IN_LIST]}
            if follow_only:
                where["follow"] = True
            for link in store.find("backlinks", where):
                pair = (target, link["source_domain"])
                if pair not in best or best_link_key(link) < best_link_key(best[pair]):
                    best[pair] = link
    return best


def link_gap(store: Store, target: str, competitors: Sequence[str], *,
             min_competitors: int = 1, follow_only: bool = False,
             min_authority: float | None = None, reverse: bool = False) -> list[GapRow]:
    """Referring domains linking (live) to at least ``min_competitors`` competitors and not
    to ``target``, ranked by authority, then by how many competitors they link to, then by
    followed links. With ``reverse``: domains linking to ``target`` and to none of the
    competitors. ``follow_only`` counts followed links only; ``min_authority`` drops weaker
    (and unscored) domains."""
    competitors = [c for c in dict.fromkeys(competitors) if c != target]
    if not competitors:
        raise ValueError("the gap needs at least one competitor other than the target")
    rows = _live_rows(store, [target, *competitors])
    if follow_only:
        rows = [r for r in rows if r.get("followed_backlinks")]
    linked: dict[str, set[str]] = defaultdict(set)
    info: dict[str, Mapping[str, Any]] = {}
    followed: dict[str, int] = defaultdict(int)
    for row in rows:
        rd = row["referring_domain"]
        linked[rd].add(row["target_domain"])
        info.setdefault(rd, row)
        followed[rd] += int(row.get("followed_backlinks") or 0)
    wanted = {target} if reverse else set(competitors)
    chosen = []
    for rd, domains in linked.items():
        if reverse:
            keep = target in domains and not (domains & set(competitors))
        else:
            keep = target not in domains and len(domains & wanted) >= min_competitors
        authority = info[rd].get("authority")
        if keep and min_authority is not None:
            keep = authority is not None and authority >= min_authority
        if keep:
            order = [d for d in ([target] if reverse else competitors) if d in domains]
            chosen.append(GapRow(rd, order, authority, followed[rd]))
    best = _best_links(store, ((d, row.referring_domain) for row in chosen
                               for d in row.linked), follow_only)
    for row in chosen:
        row.best = {d: best[(d, row.referring_domain)] for d in row.linked
                    if (d, row.referring_domain) in best}
    chosen.sort(key=lambda r: (-(r.authority if r.authority is not None else -1.0),
                               -len(r.linked), -r.followed, r.referring_domain))
    return chosen
