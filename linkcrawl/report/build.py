"""What the store says about a target, as the numbers and tables analysts read.

:func:`build_report` gathers everything once (one read of the target's backlinks, its
referring domains and their source pages); the terminal text, CSV files and the HTML
report are all drawn from that one :class:`Report`.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from linkcrawl.classify.anchors import ANCHOR_CLASSES, AnchorRules, anchor_classes
from linkcrawl.history.targetpages import BROKEN_STATES
from linkcrawl.items import LINK_KINDS
from linkcrawl.report.authority import authority_band
from linkcrawl.report.tables import TERMINAL_WIDTH, format_table
from linkcrawl.report.velocity import domain_events, period_of, velocity
from linkcrawl.store.base import Store
from linkcrawl.store.rollup import best_link_key
from linkcrawl.vocab import LINK_TYPES, LOCATIONS, NOT_COUNTED


def target_summary(store: Store, target: str) -> dict[str, Any]:
    """Referring domains and live backlinks of ``target``, by type and by location."""
    links = store.find("backlinks", {"target_domain": target, "status": "live"})
    domains = store.find("referring_domains", {"target_domain": target, "status": "live"})
    return {
        "target": target,
        "referring_domains": len(domains),
        "backlinks": len(links),
        "followed": sum(1 for link in links if link.get("follow")),
        "by_type": Counter(link.get("link_type") or "other" for link in links),
        "by_location": Counter(link.get("location") or "other" for link in links),
        "domains_by_type": _domains_by(links, "link_type"),
        "domains_by_location": _domains_by(links, "location"),
        # ordinary anchors ("a") apart from the other link kinds (canonical, iframe, ...)
        "by_kind": Counter(link.get("link_kind") or "a" for link in links),
        "domains_by_kind": _domains_by(links, "link_kind", "a"),
        "placements": store.count("placements", {"target_domain": target}),
        "sitewide_placements": store.count("placements",
                                           {"target_domain": target, "sitewide": True}),
        "mentions": store.count("mentions", {"target_domain": target})
        - store.count("mentions", {"target_domain": target, "status": "gone"}),
    }


def _domains_by(links: list[dict[str, Any]], field: str, missing: str = "other",
                ) -> Counter[str]:
    pairs = {(link.get(field) or missing, link["source_domain"]) for link in links}
    return Counter(value for value, _ in pairs)


def summary_text(store: Store, targets: list[str]) -> str:
    """The end-of-crawl summary: one block per target."""
    blocks = []
    for target in targets:
        s = target_summary(store, target)
        head = (
            f"{target}: {s['referring_domains']} referring domains, {s['backlinks']} backlinks "
            f"({s['followed']} followed) in {s['placements']} placements "
            f"({s['sitewide_placements']} sitewide), {s['mentions']} unlinked mentions"
        )
        rows = [
            {"link type": t, "backlinks": s["by_type"][t], "domains": s["domains_by_type"][t]}
            for t in LINK_TYPES
            if s["by_type"][t]
        ]
        loc_rows = [
            {"location": loc, "backlinks": s["by_location"][loc],
             "domains": s["domains_by_location"][loc]}
            for loc in LOCATIONS
            if s["by_location"][loc]
        ]
        kind_rows = [
            {"link kind": k, "backlinks": s["by_kind"][k], "domains": s["domains_by_kind"][k]}
            for k in ordered_keys(s["by_kind"], LINK_KINDS)
        ]
        head = "\n".join(textwrap.wrap(head, TERMINAL_WIDTH))
        parts = [head, "=" * min(len(head), TERMINAL_WIDTH)]
        if rows:
            parts += ["", format_table(rows, ("link type", "backlinks", "domains"))]
            parts += ["", format_table(loc_rows, ("location", "backlinks", "domains"))]
        if set(s["by_kind"]) - {"a"}:  # links other than ordinary anchors, counted apart
            parts += ["", format_table(kind_rows, ("link kind", "backlinks", "domains"))]
        blocks.append("\n".join(parts))
    return "\n\n".join(blocks)


RECENT_DAYS = 30
# the backlink field the crawl fills with the network of the address it fetched the linking
# page from ("203.0.113.0/24", "2001:db8:1::/48"); empty through a proxy or the browser
NETWORK_FIELD = "source_network"


def best_link(links: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The link of a referring domain worth most to the target (the stored ``best_link``)."""
    return min(links, key=best_link_key, default=None)


