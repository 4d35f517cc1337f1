"""The shape every classifier answers in: a value, how sure, and which signals fired."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Verdict:
    """A classifier's answer. ``evidence`` names the signals (``"page:forum_engine=phpbb"``)."""

    value: str
    confidence: float = 0.0
    evidence: tuple[str, ...] = field(default_factory=tuple)
