"""What changed for each target during a run: the new, lost and restored backlinks.

After a crawl or a recheck, an analyst wants to hear about the links that appeared, went
away or came back, not read the whole report again. This module reads them from the store
for a time window (the run's) and shapes the message; :mod:`linkcrawl.ops.alerts` sends it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linkcrawl.store.base import Store
from linkcrawl.vocab import SUPERSEDED
from linkcrawl.web.domains import registrable_domain

__all__ = ["LINK_FIELDS", "TargetChanges", "alert_payload", "alert_text", "run_changes"]

# What an alert says about each link: enough to act on without opening the report.
LINK_FIELDS = ("source_url", "target_url", "anchor_text", "link_type", "location", "follow",
               "first_seen", "lost_at", "lost_reason", "restored_at")


@dataclass(slots=True)
class TargetChanges:
    target: str
    new: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)
    restored: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.lost or self.restored)


def _under(host: str, target: str) -> bool:
    return host == target or host.endswith("." + target)


def run_changes(store: Store, targets: Iterable[str], since: datetime) -> list[TargetChanges]:
    """Per target: backlinks first seen, lost or restored at or after ``since``."""
    out = []
    for target in dict.fromkeys(t.lower().strip(".") for t in targets if t):
        changes = TargetChanges(target)
        for link in store.find("backlinks", {"target_domain": registrable_domain(target)},
                               sort=[("first_seen", 1), ("key", 1)]):
            if link.get("status") == SUPERSEDED or not _under(link.get("target_host") or "",
                                                             target):
                continue
            status = link.get("status")
            if status == "lost" and _at_or_after(link.get("lost_at"), since):
                changes.lost.append(link)
            elif status == "live" and _at_or_after(link.get("restored_at"), since):
                changes.restored.append(link)
            elif status == "live" and _at_or_after(link.get("first_seen"), since):
                changes.new.append(link)
        out.append(changes)
    return out


def _at_or_after(moment: Any, since: datetime) -> bool:
    return isinstance(moment, datetime) and moment >= since


def _link(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v)
            for k in LINK_FIELDS if (v := doc.get(k)) is not None}


def alert_payload(changes: Iterable[TargetChanges], *, run_id: str, spider: str,
                  finished_at: datetime, limit: int = 500) -> dict[str, Any]:
    """The webhook's JSON body: counts per target, and up to ``limit`` links of each kind."""
    return {
        "run_id": run_id, "spider": spider, "finished_at": finished_at.isoformat(),
        "targets": [{
            "target": c.target,
            "counts": {"new": len(c.new), "lost": len(c.lost), "restored": len(c.restored)},
            "new": [_link(d) for d in c.new[:limit]],
            "lost": [_link(d) for d in c.lost[:limit]],
            "restored": [_link(d) for d in c.restored[:limit]],
        } for c in changes if c],
    }


def alert_text(payload: Mapping[str, Any], limit: int = 50) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail for ``payload``."""
    parts = [f"{t['target']}: {t['counts']['new']} new, {t['counts']['lost']} lost, "
             f"{t['counts']['restored']} restored" for t in payload["targets"]]
    subject = "linkcrawl: " + "; ".join(parts)
    lines = [f"Run {payload['run_id']} ({payload['spider']}), finished {payload['finished_at']}",
             ""]
    for target in payload["targets"]:
        lines.append(f"== {target['target']}")
        for kind in ("new", "lost", "restored"):
            for link in target[kind][:limit]:
                reason = link.get("lost_reason") if kind == "lost" else None
                why = f" ({reason})" if reason else ""
                lines.append(f"  {kind:<8} {link.get('source_url')} -> {link.get('target_url')}"
                             f" \"{link.get('anchor_text', '')}\"{why}")
            more = target["counts"][kind] - min(limit, len(target[kind]))
            if more > 0:
                lines.append(f"  … and {more} more {kind}")
        lines.append("")
    return subject, "\n".join(lines)
