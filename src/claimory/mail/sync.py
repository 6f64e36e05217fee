"""Bringing a mailbox's new mail in over IMAP, one UID at a time, resumable after a crash.

``Mailbox.last_uid`` is the highest UID dealt with. Each message is filed and ``last_uid``
moved past it in one small transaction, so a sync killed halfway resumes right after the last
message it filed. Should it ever see a message again (the server started its UIDs over: a
new UIDVALIDITY), filing finds its Message-ID already stored and files nothing twice.

The first sync (and one after a renumbering) reads only the last ``FIRST_SYNC_DAYS`` of the
folder; older history comes in with ``claimory mail import``. Messages are read with
``BODY.PEEK[]`` on a read-only SELECT: syncing never marks the shop's mail as read.
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from claimory.mail.filing import mail_file
from claimory.mail.matching import ClaimIndex
from claimory.mail.models import Mailbox, MailStatus, Provider, Source
from claimory.mail.parse import MAX_MESSAGE_BYTES, NotAnEmail
from claimory.mail.transport import MailTransportError, imap_connect, imap_said

log = logging.getLogger(__name__)

FIRST_SYNC_DAYS = 30  # a mailbox read from the start brings in its last month, not its decade
BATCH = 10  # messages fetched per round trip (a batch of large attachments stays modest)
MAX_PER_RUN = 300  # one run's share; the next run carries on from last_uid
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class SyncCounts:
    fetched: int = 0  # new UIDs looked at
    filed: int = 0  # put on a claim
    unmatched: int = 0  # waiting in the inbox for a person
    ignored: int = 0  # auto-replies, bounces, bulk mail
    known: int = 0  # a Message-ID we already had (our own sent mail, a resent copy)
    skipped: int = 0  # not an email, or too large: passed over, never blocking the rest
    more: bool = False  # stopped at MAX_PER_RUN with mail still waiting


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): "Reparación" is
    "Reparaci&APM-n" on the wire."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(folder: str) -> str:
    """The folder as an IMAP quoted string (imaplib sends mailbox names as given)."""
    name = imap_utf7(folder)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(answer: tuple[str, list], what: str) -> list:
    status, data = answer
    if status != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise MailTransportError(f"{what}: {said or status}", retryable=False)
    return data


def _select(imap: imaplib.IMAP4, mailbox: Mailbox) -> int:
    """Open the folder read-only; its UIDVALIDITY."""
    _ok(imap.select(_quoted(mailbox.folder), readonly=True),
        f"The folder “{mailbox.folder}” can't be opened")
    _name, values = imap.response("UIDVALIDITY")
    try:
        return int(values[0])
    except (TypeError, ValueError, IndexError):
        raise MailTransportError("The server did not say the folder's UIDVALIDITY.",
                                 retryable=False) from None


def _start_over_if_renumbered(mailbox: Mailbox, uidvalidity: int) -> None:
    """A new UIDVALIDITY means the old UIDs mean nothing: read the folder from the start
    (filing dedupes by Message-ID, so what we had stays filed once)."""
    if mailbox.uidvalidity == uidvalidity:
        return
    if mailbox.uidvalidity is not None:
        log.warning("mailbox %s: UIDVALIDITY %s -> %s, reading the folder again",
                    mailbox.pk, mailbox.uidvalidity, uidvalidity)
    mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0,
                                                 updated_at=timezone.now())


def _imap_date(day: dt.date) -> str:
    """RFC 3501 date ("07-Dec-2026"), in English whatever the locale."""
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


def _new_uids(imap: imaplib.IMAP4, after: int) -> list[int]:
    criteria = ["UID", f"{after + 1}:*"]
    if after == 0:  # read from the start (first sync, or the server renumbered its mail)
        since = timezone.now().date() - dt.timedelta(days=FIRST_SYNC_DAYS)
        criteria += ["SINCE", _imap_date(since)]
    data = _ok(imap.uid("SEARCH", *criteria), "Searching the folder failed")
    uids = {int(n) for chunk in data if chunk for n in chunk.split()}
    # "n:*" always includes the highest UID, even when it is below n: keep only new ones.
    return sorted(uid for uid in uids if uid > after)


def _fetch(imap: imaplib.IMAP4, uids: list[int], items: str) -> dict[int, tuple[bytes, bytes]]:
    """UID -> (the FETCH line, its literal) for ``uids``."""
    data = _ok(imap.uid("FETCH", ",".join(map(str, uids)), items), "Reading mail failed")
    found: dict[int, tuple[bytes, bytes]] = {}
    for item in data:
        line, literal = (item[0], item[1]) if isinstance(item, tuple) else (item, b"")
        if not isinstance(line, bytes):
            continue
        uid = _UID.search(line)
        if uid:
            found[int(uid.group(1))] = (line, literal or b"")
    return found


def _size(line: bytes) -> int:
    found = _SIZE.search(line)
    return int(found.group(1)) if found else 0


def _advance(mailbox: Mailbox, uid: int) -> None:
    Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(
        last_uid=uid, updated_at=timezone.now())
    mailbox.last_uid = max(mailbox.last_uid, uid)


def _file_one(mailbox: Mailbox, uid: int, raw: bytes, index: ClaimIndex,
              counts: SyncCounts) -> None:
    """File one message and move ``last_uid`` past it, together."""
    with transaction.atomic():
        try:
            filed = mail_file(location=mailbox.location, raw=raw, source=Source.SYNC,
                              mailbox=mailbox, uid=uid, index=index)
        except NotAnEmail as exc:
            log.warning("mailbox %s: UID %s is not an email (%s); passed over", mailbox.pk,
                        uid, exc)
            counts.skipped += 1
        else:
            if not filed.created:
                counts.known += 1
            elif filed.mail.status == MailStatus.FILED:
                counts.filed += 1
            elif filed.mail.status == MailStatus.IGNORED:
                counts.ignored += 1
            else:
                counts.unmatched += 1
        _advance(mailbox, uid)


def mailbox_sync(mailbox: Mailbox, *, progress: Callable[[SyncCounts], None] | None = None,
                 limit: int = MAX_PER_RUN) -> SyncCounts:
    """File the mailbox folder's mail newer than ``last_uid`` (at most ``limit`` messages;
    ``counts.more`` says when some wait for the next run). ``progress`` is called after each
    batch (the worker extends its lease there).

    Raises ``credentials.ReconnectNeeded`` or ``transport.MailTransportError``."""
    counts = SyncCounts()
    if mailbox.provider == Provider.SIMULATED:
        return counts  # its replies are filed by the mail simulator as they are written
    imap = imap_connect(mailbox)
    try:
        _start_over_if_renumbered(mailbox, _select(imap, mailbox))
        uids = _new_uids(imap, mailbox.last_uid)
        counts.more = len(uids) > limit
        uids = uids[:limit]
        index = ClaimIndex.build(mailbox.location) if uids else None
        for start in range(0, len(uids), BATCH):
            batch = uids[start:start + BATCH]
            sizes = _fetch(imap, batch, "(UID RFC822.SIZE)")
            wanted = [uid for uid in batch
                      if uid in sizes and _size(sizes[uid][0]) <= MAX_MESSAGE_BYTES]
            bodies = _fetch(imap, wanted, "(UID BODY.PEEK[])") if wanted else {}
            for uid in batch:
                counts.fetched += 1
                if uid not in bodies:  # too large, or gone since the search (expunged)
                    log.warning("mailbox %s: UID %s passed over (too large or gone)",
                                mailbox.pk, uid)
                    counts.skipped += 1
                    _advance(mailbox, uid)
                    continue
                _file_one(mailbox, uid, bodies[uid][1], index, counts)
            if progress is not None:
                progress(counts)
    except imaplib.IMAP4.abort as exc:
        raise MailTransportError(f"The IMAP server hung up mid-sync: {exc}",
                                 retryable=True) from exc
    except imaplib.IMAP4.error as exc:
        raise MailTransportError(f"The IMAP server refused a sync command: {imap_said(exc)}",
                                 retryable=True) from exc
    except OSError as exc:
        raise MailTransportError(f"The IMAP connection failed mid-sync: {exc}",
                                 retryable=True) from exc
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    mailbox.last_synced_at = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_synced_at=mailbox.last_synced_at,
                                                 updated_at=mailbox.last_synced_at)
    return counts