@dataclass
class Report:
    """Everything the reports show about one target."""

    target: str
    generated_at: datetime
    backlinks: list[dict[str, Any]]
    domains: list[dict[str, Any]]  # referring_domains rows + "best" (a backlink) + "lost_at"
    titles: dict[str, str]  # source URL -> page title
    anchor_class: dict[str, str]  # backlink key -> anchor class
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # source URL -> page doc
    velocity_week: list[dict[str, Any]] = field(default_factory=list)
    velocity_month: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)  # stored, most pages first
    mentions: list[dict[str, Any]] = field(default_factory=list)  # unlinked, newest first

    @property
    def live(self) -> list[dict[str, Any]]:
        return [b for b in self.backlinks if b.get("status") == "live"]

    @property
    def lost(self) -> list[dict[str, Any]]:
        lost = [b for b in self.backlinks if b.get("status") == "lost"]
        return sorted(lost, key=lambda b: b.get("lost_at") or b["last_seen"], reverse=True)

    def new(self, days: int = RECENT_DAYS) -> list[dict[str, Any]]:
        since = self.generated_at - timedelta(days=days)
        fresh = [b for b in self.backlinks if b.get("first_seen") and b["first_seen"] >= since]
        return sorted(fresh, key=lambda b: b["first_seen"], reverse=True)

    def counts(self, name: str) -> Counter[str]:
        """Live backlinks by ``link_type``, ``location``, ``anchor`` class or ``follow``."""
        if name == "anchor":
            return Counter(self.anchor_class[b["key"]] for b in self.live)
        if name == "follow":
            return Counter("follow" if b.get("follow") else "nofollow" for b in self.live)
        return Counter(b.get(name) or "other" for b in self.live)

    def authority_bands(self) -> Counter[str]:
        """Live referring domains per authority band (:func:`authority_band`)."""
        return Counter(authority_band(d.get("authority")) for d in self.domains
                       if d.get("status") == "live")

    def sitewide(self) -> list[dict[str, Any]]:
        """Links repeated on many pages of one referring site, one row per placement: the
        stored placements flagged sitewide (by the crawl's LINKCRAWL_SITEWIDE_MIN_PAGES), so
        the terminal, CSV and HTML reports agree with the store."""
        return [p for p in self.placements if p.get("sitewide")]

    def sitewide_keys(self) -> set[tuple[str, str, str, str]]:
        """(source domain, target URL, anchor lower-cased, location) of each sitewide
        placement: a backlink with these is one of a sitewide placement's links."""
        return {(p["source_domain"], p["target_url"], (p.get("anchor_text") or "").strip().lower(),
                 p.get("location") or "") for p in self.sitewide()}

    def broken(self) -> list[dict[str, Any]]:
        """Live backlinks whose target page is gone or redirects to an unrelated page (as
        last checked by ``scrapy crawl targets``): strongest referring domain first."""
        authority = {d["referring_domain"]: d.get("authority") or 0.0 for d in self.domains}
        broken = [b for b in self.live if b.get("target_state") in BROKEN_STATES]
        return sorted(broken, key=lambda b: (-authority.get(b["source_domain"], 0.0),
                                             not b.get("follow"), b["target_url"],
                                             b["source_url"]))

    def lost_and_restored(self, period: str = "week") -> list[dict[str, Any]]:
        """Backlinks lost and restored per ISO week (or month), oldest first."""
        lost: Counter[str] = Counter(period_of(b["lost_at"], period) for b in self.lost
                                     if b.get("lost_at"))
        back: Counter[str] = Counter(period_of(b["restored_at"], period)
                                     for b in self.backlinks if b.get("restored_at"))
        return [{"period": k, "lost": lost[k], "restored": back[k]}
                for k in sorted(set(lost) | set(back))]

    def diversity(self) -> dict[str, list[dict[str, Any]]]:
        """Live referring domains per top-level domain (with the academic and government
        second levels of country codes: ``gov.uk``, ``ac.jp``), per page language and per
        network of the linking host's address (/24 or /48, as fetched; ``unknown`` when it
        was fetched through a proxy or not at all): a profile from one TLD or one language
        is narrower than it looks, and many referring domains in one network are the shape
        of a link farm."""
        tlds: dict[str, set[str]] = {}
        languages: dict[str, set[str]] = {}
        networks: dict[str, set[str]] = {}
        for b in self.live:
            domain = b["source_domain"]
            tlds.setdefault(top_level(domain), set()).add(domain)
            page = self.pages.get(b["source_url"]) or {}
            lang = (page.get("language") or "").lower()
            languages.setdefault(lang.split("-")[0] or "unknown", set()).add(domain)
            network = b.get(NETWORK_FIELD) or page.get("network") or "unknown"
            networks.setdefault(network, set()).add(domain)

        def rows(groups: dict[str, set[str]], name: str) -> list[dict[str, Any]]:
            out = [{name: k, "referring_domains": len(v)} for k, v in groups.items()]
            return sorted(out, key=lambda r: (-r["referring_domains"], r[name]))

        out = {"tld": rows(tlds, "tld"), "language": rows(languages, "language")}
        if set(networks) - {"unknown"}:  # no address stored at all (proxy, old crawl): no key
            out["network"] = rows(networks, "network")
        return out

    def best(self) -> list[dict[str, Any]]:
        """Live backlinks, most valuable first (followed, content, editorial: the ranking of
        ``referring_domains.best_link``)."""
        return sorted(self.live, key=best_link_key)

    def top_pages(self, anchors: int = 3) -> list[dict[str, Any]]:
        """Target URLs ranked by live referring domains, then followed links ("best by
        links"), each with its most used anchors."""
        pages: dict[str, dict[str, Any]] = {}
        for b in self.live:
            page = pages.setdefault(b["target_url"], {
                "target_url": b["target_url"], "domains": set(), "backlinks": 0,
                "followed": 0, "anchors": Counter()})
            page["domains"].add(b["source_domain"])
            page["backlinks"] += 1
            page["followed"] += bool(b.get("follow"))
            page["anchors"][b.get("anchor_text") or ""] += 1
        rows = [{"target_url": p["target_url"], "referring_domains": len(p["domains"]),
                 "backlinks": p["backlinks"], "followed": p["followed"],
                 "top_anchors": [a for a, _ in sorted(p["anchors"].items(),
                                                      key=lambda kv: (-kv[1], kv[0]))[:anchors]]}
                for p in pages.values()]
        rows.sort(key=lambda r: (-r["referring_domains"], -r["followed"], r["target_url"]))
        return rows

    def anchor_rows(self) -> list[dict[str, Any]]:
        """Each live anchor text with its class, backlinks, referring domains, followed share
        and first sighting; most referring domains first."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for b in self.live:
            text = b.get("anchor_text") or ""
            groups.setdefault((text, self.anchor_class[b["key"]]), []).append(b)
        rows = []
        for (text, cls), links in groups.items():
            firsts = [b["first_seen"] for b in links if b.get("first_seen")]
            rows.append({"anchor": text, "class": cls, "backlinks": len(links),
                         "referring_domains": len({b["source_domain"] for b in links}),
                         "followed_share": sum(bool(b.get("follow")) for b in links) / len(links),
                         "first_seen": min(firsts) if firsts else None})
        rows.sort(key=lambda r: (-r["referring_domains"], -r["backlinks"], r["anchor"]))
        return rows

    def anchor_balance(self) -> dict[str, float]:
        """Share of live backlinks per anchor class (0-1). A high ``exact_match`` share is
        the over-optimised profile search engines are known to distrust."""
        counts = self.counts("anchor")
        total = sum(counts.values())
        return {k: counts[k] / total for k in ordered_keys(counts, ANCHOR_CLASSES)} if total else {}

    def restored(self) -> list[dict[str, Any]]:
        """Live links that had been lost and came back, newest first."""
        back = [b for b in self.live if b.get("restored_at")]
        return sorted(back, key=lambda b: b["restored_at"], reverse=True)

    def change_counts(self, days: int = RECENT_DAYS) -> list[dict[str, Any]]:
        """How many links changed in the last ``days``, per kind of change
        ("anchor text changed", "became nofollow", "lost: link_removed" ...)."""
        since = self.generated_at - timedelta(days=days)
        links: dict[str, set[str]] = {}
        for b in self.backlinks:
            for entry in b.get("history") or ():
                at = entry.get("at")
                if isinstance(at, datetime) and at >= since:
                    links.setdefault(change_label(entry), set()).add(b["key"])
        return [{"change": label, "links": len(keys)}
                for label, keys in sorted(links.items(), key=lambda kv: (-len(kv[1]), kv[0]))]

    def changes(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent history entries (lost, found again, changed), newest first."""
        rows = [
            {**entry, "source_url": b["source_url"], "anchor_text": b.get("anchor_text", "")}
            for b in self.backlinks for entry in b.get("history") or ()
        ]
        rows.sort(key=lambda r: str(r.get("at")), reverse=True)
        return rows[:limit]


