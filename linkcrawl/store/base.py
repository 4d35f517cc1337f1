"""The one store interface; SQLite and MongoDB implement it and pass one contract suite.

Documents are plain dicts with the fields documented in docs/collections.md.
Datetimes are timezone-aware UTC ``datetime`` objects on both sides of the interface.
Lists (``rel``, ``evidence``, ``link_types`` ...) are Python lists.

Keys (the upsert identity of each collection):

- ``pages``: ``url``
- ``backlinks``: ``key`` = :func:`linkcrawl.keys.backlink_key` (source_url, target_url, anchor_text)
- ``referring_domains``: (``target_domain``, ``referring_domain``)
- ``domain_edges``: (``source_domain``, ``target_domain``)
- ``runs``: ``run_id``
- ``mentions``: ``key`` = :func:`linkcrawl.keys.mention_key` (source_url, target, term)
- ``placements``: ``key`` = :func:`linkcrawl.keys.placement_key` (target_domain,
  source_domain, target_url, anchor_text lower-cased, location)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

COLLECTIONS: tuple[str, ...] = (
    "pages",
    "backlinks",
    "referring_domains",
    "domain_edges",
    "runs",
    "mentions",
    "placements",
)

Doc = dict[str, Any]
# What every sighting sets: a link or mention seen now is live (and nothing replaced it).
LIVE_LINK: dict[str, Any] = {"status": "live", "lost_at": None, "lost_reason": None,
                             "superseded_by": None}
LIVE_MENTION: dict[str, Any] = {"status": "live", "gone_at": None, "gone_reason": None}


class Store(ABC):
    """Database I/O for linkcrawl. Nothing else in the project talks to a database.

    Every write is an idempotent upsert: writing the same documents twice leaves the
    same number of documents, keeps ``first_seen`` and moves ``last_seen``.
    Implementations raise :class:`linkcrawl.errors.StoreError` with a one-line message
    (credentials masked) when the database cannot be reached or written.
    """

    uri: str  # as given, for the implementation's own use; never log it, log masked_uri

    @property
    @abstractmethod
    def masked_uri(self) -> str:
        """The URI with any password replaced by ``***``, safe for logs and reports."""

    @abstractmethod
    def close(self) -> None: ...

    # --- writes -------------------------------------------------------------------
    @abstractmethod
    def upsert_pages(self, pages: Sequence[Mapping[str, Any]]) -> None:
        """Insert or update pages by ``url``. ``fetched_at`` sets ``last_seen`` (and
        ``first_seen`` on insert)."""

    @abstractmethod
    def upsert_backlinks(self, links: Sequence[Mapping[str, Any]]) -> None:
        """Insert or update backlinks by ``key``. ``seen_at`` sets ``last_seen`` (and
        ``first_seen`` on insert); a write marks the link ``status="live"`` and clears
        ``lost_at``/``lost_reason``/``superseded_by``. Other fields are overwritten with
        the new values (a crawl writes through
        :func:`linkcrawl.history.sightings.write_backlinks`, which keeps history)."""

    @abstractmethod
    def insert_backlinks(self, links: Sequence[Mapping[str, Any]]) -> int:
        """Insert the backlinks whose ``key`` is not stored yet and leave stored ones as
        they are; returns how many were inserted. Unlike :meth:`upsert_backlinks` the
        documents keep their own ``status`` (default ``live``), ``first_seen`` and
        ``last_seen`` (default ``seen_at``): imported claims are written this way."""

    @abstractmethod
    def add_domain_edges(
        self, edges: Mapping[tuple[str, str], int], seen_at: datetime, run_id: str
    ) -> None:
        """Record external links between registrable domains (the compact link graph).

        ``edges`` maps (source_domain, target_domain) to the number of links seen in
        this batch. Stored per edge: ``links`` (count seen in the latest run that saw it,
        summed over that run's batches), ``first_seen``, ``last_seen``, ``run_id``."""

    @abstractmethod
    def refresh_referring_domains(
        self, pairs: Iterable[tuple[str, str]] | None = None
    ) -> int:
        """Recompute ``referring_domains`` rows from ``backlinks`` for the given
        (target_domain, referring_domain) pairs, or for all pairs when ``None``.
        Returns the number of rows written. Fields: ``backlinks``, ``live_backlinks``,
        ``followed_backlinks``, ``pages`` (distinct source pages), ``link_types``,
        ``locations`` (sorted distinct values over live links), ``first_seen``
        (min), ``last_seen`` (max), ``status`` ("live" if any live backlink else "lost")."""

    @abstractmethod
    def upsert_mentions(self, mentions: Sequence[Mapping[str, Any]]) -> None:
        """Insert or update unlinked mentions by ``key`` (computed when missing).
        ``seen_at`` sets ``last_seen`` (and ``first_seen`` on insert); a write marks the
        mention ``status="live"`` and clears ``gone_at``/``gone_reason``."""

    @abstractmethod
    def update_mentions(self, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        """Set the given fields on existing mentions (``status``, ``gone_at`` ...)."""

    @abstractmethod
    def replace_placements(
        self, pairs: Iterable[tuple[str, str]], placements: Sequence[Mapping[str, Any]]
    ) -> None:
        """Delete the placements of the given (target_domain, source_domain) pairs, then
        write ``placements`` (rows computed from backlinks by
        :func:`linkcrawl.history.refresh.refresh_placements`)."""

    @abstractmethod
    def start_run(self, run: Mapping[str, Any]) -> None:
        """Insert a run document (``run_id``, ``spider``, ``args``, ``started_at`` ...)."""

    @abstractmethod
    def finish_run(
        self, run_id: str, *, finished_at: datetime, finish_reason: str, stats: Mapping[str, Any]
    ) -> None: ...

    @abstractmethod
    def update_backlinks(self, key_to_fields: Mapping[str, Mapping[str, Any]]) -> None:
        """Set the given fields on existing backlinks (used by recheck: status, lost_*)."""

    @abstractmethod
    def set_domain_scores(self, scores: Mapping[str, Mapping[str, Any]]) -> int:
        """Set per-domain scores (``authority``, ``public_rank``) on every
        ``referring_domains`` row of each referring domain in ``scores``; other fields and
        domains are left alone. Returns the number of rows matched."""

    # --- reads --------------------------------------------------------------------
    @abstractmethod
    def find(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        *,
        sort: Sequence[tuple[str, int]] = (),
        limit: int = 0,
    ) -> list[Doc]:
        """Documents whose fields equal every value in ``where`` (a list value in
        ``where`` means "field is one of these"). ``sort`` is [(field, 1|-1)]."""

    @abstractmethod
    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
