"""From files as they arrive (a path, an upload, a zip) to estimates to import.

A ``Unit`` is one estimate's worth of input: one BMS document, or one EMS set (its tables
by name). ``units_in`` finds them in a folder of loose files — which is what a zip unpacks
to, what a staff upload of several files is written to, and what the watched folder is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from claimory.estimates import bms, ems, zipfile_safe
from claimory.estimates.parsed import Estimate, EstimateRefused


@dataclass
class Unit:
    name: str  # what the result line calls it: "est1.xml", "8B0D0001 (EMS set)"
    kind: str  # "bms" | "ems" | "refused"
    data: bytes = b""  # the BMS document
    members: dict[str, Path] = field(default_factory=dict)  # the EMS tables
    reason: str = ""  # why it was refused before parsing
    sha256: str = ""

    def parse(self) -> Estimate:
        if self.kind == "bms":
            return bms.parse_bms(self.data)
        if self.kind == "ems":
            return ems.parse_ems(self.members)
        raise EstimateRefused(self.reason)

    def files(self) -> list[Path]:
        return list(self.members.values())


def _digest(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(len(chunk).to_bytes(8, "big"))
        digest.update(chunk)
    return digest.hexdigest()


def bms_unit(name: str, data: bytes) -> Unit:
    return Unit(name=name, kind="bms", data=data, sha256=_digest([data]))


def ems_unit(stem: str, members: dict[str, Path]) -> Unit:
    # The set's identity is its tables' bytes in table order (names and case do not count).
    digest = _digest(members[t].read_bytes() for t in sorted(members))
    return Unit(name=f"{stem} (EMS set)", kind="ems", members=members, sha256=digest)


def units_in(folder: Path, names: Iterable[str] | None = None) -> list[Unit]:
    """The estimates among the files in ``folder`` (only ``names`` when given): every XML
    file, and every EMS set by basename. Other files are ignored."""
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    if names is not None:
        wanted = set(names)
        paths = [p for p in paths if p.name in wanted]
    units: list[Unit] = []
    sets: dict[str, dict[str, Path]] = {}
    stems: dict[str, str] = {}
    for path in paths:
        if path.suffix.lower() == ".xml":
            units.append(bms_unit(path.name, path.read_bytes()))
        elif ems.table_of(path.name):
            key = path.stem.upper()
            stems.setdefault(key, path.stem)
            sets.setdefault(key, {}).setdefault(ems.table_of(path.name), path)
    units.extend(ems_unit(stems[key], sets[key]) for key in sorted(sets))
    return units


def units_from_bytes(name: str, data: bytes, scratch: Path) -> list[Unit]:
    """One sent file (API, staff upload): a BMS document, or a zip of sets/documents that is
    checked, then unpacked into ``scratch``."""
    if zipfile_safe.is_zip(data):
        try:
            zipfile_safe.extract(data, scratch)
        except EstimateRefused as exc:
            return [Unit(name=name, kind="refused", reason=str(exc), sha256=_digest([data]))]
        found = units_in(scratch)
        if not found:
            return [Unit(name=name, kind="refused", sha256=_digest([data]),
                         reason="the zip holds no BMS XML file and no EMS set")]
        return found
    if ems.table_of(name):
        return [Unit(name=name, kind="refused", sha256=_digest([data]),
                     reason="one table of an EMS set: send the whole set (all files with "
                            "this basename), or a zip of it")]
    if bms.looks_like_bms(data):
        return [bms_unit(name, data)]
    return [Unit(name=name, kind="refused", sha256=_digest([data]),
                 reason="not an estimate: neither BMS XML nor a zip of an EMS set")]


def units_for_path(path: Path, scratch: Path) -> list[Unit]:
    """A path given on the command line: an XML file, any one file of an EMS set (the whole
    set is read), or a zip."""
    if not path.is_file():
        return [Unit(name=str(path), kind="refused", reason="no such file")]
    if ems.table_of(path.name):
        members = ems.set_members(path)
        return [ems_unit(path.stem, members)]
    data = path.read_bytes() if path.stat().st_size <= zipfile_safe.MAX_TOTAL_BYTES else b""
    if not data:
        return [Unit(name=path.name, kind="refused", reason="the file is empty or too large")]
    return units_from_bytes(path.name, data, scratch)
