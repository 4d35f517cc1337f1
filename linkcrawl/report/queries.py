"""Ready-made analyst questions: each as a MongoDB aggregation pipeline and as SQLite SQL.

Both forms return the same rows (same column names, same order) from the same data; the
test suite runs every question on both stores. ``linkcrawl queries`` prints them with the
parameters filled in, ready to paste into ``mongosh`` or ``sqlite3``.

Parameters: ``target`` (a target domain), ``competitor`` (another target domain), and
``since`` (a UTC datetime; SQLite compares it as the store's ISO-8601 text).

Each question names the compound index that serves its access path (``index``, a key of
:data:`linkcrawl.store.indexes.ANALYST_INDEXES`; both stores create them when they open).
The comment above each question says how the index fits it; ``tests/test_queries.py``
checks the plans (MongoDB ``explain``, SQLite ``EXPLAIN QUERY PLAN``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Pipeline = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    question: str
    collection: str  # the MongoDB collection the pipeline runs on
    pipeline: Callable[[Mapping[str, Any]], Pipeline]
    sql: str  # named parameters: :target, :competitor, :since
    index: str  # the ANALYST_INDEXES entry this question's $match (and WHERE) runs on


def _live(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"$match": {"target_domain": p["target"], "status": "live"}}


QUESTIONS: tuple[Question, ...] = (
    # (status, target_domain) equality, then (authority, live_backlinks, referring_domain)
    # in the sort's own directions: the 50 rows are read in order, no in-memory sort.
    Question(
        "top_referring_domains",
        "Which live referring domains of the target are strongest (authority), and how many "
        "followed links does each give?",
        "referring_domains",
        lambda p: [_live(p), {"$sort": {"authority": -1, "live_backlinks": -1,
                                        "referring_domain": 1}}, {"$limit": 50},
                   {"$project": {"_id": 0, "referring_domain": 1, "authority": 1,
                                 "live_backlinks": 1, "followed_backlinks": 1}}],
        "SELECT referring_domain, authority, live_backlinks, followed_backlinks\n"
        "FROM referring_domains WHERE target_domain = :target AND status = 'live'\n"
        "ORDER BY authority DESC, live_backlinks DESC, referring_domain LIMIT 50",
        "referring_domains_rank",
    ),
    # (status, target_domain) equality, then lost_at bounded by the range :since.
    Question(
        "lost_by_reason",
        "How many backlinks has the target lost since a date, and for what reason?",
        "backlinks",
        lambda p: [{"$match": {"target_domain": p["target"], "status": "lost",
                               "lost_at": {"$gte": p["since"]}}},
                   {"$group": {"_id": "$lost_reason", "links": {"$sum": 1}}},
                   {"$sort": {"links": -1, "_id": 1}},
                   {"$project": {"_id": 0, "reason": "$_id", "links": 1}}],
        "SELECT lost_reason AS reason, count(*) AS links FROM backlinks\n"
        "WHERE target_domain = :target AND status = 'lost' AND lost_at >= :since\n"
        "GROUP BY lost_reason ORDER BY links DESC, reason",
        "backlinks_status_target_lost",
    ),
    # target_domain equality; first_seen, the grouped field, comes from the index
    # (SQLite reads only the index: a covering scan).
    Question(
        "new_domains_by_month",
        "How many new referring domains did the target gain each month?",
        "referring_domains",
        lambda p: [{"$match": {"target_domain": p["target"]}},
                   {"$group": {"_id": {"$dateToString": {"format": "%Y-%m",
                                                         "date": "$first_seen"}},
                               "domains": {"$sum": 1}}},
                   {"$sort": {"_id": 1}},
                   {"$project": {"_id": 0, "month": "$_id", "domains": 1}}],
        "SELECT substr(first_seen, 1, 7) AS month, count(*) AS domains\n"
        "FROM referring_domains WHERE target_domain = :target GROUP BY month ORDER BY month",
        "referring_domains_target_first_seen",
    ),
    # (status, target_domain) equality: the prefix of the lost-links index.
    Question(
        "types_and_locations",
        "What kind of links does the target have, and where on the page do they sit?",
        "backlinks",
        lambda p: [_live(p),
                   {"$group": {"_id": {"t": "$link_type", "l": "$location"},
                               "links": {"$sum": 1},
                               "followed": {"$sum": {"$cond": ["$follow", 1, 0]}}}},
                   {"$sort": {"links": -1, "_id.t": 1, "_id.l": 1}},
                   {"$project": {"_id": 0, "link_type": "$_id.t", "location": "$_id.l",
                                 "links": 1, "followed": 1}}],
        "SELECT link_type, location, count(*) AS links, sum(follow) AS followed\n"
        "FROM backlinks WHERE target_domain = :target AND status = 'live'\n"
        "GROUP BY link_type, location ORDER BY links DESC, link_type, location",
        "backlinks_status_target_lost",
    ),
    # (status, target_domain) equality: the prefix of the lost-links index.
    Question(
        "top_anchors",
        "Which anchor texts do other sites use for the target, on how many domains?",
        "backlinks",
        lambda p: [_live(p),
                   {"$group": {"_id": "$anchor_text", "links": {"$sum": 1},
                               "domains": {"$addToSet": "$source_domain"}}},
                   {"$project": {"_id": 0, "anchor_text": "$_id", "links": 1,
                                 "domains": {"$size": "$domains"}}},
                   {"$sort": {"domains": -1, "links": -1, "anchor_text": 1}},
                   {"$limit": 50}],
        "SELECT anchor_text, count(*) AS links, count(DISTINCT source_domain) AS domains\n"
        "FROM backlinks WHERE target_domain = :target AND status = 'live'\n"
        "GROUP BY anchor_text ORDER BY domains DESC, links DESC, anchor_text LIMIT 50",
        "backlinks_status_target_lost",
    ),
    # (status, target_domain) equality: the prefix of the lost-links index.
    Question(
        "top_target_pages",
        "Which pages of the target attract links from the most domains?",
        "backlinks",
        lambda p: [_live(p),
                   {"$group": {"_id": "$target_url", "links": {"$sum": 1},
                               "domains": {"$addToSet": "$source_domain"}}},
                   {"$project": {"_id": 0, "target_url": "$_id", "links": 1,
                                 "domains": {"$size": "$domains"}}},
                   {"$sort": {"domains": -1, "links": -1, "target_url": 1}},
                   {"$limit": 50}],
        "SELECT target_url, count(*) AS links, count(DISTINCT source_domain) AS domains\n"
        "FROM backlinks WHERE target_domain = :target AND status = 'live'\n"
        "GROUP BY target_url ORDER BY domains DESC, links DESC, target_url LIMIT 50",
        "backlinks_status_target_lost",
    ),
    # status equality, then target_domain $in (target, competitor): the ranking index; the
    # SQL reads it twice (competitor rows, then the target's for NOT IN).
    Question(
        "link_gap",
        "Which domains link to the competitor but not to the target (outreach prospects)?",
        "referring_domains",
        lambda p: [{"$match": {"target_domain": {"$in": [p["target"], p["competitor"]]},
                               "status": "live"}},
                   {"$group": {"_id": "$referring_domain",
                               "targets": {"$addToSet": "$target_domain"},
                               "authority": {"$max": "$authority"}}},
                   {"$match": {"targets": {"$ne": p["target"]}}},
                   {"$sort": {"authority": -1, "_id": 1}},
                   {"$project": {"_id": 0, "referring_domain": "$_id", "authority": 1}}],
        "SELECT referring_domain, authority FROM referring_domains\n"
        "WHERE target_domain = :competitor AND status = 'live' AND referring_domain NOT IN (\n"
        "  SELECT referring_domain FROM referring_domains\n"
        "  WHERE target_domain = :target AND status = 'live')\n"
        "ORDER BY authority DESC, referring_domain",
        "referring_domains_rank",
    ),
    # (target_domain, evidence) equality on a partial index holding only reciprocal links,
    # source_domain (the grouped field) next. SQLite cannot index a JSON list's values: it
    # reads the target's links through backlinks_target_source and checks evidence on each.
    Question(
        "reciprocal_domains",
        "Which referring domains does the target link back to (possible link exchanges)?",
        "backlinks",
        lambda p: [{"$match": {"target_domain": p["target"], "evidence": "graph:reciprocal"}},
                   {"$group": {"_id": "$source_domain", "links": {"$sum": 1}}},
                   {"$sort": {"links": -1, "_id": 1}},
                   {"$project": {"_id": 0, "referring_domain": "$_id", "links": 1}}],
        "SELECT source_domain AS referring_domain, count(*) AS links FROM backlinks\n"
        "WHERE target_domain = :target AND EXISTS (\n"
        "  SELECT 1 FROM json_each(evidence) WHERE value = 'graph:reciprocal')\n"
        "GROUP BY source_domain ORDER BY links DESC, referring_domain",
        "backlinks_target_reciprocal",
    ),
)

def sql_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters for sqlite3: datetimes in the store's text form (UTC, milliseconds)."""
    out = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat(timespec="milliseconds")
        out[name] = value
    return out


def sql_text(question: Question, params: Mapping[str, Any]) -> str:
    """The SQL with the parameters written in as quoted literals, for ``sqlite3``."""
    text = question.sql
    for name, value in sql_params(params).items():
        text = text.replace(f":{name}", "'" + str(value).replace("'", "''") + "'")
    return text + ";"


def mongosh_text(question: Question, params: Mapping[str, Any]) -> str:
    """The pipeline as a ``mongosh`` command (datetimes as ISODate)."""
    import json

    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return f"__ISODATE__{value.astimezone(UTC).isoformat()}__"
        raise TypeError(type(value).__name__)

    text = json.dumps(question.pipeline(params), default=default, indent=1)
    text = text.replace('"__ISODATE__', 'ISODate("').replace('__"', '")')
    return f"db.{question.collection}.aggregate({text})"
