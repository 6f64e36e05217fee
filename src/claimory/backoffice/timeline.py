"""Staff wording for each timeline event: what happened, in a sentence a front desk reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from claimory.claims.models import ClaimEvent, EventType


@dataclass(frozen=True)
class TimelineEntry:
    event: ClaimEvent
    title: str
    detail: str = ""
    internal: bool = False


def _date(value: str | None) -> str:
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day:%a %b} {day.day}, {day.year}"


def _field_label(name: str) -> str:
    return name.replace(".", " ").replace("_", " ")


def _eta(data: dict) -> tuple[str, str]:
    if not data.get("eta"):
        return "ETA cleared", ""
    if not data.get("previous"):
        return f"ETA set to {_date(data['eta'])}", ""
    parts = [f"was {_date(data['previous'])}"]
    if data.get("first_promised"):
        parts.append(f"first promised {_date(data['first_promised'])}")
    detail = "; ".join(parts)
    if data.get("reason"):
        detail += f". Reason: {data['reason']}"
    return f"ETA moved to {_date(data['eta'])}", detail


def describe(event: ClaimEvent, stage_names: dict[str, str]) -> TimelineEntry:
    data = event.data or {}
    kind = event.type
    if kind == EventType.CREATED:
        stage = stage_names.get(data.get("stage", ""), data.get("stage", ""))
        eta = f"; ETA {_date(data.get('eta'))}" if data.get("eta") else ""
        return TimelineEntry(event, "Claim opened", f"Starting stage: {stage}{eta}")
    if kind == EventType.STAGE:
        return TimelineEntry(event, f"Moved to {data.get('to_name') or data.get('to')}",
                             f"from {data.get('from_name') or data.get('from')}")
    if kind == EventType.ETA:
        return TimelineEntry(event, *_eta(data))
    if kind == EventType.UPDATED:
        fields = ", ".join(_field_label(f) for f in data.get("fields", []))
        return TimelineEntry(event, "Details updated", f"Changed: {fields}" if fields else "")
    if kind == EventType.VISIBILITY:
        return TimelineEntry(event, "Customer's money view refreshed",
                             "The portal now shows the amounts this claim allows.")
    if kind == EventType.MESSAGE:
        inbound = data.get("direction") == "in"
        title = "Message from the customer" if inbound else "Message to the customer"
        return TimelineEntry(event, title, data.get("body", ""))
    if kind == EventType.PHOTO:
        return TimelineEntry(event, "Photo posted", data.get("caption", ""),
                             internal=bool(data.get("internal")))
    if kind == EventType.DOCUMENT:
        return TimelineEntry(event, f"Document: {data.get('title', '')}".strip(),
                             data.get("status", ""))
    if kind == EventType.NOTE:
        return TimelineEntry(event, "Internal note", data.get("body", ""), internal=True)
    if kind == EventType.PORTAL:
        return TimelineEntry(event, f"Portal link {data.get('action', 'changed')}")
    return TimelineEntry(event, event.get_type_display())


def timeline_entries(events: list[ClaimEvent], stage_names: dict[str, str]) -> list[TimelineEntry]:
    """Newest first: the front desk looks for what just happened."""
    return [describe(event, stage_names) for event in reversed(events)]
