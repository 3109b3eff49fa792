"""What a conversation remembers between turns: its subject, the target critiques moved, the
last list.

A member's state lives per channel and is plain JSON (:meth:`DialogueState.to_json`), so
the history store can keep it across restarts; a state older than :data:`STATE_TTL_S`
is forgotten (people come back to a channel days later and mean something new).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Final, Literal

#: Seconds after the last turn when a conversation is forgotten.
STATE_TTL_S: Final = 2 * 3600
#: Songs of the last list remembered (what "#3" and "the last one" point into).
MAX_SHOWN: Final = 25
#: Critiqued features and modifier words remembered (the target holds their effect anyway).
MAX_CRITIQUES: Final = 12
#: Version of the JSON layout; a state of another version is dropped, not misread.
STATE_VERSION: Final = 1

SubjectKind = Literal["", "songs", "mood"]
#: One aim of the target: (feature, z, "near" | "at_least" | "at_most", weight).
AimRow = tuple[str, float, str, float]


@dataclass(frozen=True)
class DialogueState:
    """One member's conversation in one channel. Immutable: each turn makes a new one."""

    subject: SubjectKind = ""
    seed_ids: tuple[str, ...] = ()  # songs subject: the songs the list sounds like
    mood: str = ""  # mood subject: the words, as understood ("chill + not sad")
    label: str = ""  # the subject in a few words, for replies
    aims: tuple[AimRow, ...] = ()  # the target in the standardised space
    plain: bool = True  # songs subject, nothing changed yet: lists come from recommend
    year: tuple[float | None, float | None] = (None, None)  # bounds critiques set
    popularity: tuple[float | None, float | None] = (None, None)
    filters: tuple[str, ...] = ()  # the filter syntax (engine.filters), typed or said
    excluded_artists: tuple[str, ...] = ()
    shifts: tuple[tuple[str, float], ...] = ()  # critique steps per feature, summed (+ more, - less)
    modifiers: tuple[str, ...] = ()  # mood words said of a songs subject ("but chill")
    shown: tuple[str, ...] = ()  # the last list, in order
    focus: str = ""  # the song just talked about ("that one", "this artist")
    count: int = 5
    updated: float = 0.0
    version: int = STATE_VERSION

    @property
    def active(self) -> bool:
        """Whether there is a subject to refine."""
        return bool(self.subject)

    def expired(self, now: float) -> bool:
        return bool(self.updated) and now - self.updated > STATE_TTL_S

    def with_shown(self, ids: list[str], now: float) -> DialogueState:
        return replace(self, shown=tuple(ids[:MAX_SHOWN]), updated=now)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> DialogueState:
        """The state saved as ``text``; a fresh one for anything unreadable or of another version."""
        if not text:
            return cls()
        try:
            raw: dict[str, Any] = json.loads(text)
            if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
                return cls()
            return cls(
                subject=raw.get("subject", "") if raw.get("subject") in ("", "songs", "mood") else "",
                seed_ids=tuple(str(x) for x in raw.get("seed_ids", ()))[:MAX_SHOWN],
                mood=str(raw.get("mood", ""))[:200],
                label=str(raw.get("label", ""))[:200],
                aims=tuple(_aim_row(a) for a in raw.get("aims", ()))[:32],
                plain=bool(raw.get("plain", True)),
                year=_bounds(raw.get("year")),
                popularity=_bounds(raw.get("popularity")),
                filters=tuple(str(x)[:80] for x in raw.get("filters", ()))[:20],
                excluded_artists=tuple(str(x)[:100] for x in raw.get("excluded_artists", ()))[:20],
                shifts=tuple((str(f), float(v)) for f, v in raw.get("shifts", ()))[:MAX_CRITIQUES],
                modifiers=tuple(str(x)[:60] for x in raw.get("modifiers", ()))[:MAX_CRITIQUES],
                shown=tuple(str(x) for x in raw.get("shown", ()))[:MAX_SHOWN],
                focus=str(raw.get("focus", ""))[:100],
                count=int(raw.get("count", 5)),
                updated=float(raw.get("updated", 0.0)),
            )
        except (TypeError, ValueError, KeyError):
            return cls()


def _aim_row(raw: object) -> AimRow:
    if not isinstance(raw, (list, tuple)) or len(raw) != 4:
        raise ValueError("bad aim")
    feature, z, how, weight = (str(raw[0]), float(raw[1]), str(raw[2]), float(raw[3]))
    if (
        how not in ("near", "at_least", "at_most")
        or not math.isfinite(float(z))
        or not math.isfinite(float(weight))
    ):
        raise ValueError("bad aim")
    return feature, z, how, weight


def _bounds(raw: object) -> tuple[float | None, float | None]:
    if not isinstance(raw, (list, tuple)) or len(raw) != 2:
        return (None, None)
    lo, hi = (None if v is None else float(v) for v in raw)
    return lo, hi


__all__ = ["MAX_SHOWN", "STATE_TTL_S", "STATE_VERSION", "AimRow", "DialogueState", "SubjectKind"]