_FIELD_NAMES = {"anchor_text": "anchor text", "target_url": "target URL", "rel": "rel",
                "location": "location", "link_type": "link type", "is_image": "image"}


def change_label(entry: Mapping[str, Any]) -> str:
    """What a history entry says, in a few words."""
    event = entry.get("event")
    if event == "lost":
        return f"lost: {entry.get('reason') or 'unknown'}"
    if event == "live":
        return "found again"
    if event != "changed":
        return str(event)
    name = entry.get("field") or ""
    if name == "follow":
        return "became followed" if entry.get("new") else "became nofollow"
    return f"{_FIELD_NAMES.get(name, name)} changed"


def build_report(store: Store, target: str, rules: AnchorRules | None = None,
                 now: datetime | None = None) -> Report:
    rules = rules or AnchorRules.for_target(target)
    # a superseded link's record continues in its edited successor: it is not a link now;
    # a claimed one (an imported export, not fetched yet) is not a link yet
    links = [b for b in store.find("backlinks", {"target_domain": target},
                                   sort=[("first_seen", 1)]) if b.get("status") not in NOT_COUNTED]
    rows = store.find("referring_domains", {"target_domain": target},
                      sort=[("live_backlinks", -1), ("referring_domain", 1)])
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        by_domain.setdefault(link["source_domain"], []).append(link)
    events = domain_events(links)
    for row in rows:
        row["best"] = best_link(by_domain.get(row["referring_domain"], ()))
        ev = events.get(row["referring_domain"])
        row["lost_at"] = ev.lost_at if ev else None
    urls = sorted({link["source_url"] for link in links})
    pages: dict[str, dict[str, Any]] = {}
    for start in range(0, len(urls), 500):  # bounded IN lists
        for page in store.find("pages", {"url": urls[start : start + 500]}):
            pages[page["url"]] = page
    titles = {url: page.get("title") or "" for url, page in pages.items()}
    return Report(
        target=target, generated_at=now or datetime.now(UTC), backlinks=links, domains=rows,
        titles=titles, pages=pages, anchor_class=anchor_classes(links, rules),
        velocity_week=velocity(events, "week"), velocity_month=velocity(events, "month"),
        placements=store.find("placements", {"target_domain": target},
                              sort=[("page_count", -1), ("source_domain", 1)]),
        mentions=[m for m in store.find("mentions", {"target_domain": target},
                                        sort=[("first_seen", -1), ("source_url", 1)])
                  if m.get("status") != "gone"],  # live outreach opportunities only
    )


