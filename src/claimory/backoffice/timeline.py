"""Staff wording for each timeline event: what happened, in a sentence a front desk reads.

The wording of each type lives with its definition in claims/event_types.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimory.claims.event_types import kind_of
from claimory.claims.models import ClaimEvent


@dataclass(frozen=True)
class TimelineEntry:
    event: ClaimEvent
    title: str
    detail: str = ""
    internal: bool = False


def describe(event: ClaimEvent, stage_names: dict[str, str]) -> TimelineEntry:
    kind = kind_of(event.type)
    if kind is None:  # a row of a type no longer defined: say what it was called
        return TimelineEntry(event, event.type, internal=not event.customer_visible)
    text = kind.describe(event.data or {}, stage_names)
    return TimelineEntry(event, text.title, text.detail, text.internal)


def timeline_entries(events: list[ClaimEvent], stage_names: dict[str, str]) -> list[TimelineEntry]:
    """Newest first: the front desk looks for what just happened."""
    return [describe(event, stage_names) for event in reversed(events)]
