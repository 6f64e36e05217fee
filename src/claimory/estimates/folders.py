"""Watched folders: the estimating system's export folder, synced to the server by any means
(a network share, Dropbox, rsync), imported by the worker.

On every worker sweep each enabled folder is scanned once (a conditional UPDATE picks one
worker per interval). A file is imported only when its size and modification time are the
same as at the previous scan, so a copy still in progress is never read; an EMS set waits
until every file of its basename is stable. After import its files move to ``processed/``
(or ``rejected/`` when refused) next to a ``<name>.result.txt`` saying what happened. A
crash between import and move is harmless: the next scan finds the same bytes and answers
"skipped: duplicate".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from claimory.estimates import ems
from claimory.estimates.intake import Outcome, batch_start, bundle, file_receive, import_file_run
from claimory.estimates.models import Action, Channel, ImportBatch, ImportFolder

log = logging.getLogger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"
MIN_INTERVAL = dt.timedelta(seconds=1)
MAX_PER_SCAN = 50
_IGNORED_SUFFIXES = (".result.txt", ".tmp", ".part", ".crdownload", "~")


def scan_all() -> int:
    """Scan every enabled folder that no other worker scanned just now; files imported."""
    imported = 0
    now = timezone.now()
    for folder in ImportFolder.objects.filter(enabled=True).select_related("location"):
        recent = Q(scanned_at__gt=now - MIN_INTERVAL)
        if not ImportFolder.objects.filter(pk=folder.pk).exclude(recent).update(scanned_at=now):
            continue  # another worker has it
        try:
            imported += scan(folder)
        except OSError:
            log.exception("estimate folder %s could not be scanned", folder.path)
    return imported


def _listing(base: Path) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    with os.scandir(base) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.lower().endswith(_IGNORED_SUFFIXES):
                continue
            if entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found[name] = [info.st_size, info.st_mtime_ns]
    return found


def _groups(stable: list[str], unstable: set[str]) -> list[list[str]]:
    """Stable files as import units: each XML or zip alone, each EMS set whole (and only
    once none of its files is still changing), anything else alone (to be refused)."""
    waiting = {Path(n).stem.upper() for n in unstable if ems.table_of(n)}
    sets: dict[str, list[str]] = {}
    groups: list[list[str]] = []
    for name in sorted(stable):
        if ems.table_of(name):
            if Path(name).stem.upper() not in waiting:
                sets.setdefault(Path(name).stem.upper(), []).append(name)
        else:
            groups.append([name])
    groups.extend(sets[key] for key in sorted(sets))
    return groups


def scan(folder: ImportFolder) -> int:
    base = Path(folder.path)
    if not base.is_dir():
        return 0
    current = _listing(base)
    seen = folder.seen or {}
    stable = [n for n, facts in current.items() if seen.get(n) == facts]
    unstable = set(current) - set(stable)
    batch: ImportBatch | None = None
    done: set[str] = set()
    for group in _groups(stable, unstable)[:MAX_PER_SCAN]:
        batch = batch or batch_start(location=folder.location, channel=Channel.FOLDER)
        outcomes = _import_group(batch, base, group)
        _file_away(base, group, outcomes)
        done.update(group)
    ImportFolder.objects.filter(pk=folder.pk).update(
        seen={n: f for n, f in current.items() if n not in done})
    return len(done)


def _import_group(batch: ImportBatch, base: Path, group: list[str]) -> list[Outcome]:
    lower = group[0].lower()
    if len(group) > 1 or ems.table_of(group[0]):
        name = f"{Path(group[0]).stem}.zip"
        data = bundle({n: (base / n).read_bytes() for n in group})
    elif lower.endswith((".xml", ".zip")):
        name, data = group[0], (base / group[0]).read_bytes()
    else:
        return [Outcome(group[0], Action.REJECTED, "rejected: not an estimate file (BMS .xml, "
                                                   "an EMS set, or a .zip)")]
    row = file_receive(batch=batch, name=name, data=data, queue=False)
    return import_file_run(row)


def _file_away(base: Path, group: list[str], outcomes: list[Outcome]) -> None:
    refused = any(o.action == Action.REJECTED for o in outcomes)
    target = base / (REJECTED if refused else PROCESSED)
    target.mkdir(exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    for name in group:
        destination = target / name
        if destination.exists():
            destination = target / f"{Path(name).stem}-{stamp}{Path(name).suffix}"
        os.replace(base / name, destination)
    report = target / f"{Path(group[0]).stem if len(group) > 1 else group[0]}.result.txt"
    report.write_text("\n".join(str(o) for o in outcomes) + "\n", encoding="utf-8")


def inbox_root() -> Path:
    """Where locations' watched folders live unless an operator set another path:
    ``<data dir>/estimate-inbox/<location slug>/`` (settings.ESTIMATE_INBOX_DIR overrides)."""
    from django.conf import settings

    return Path(getattr(settings, "ESTIMATE_INBOX_DIR", None)
                or settings.DATA_DIR / "estimate-inbox")


def folder_enable(*, location) -> ImportFolder:
    """Turn on the location's watched folder (created if missing); idempotent."""
    path = inbox_root() / location.slug
    path.mkdir(parents=True, exist_ok=True)
    folder, _created = ImportFolder.objects.get_or_create(
        path=str(path), defaults={"location": location})
    if not folder.enabled:
        ImportFolder.objects.filter(pk=folder.pk).update(enabled=True)
        folder.enabled = True
    return folder
