"""`claimory import-estimate --location <slug> PATH…`: import CIECA estimate files.

Each PATH is a BMS XML file, any one file of an EMS set (the whole set is read), or a zip
holding either. One result line per estimate; exits 1 if any estimate was rejected.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimory.estimates.intake import batch_start, bundle, file_receive, import_file_run
from claimory.estimates.models import Action, Channel
from claimory.estimates.sources import units_for_path
from claimory.shops.models import Location


class Command(BaseCommand):
    help = ("Import CIECA estimates: BMS XML files, EMS sets (give any one file of the set) "
            "or zips of either. Prints one line per estimate; exits 1 if any was rejected.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--location", required=True, help="Location slug.")
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, location: str, paths: list[str], **options) -> None:
        target = Location.objects.filter(slug=location).first()
        if target is None:
            raise CommandError(f"No location with slug “{location}”.")
        batch = batch_start(location=target, channel=Channel.COMMAND)
        rejected = 0
        done_sets: set[tuple[str, str]] = set()
        for raw in paths:
            path = Path(raw)
            with tempfile.TemporaryDirectory(prefix="claimory-import-") as scratch:
                units = units_for_path(path, Path(scratch))
                for unit in units:
                    if unit.kind == "ems":
                        # Several files of one set on the command line: import it once.
                        key = (str(path.parent.resolve()), path.stem.upper())
                        if key in done_sets:
                            continue
                        done_sets.add(key)
                    if unit.kind == "refused" or (unit.kind == "bms" and not unit.data):
                        self.stdout.write(f"{raw}: rejected: {unit.reason}")
                        rejected += 1
                        continue
                    if unit.kind == "ems":
                        name = f"{path.stem}.zip"
                        data = bundle({p.name: p.read_bytes() for p in unit.files()})
                    else:
                        name, data = unit.name, unit.data
                    if len(units) == 1 and unit.kind != "ems" and path.suffix.lower() == ".zip":
                        name, data = path.name, path.read_bytes()
                    row = file_receive(batch=batch, name=name, data=data, queue=False)
                    for outcome in import_file_run(row):
                        label = raw if len(units) == 1 else f"{raw} {outcome.name}"
                        self.stdout.write(f"{label}: {outcome.line}")
                        rejected += outcome.action == Action.REJECTED
        if rejected:
            raise SystemExit(1)