# Second levels that country codes use for universities and governments (gov.uk, ac.jp,
# edu.au, gob.mx): shown with the country code, since they are what analysts look for.
_INSTITUTIONAL = frozenset({"gov", "edu", "ac", "mil", "gob", "govt", "gouv", "go", "or"})


def top_level(domain: str) -> str:
    """``.edu``, ``.de``, ``.gov.uk``: the top-level domain, with an institutional second
    level kept."""
    labels = domain.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _INSTITUTIONAL and len(labels[-1]) == 2:
        return "." + ".".join(labels[-2:])
    return "." + labels[-1] if labels and labels[-1] else ""


def other_kinds_note(links: Iterable[Mapping[str, Any]]) -> str:
    """``"; 3 of other link kinds: canonical 1, iframe 2"`` for the links that are not
    ordinary anchors, "" when all are: such links are counted apart."""
    kinds = Counter(b.get("link_kind") or "a" for b in links)
    kinds.pop("a", None)
    if not kinds:
        return ""
    parts = ", ".join(f"{k} {kinds[k]}" for k in ordered_keys(kinds, LINK_KINDS))
    return f"; {sum(kinds.values())} of other link kinds: {parts}"


def ordered_keys(counter: Counter[str], order: Sequence[str]) -> list[str]:
    """The non-zero keys of ``counter``: those of ``order`` in that order, then the rest sorted."""
    return [k for k in [*order, *sorted(set(counter) - set(order))] if counter[k]]


