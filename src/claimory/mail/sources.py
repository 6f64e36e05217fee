"""Reading messages out of files: single ``.eml`` files, mbox files and maildirs.

``messages_in(path)`` yields (label, raw bytes) for every message a path holds, in order,
so ``claimory mail import`` can file a shop's history (or mail an MTA pipes to us) exactly
as a mailbox sync would. A path that can't be read yields an error instead of stopping the
rest.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from claimory.mail.parse import MAX_MESSAGE_BYTES


@dataclass(frozen=True)
class Item:
    label: str  # where it came from: a file, or "mbox:N"
    raw: bytes = b""
    error: str = ""


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _maildir(path: Path) -> Iterator[Item]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys(), key=lambda k: box.get_file(k)._file.name):
        with box.get_file(key) as handle:
            yield Item(f"{path.name}/{key}", handle.read(MAX_MESSAGE_BYTES + 1))


def _mbox(path: Path) -> Iterator[Item]:
    box = mailbox.mbox(str(path), create=False)
    for n, key in enumerate(box.iterkeys(), start=1):
        yield Item(f"{path.name}:{n}", box.get_bytes(key))


def messages_in(path: Path, _seen: set[Path] | None = None) -> Iterator[Item]:
    seen = set() if _seen is None else _seen
    if not path.exists():
        yield Item(str(path), error="no such file or folder")
        return
    try:
        if path.is_dir():
            real = path.resolve()
            if real in seen:  # a link back to a folder already read: once is enough
                return
            seen.add(real)
        if _is_maildir(path):
            yield from _maildir(path)
        elif path.is_dir():
            for child in sorted(p for p in path.iterdir() if not p.name.startswith(".")):
                yield from messages_in(child, seen)
        elif not path.is_file():
            # A fifo would block the import forever, /dev/zero would never end.
            yield Item(str(path), error="not a regular file")
        elif _is_mbox(path):
            yield from _mbox(path)
        else:
            if path.stat().st_size > MAX_MESSAGE_BYTES:
                yield Item(str(path), error="larger than a message may be")
                return
            yield Item(str(path), path.read_bytes())
    except (OSError, mailbox.Error, RuntimeError) as exc:  # RuntimeError: a symlink loop
        yield Item(str(path), error=f"can't read it ({exc.__class__.__name__})")
