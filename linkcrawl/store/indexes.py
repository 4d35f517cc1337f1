"""The compound indexes behind the analyst questions (:mod:`linkcrawl.report.queries`), once for
both stores.

One index per access path, its keys in MongoDB's equality, sort, range order: the fields a
question matches exactly come first (then an ``$in`` field: SecantusDB, the CI server, only
plans a list of values on the last equality key), then the fields it sorts by, then the field
it bounds by a range. SQLite follows the same rule, so one key list serves both. Each store
creates them when it opens (``IF NOT EXISTS`` / ``create_index`` are no-ops the second time).

Every index costs every write, so the questions share them where their access paths do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RECIPROCAL = "graph:reciprocal"  # the evidence string linkcrawl.reciprocal adds


@dataclass(frozen=True, slots=True)
class Index:
    collection: str
    keys: tuple[tuple[str, int], ...]
    why: str
    # MongoDB only: index just the documents matching this filter (SQLite cannot express
    # "this JSON list holds that value" in an index; it uses ``sqlite_instead``).
    partial: dict[str, Any] = field(default_factory=dict)
    sqlite_instead: str = ""

    @property
    def mongo_name(self) -> str:
        """pymongo's default name for these keys (an existing equal index keeps its name)."""
        return "_".join(f"{name}_{direction}" for name, direction in self.keys)

    def sqlite_sql(self, name: str) -> str:
        columns = ", ".join(f"{n}{' DESC' if d < 0 else ''}" for n, d in self.keys)
        return f"CREATE INDEX IF NOT EXISTS {name} ON {self.collection}({columns})"


ANALYST_INDEXES: dict[str, Index] = {
    "backlinks_status_target_lost": Index(
        "backlinks", (("status", 1), ("target_domain", 1), ("lost_at", 1)),
        "a target's links of one status (equality, equality), lost since a date (range); "
        "status first, so links of one status over all targets (recheck) use it too and "
        "it replaces the index on status alone: no more indexes to write than before",
    ),
    "backlinks_target_reciprocal": Index(
        "backlinks", (("target_domain", 1), ("evidence", 1), ("source_domain", 1)),
        "a target's reciprocal links, grouped by referring domain; partial, so only the few "
        "reciprocal links are indexed, not every evidence string of every link",
        partial={"evidence": RECIPROCAL},
        sqlite_instead="backlinks_target_source",
    ),
    "referring_domains_rank": Index(
        "referring_domains",
        (("status", 1), ("target_domain", 1), ("authority", -1), ("live_backlinks", -1),
         ("referring_domain", 1)),
        "live referring domains of one or more targets (equality, $in), strongest first "
        "(the sort, so no in-memory sort before the limit)",
    ),
    "referring_domains_target_first_seen": Index(
        "referring_domains", (("target_domain", 1), ("first_seen", 1)),
        "a target's referring domains by first sighting (also every per-target read)",
    ),
}


def sqlite_statements() -> tuple[str, ...]:
    return tuple(index.sqlite_sql(name) for name, index in ANALYST_INDEXES.items()
                 if not index.partial)