def _count_rows(counter: Counter[str], order: Sequence[str], label: str) -> list[dict[str, Any]]:
    total = sum(counter.values()) or 1
    return [{label: k, "backlinks": counter[k], "share": f"{100 * counter[k] / total:.0f}%"}
            for k in ordered_keys(counter, order)]


def report_text(report: Report, limit: int = 20) -> str:
    """The terminal report: one titled section per question."""
    r = report
    live_domains = [d for d in r.domains if d["status"] == "live"]
    head = (f"{r.target}: {len(live_domains)} live referring domains ({len(r.domains)} ever), "
            f"{len(r.live)} live backlinks ({r.counts('follow')['follow']} followed"
            f"{other_kinds_note(r.live)}), "
            f"{len(r.lost)} lost, {len(r.placements)} placements "
            f"({sum(1 for p in r.placements if p.get('sitewide'))} sitewide), "
            f"{len(r.mentions)} unlinked mentions")
    domain_rows = [{**d, "best link": (d["best"] or {}).get("source_url", "")}
                   for d in r.domains[:limit]]
    diversity = r.diversity()  # one pass over the live links for all three tables
    sections = [
        (f"Referring domains (top {limit})", format_table(domain_rows, (
            "referring_domain", "authority", "live_backlinks", "followed_backlinks", "locations",
            "first_seen", "status", "best link"))),
        (f"Best backlinks (top {limit})", format_table(r.best()[:limit], (
            "source_url", "anchor_text", "follow", "location", "link_type", "first_seen"))),
        ("Anchors", format_table(_count_rows(r.counts("anchor"), ANCHOR_CLASSES, "anchor class"),
                                 ("anchor class", "backlinks", "share"))),
        (f"Anchor texts (top {limit})", format_table(
            [{**a, "followed": f"{100 * a['followed_share']:.0f}%"}
             for a in r.anchor_rows()[:limit]],
            ("anchor", "class", "referring_domains", "backlinks", "followed", "first_seen"))),
        (f"Top linked pages (top {limit})", format_table(r.top_pages()[:limit], (
            "target_url", "referring_domains", "backlinks", "followed", "top_anchors"))),
        (f"New in the last {RECENT_DAYS} days", format_table(r.new()[:limit], (
            "source_url", "anchor_text", "first_seen"))),
        (f"Lost (latest {limit})", format_table(r.lost[:limit], (
            "source_url", "anchor_text", "lost_reason", "lost_at"))),
        (f"Restored (latest {limit})", format_table(r.restored()[:limit], (
            "source_url", "anchor_text", "restored_at"))),
        ("Lost and restored per week", format_table(r.lost_and_restored()[-12:], (
            "period", "lost", "restored"))),
        ("Referring domains by top-level domain", format_table(
            diversity["tld"][:limit], ("tld", "referring_domains"))),
        ("Referring domains by page language", format_table(
            diversity["language"][:limit], ("language", "referring_domains"))),
        ("Referring domains by network", format_table(
            diversity.get("network", [])[:limit], ("network", "referring_domains"))),
        (f"Broken backlinks to reclaim (top {limit})", format_table(r.broken()[:limit], (
            "target_url", "target_reason", "source_url", "anchor_text"))),
        ("Link types", format_table(_count_rows(r.counts("link_type"), LINK_TYPES, "link type"),
                                    ("link type", "backlinks", "share"))),
        ("Locations", format_table(_count_rows(r.counts("location"), LOCATIONS, "location"),
                                   ("location", "backlinks", "share"))),
        (f"Placements (top {limit})", format_table(r.placements[:limit], (
            "source_domain", "page_count", "sitewide", "anchor_text", "location",
            "representative_url"))),
        (f"Unlinked mentions (newest {limit})", format_table(r.mentions[:limit], (
            "source_url", "term", "location", "context", "first_seen"))),
        ("Referring domains per month", format_table(r.velocity_month[-12:], (
            "period", "new", "lost", "net"))),
        (f"Changes in the last {RECENT_DAYS} days", format_table(r.change_counts(), (
            "change", "links"))),
        ("Recent changes", format_table(r.changes(limit), (
            "at", "event", "source_url", "reason", "field", "old", "new"))),
    ]
    head = "\n".join(textwrap.wrap(head, TERMINAL_WIDTH))
    parts = [head, "=" * min(len(head), TERMINAL_WIDTH)]
    for title, table in sections:
        parts += ["", title, "-" * len(title), table]
    return "\n".join(parts)
