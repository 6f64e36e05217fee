"""Reads for the import page: a location's recent imports and watched folders."""

from __future__ import annotations

from django.db.models import QuerySet

from claimory.estimates.models import ImportBatch, ImportFile, ImportFolder
from claimory.shops.models import Location


def batches_recent(location: Location, limit: int = 10) -> list[ImportBatch]:
    batches = list(ImportBatch.objects.filter(location=location).order_by("-id")[:limit])
    files = ImportFile.objects.filter(batch__in=batches).select_related("claim") \
        .order_by("id")
    by_batch: dict[int, list[ImportFile]] = {}
    for row in files:
        by_batch.setdefault(row.batch_id, []).append(row)
    for batch in batches:
        batch.rows = by_batch.get(batch.pk, [])  # type: ignore[attr-defined]
    return batches


def folders_of(location: Location) -> QuerySet[ImportFolder]:
    return ImportFolder.objects.filter(location=location).order_by("path")


def import_running(batches: list[ImportBatch]) -> bool:
    return any(row.state in (ImportFile.State.QUEUED, ImportFile.State.WORKING)
               for batch in batches for row in batch.rows)  # type: ignore[attr-defined]
