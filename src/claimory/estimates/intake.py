"""Receiving estimate files: store each as an ImportFile row, then import it (now, or on the
worker). Every channel — staff upload, API, command line, watched folder — ends in
``import_file_run``, so they all answer alike."""

from __future__ import annotations

import io
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from claimory.claims.models import Channel as EventChannel
from claimory.core import durable
from claimory.estimates.models import Action, Channel, ImportBatch, ImportFile
from claimory.estimates.parsed import EstimateRefused
from claimory.estimates.services import Applied, claim_label, estimate_apply
from claimory.estimates.sources import Unit, units_from_bytes
from claimory.shops.models import Location
from claimory.shops.plans import PlanRequired

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
_EVENT_CHANNEL = {Channel.UPLOAD: EventChannel.STAFF, Channel.API: EventChannel.API,
                  Channel.COMMAND: EventChannel.SYSTEM, Channel.FOLDER: EventChannel.SYSTEM}


@dataclass
class Outcome:
    name: str  # the estimate's name in its file ("est1.xml", "8B0D0001 (EMS set)")
    action: str
    line: str
    claim_id: int | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.line}"


def bundle(files: dict[str, bytes]) -> bytes:
    """Several loose files (an EMS set uploaded file by file) as one stored zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(Path(name).name, data)
    return buffer.getvalue()


def batch_start(*, location: Location, channel: str, user: Any = None) -> ImportBatch:
    creator = user if getattr(user, "is_authenticated", False) else None
    return ImportBatch.objects.create(location=location, channel=channel, created_by=creator)


def file_receive(*, batch: ImportBatch, name: str, data: bytes, queue: bool) -> ImportFile:
    """Store one received file; with ``queue`` the worker imports it after commit."""
    import hashlib

    row = ImportFile(batch=batch, location=batch.location, name=name[:200],
                     sha256=hashlib.sha256(data).hexdigest())
    row.file.save(f"{row.sha256[:16]}-{Path(name).name[:60] or 'estimate'}", ContentFile(data),
                  save=False)
    with transaction.atomic():
        row.save()
        if queue:
            durable.schedule(row)
    return row


def _duplicate_of(row: ImportFile) -> ImportFile | None:
    """The same bytes imported before at this location (and not refused)."""
    return (ImportFile.objects.filter(location=row.location, sha256=row.sha256,
                                      state=ImportFile.State.DONE)
            .exclude(pk=row.pk).exclude(action=Action.REJECTED).exclude(claim=None)
            .order_by("-id").first())


def _apply_unit(row: ImportFile, unit: Unit, actor: Any) -> Outcome:
    try:
        estimate = unit.parse()
        applied: Applied = estimate_apply(
            location=row.location, estimate=estimate, source_name=unit.name, actor=actor,
            channel=_EVENT_CHANNEL.get(row.batch.channel, EventChannel.SYSTEM))
    except (EstimateRefused, PlanRequired) as exc:  # PlanRequired: a new claim after the trial
        return Outcome(unit.name, Action.REJECTED, f"rejected: {exc}")
    except ValidationError as exc:  # the file's facts fail a claim check (e.g. a year)
        return Outcome(unit.name, Action.REJECTED, "rejected: " + " ".join(exc.messages)[:250])
    return Outcome(unit.name, applied.action, applied.line,
                   applied.claim.pk if applied.claim else None)


def import_file_run(row: ImportFile, *, actor: Any = None) -> list[Outcome]:
    """Import every estimate in the stored file; record the result lines on the row."""
    earlier = _duplicate_of(row)
    if earlier is not None and earlier.claim is not None:
        outcomes = [Outcome(row.name, Action.UNCHANGED,
                            f"skipped: duplicate (claim {claim_label(earlier.claim)})",
                            earlier.claim_id)]
    else:
        with row.file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        with tempfile.TemporaryDirectory(prefix="claimory-estimate-") as scratch:
            units = units_from_bytes(row.name, data, Path(scratch))
            outcomes = [_apply_unit(row, unit, actor) for unit in units]
    first = next((o for o in outcomes if o.claim_id), None)
    rejected = [o for o in outcomes if o.action == Action.REJECTED]
    durable.finish(
        row, ImportFile.State.DONE,
        action=Action.REJECTED if rejected and len(rejected) == len(outcomes)
        else (first.action if first else outcomes[0].action),
        claim_id=first.claim_id if first else None,
        result="\n".join(str(o) if len(outcomes) > 1 else o.line for o in outcomes)[:4000],
        reason=rejected[0].line.removeprefix("rejected: ")[:300] if rejected else "")
    return outcomes


@durable.handler(ImportFile)
def _run_queued(row: ImportFile) -> None:
    import_file_run(row, actor=row.batch.created_by)
