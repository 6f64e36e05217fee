"""Opening a zip someone sent us without trusting it.

Everything is checked from the central directory before one byte is inflated: the number
of members, their declared total size and compression ratio, their paths (no absolute
paths, no ``..``, no drive letters, no links) and no zip inside the zip. Extraction then
reads each member with a hard cap, so a lying header cannot inflate past the limit.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from claimory.estimates.parsed import EstimateRefused

MAX_MEMBERS = 200  # an EMS set is ~14 tables; a folder of sets a few dozen
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 200  # dBase tables compress well, but not by more than this
_NESTED = (".zip", ".jar", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz")


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _safe_name(name: str) -> str:
    clean = name.replace("\\", "/")
    path = PurePosixPath(clean)
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or ".." in path.parts:
        raise EstimateRefused("the zip holds a file with an unsafe path; refused before "
                              "extracting anything")
    if any(ch in clean for ch in "\x00\r\n"):
        raise EstimateRefused("the zip holds a file with an unsafe name")
    return clean


def check(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members to extract (files only), or EstimateRefused."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise EstimateRefused(f"the zip holds more than {MAX_MEMBERS} files")
    total = 0
    files = []
    for info in infos:
        _safe_name(info.filename)
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise EstimateRefused("the zip holds a symbolic link; refused")
        if info.filename.lower().endswith(_NESTED):
            raise EstimateRefused("the zip holds another archive; send the files themselves")
        if info.flag_bits & 0x1:
            raise EstimateRefused("the zip is password-protected")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise EstimateRefused("the zip's compression ratio is implausible; refused")
        files.append(info)
    if total > MAX_TOTAL_BYTES:
        raise EstimateRefused(f"the zip would unpack to more than "
                              f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB")
    return files


def extract(data: bytes, into: Path) -> list[Path]:
    """Check, then write the zip's files flat into ``into`` (their folders dropped: an EMS
    set is recognised by basename); returns the written paths."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise EstimateRefused("not a readable zip file") from None
    with archive:
        members = check(archive)
        written: list[Path] = []
        budget = MAX_TOTAL_BYTES
        for info in members:
            name = PurePosixPath(_safe_name(info.filename)).name
            if not name or name.startswith("."):
                continue
            target = into / name
            if target.exists():
                raise EstimateRefused("the zip holds two files with the same name")
            try:
                with archive.open(info) as source:
                    content = source.read(min(info.file_size, budget) + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                raise EstimateRefused("the zip is damaged") from None
            if len(content) > info.file_size or len(content) > budget:
                raise EstimateRefused("the zip's sizes do not match its contents; refused")
            budget -= len(content)
            target.write_bytes(content)
            written.append(target)
    return written
