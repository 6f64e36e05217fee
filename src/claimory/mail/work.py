"""Durable handlers of the mail hub, imported by MailConfig.ready: mailbox sync runs, the
poller that queues them, and sending composed mail.

Both kinds of work run in ``claimory worker`` (core/durable.py). A refused sign-in puts the
mailbox in the "needs reconnecting" state at once — no retries against a server that said
no — and nothing syncs or sends until a person reconnects it.

Sending when the mailbox needs reconnecting *fails* the message, with the reason on the
claim's timeline, rather than holding it: a person re-sends after reconnecting, so nothing
goes out hours later that its writer no longer expects.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from claimory.core import durable
from claimory.mail.credentials import ReconnectNeeded
from claimory.mail.filing import mail_event
from claimory.mail.mailboxes import mailbox_needs_reconnect, mailbox_usable
from claimory.mail.models import (
    Mailbox,
    MailboxState,
    MailMessage,
    MailStatus,
    Outgoing,
    OutgoingState,
    Provider,
    SyncRun,
    SyncState,
)
from claimory.mail.outgoing import UnsendableMail, build_mime, envelope_recipients
from claimory.mail.sync import SyncCounts, mailbox_sync
from claimory.mail.transport import MailTransportError, smtp_send

log = logging.getLogger(__name__)

_OPEN = (SyncState.QUEUED, SyncState.RUNNING)


# Syncing ------------------------------------------------------------------------------------

def mailbox_sync_now(mailbox: Mailbox) -> SyncRun:
    """Queue a sync of ``mailbox`` (Settings → Email "Sync now"); the run already queued or
    running when there is one."""
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(mailbox=mailbox)
            durable.schedule(run)
    except IntegrityError:  # one_open_sync_per_mailbox: a run is already open
        return SyncRun.objects.get(mailbox=mailbox, state__in=_OPEN)
    return run


@durable.every_sweep
def mailboxes_poll(now: dt.datetime | None = None) -> int:
    """Queue a sync for every connected mailbox with none open whose last sync — or last
    attempt, so a server that is down is asked once an interval, not on every sweep — is
    older than its interval. One query; the partial unique constraint settles races between
    workers sweeping at once."""
    now = now or timezone.now()
    candidates = (Mailbox.objects.filter(state=MailboxState.CONNECTED)
                  .exclude(provider=Provider.SIMULATED).exclude(runs__state__in=_OPEN)
                  .annotate(last_run=Max("runs__finished_at"))
                  .values_list("pk", "last_synced_at", "last_run", "sync_every_seconds"))
    queued = 0
    for pk, synced, tried, every in candidates:
        last = max((t for t in (synced, tried) if t is not None), default=None)
        if last is not None and last + dt.timedelta(seconds=every) > now:
            continue
        try:
            with transaction.atomic():
                run = SyncRun.objects.create(mailbox_id=pk)
                durable.schedule(run)
        except IntegrityError:  # another worker queued it a moment ago
            continue
        queued += 1
    return queued


def _counts(counts: SyncCounts) -> dict[str, int]:
    return {"fetched": counts.fetched, "filed": counts.filed, "unmatched": counts.unmatched,
            "ignored": counts.ignored}


def _sync_failed(run: SyncRun, reason: str) -> None:
    durable.finish(run, SyncState.FAILED, error=reason[:300], last_error=reason[:300],
                   finished_at=timezone.now())


@durable.handler(SyncRun)
def sync_run(run: SyncRun) -> None:
    """Run one claimed sync. Safe to run again after a crash: it carries on from the
    mailbox's ``last_uid``."""
    mailbox = run.mailbox
    if not mailbox_usable(mailbox):
        _sync_failed(run, f"The mailbox needs reconnecting: {mailbox.state_reason}")
        return

    def hold_lease(_counts: SyncCounts) -> None:  # a long sync keeps its claim on the run
        SyncRun.objects.filter(pk=run.pk).update(
            lease_until=timezone.now() + dt.timedelta(seconds=durable.lease_seconds()))

    try:
        counts = mailbox_sync(mailbox, progress=hold_lease)
    except ReconnectNeeded as exc:
        with transaction.atomic():
            mailbox_needs_reconnect(mailbox, str(exc))
            _sync_failed(run, str(exc))
        return
    except MailTransportError as exc:
        if exc.retryable:
            log.warning("sync %s of mailbox %s: %s (will retry)", run.pk, mailbox.pk, exc)
            durable.retry(run, str(exc))
            return
        # A setting a person must fix (a folder that does not exist, an untrusted
        # certificate): stop polling until they do.
        with transaction.atomic():
            mailbox_needs_reconnect(mailbox, str(exc))
            _sync_failed(run, str(exc))
        return
    durable.finish(run, SyncState.DONE, error="", last_error="", finished_at=timezone.now(),
                   **_counts(counts))
    if counts.more:  # the rest of a large backlog, straight away
        mailbox_sync_now(mailbox)


@durable.when_given_up(SyncRun)
def sync_given_up(run: SyncRun, error: str) -> None:
    _sync_failed(run, f"Gave up after retries: {error}")


# Sending ------------------------------------------------------------------------------------

def _send_failed(outgoing: Outgoing, reason: str) -> None:
    mail = outgoing.mail
    with transaction.atomic():
        durable.finish(outgoing, OutgoingState.FAILED, error=reason[:300],
                       last_error=reason[:300])
        MailMessage.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED,
                                                      updated_at=timezone.now())
        mail.status = MailStatus.FAILED
        if mail.claim_id is not None:
            mail_event(mail, "failed", reason=reason)


@durable.handler(Outgoing)
def outgoing_send(outgoing: Outgoing) -> None:
    """Send one claimed composed email through its location's mailbox. The Message-ID was
    minted when it was written, so a send repeated after a crash is the same message."""
    mail = outgoing.mail
    mailbox = Mailbox.objects.filter(location_id=mail.location_id).first()
    if not mailbox_usable(mailbox):
        why = mailbox.state_reason if mailbox is not None else "no mailbox is connected"
        _send_failed(outgoing, f"Not sent: the shop's mailbox needs reconnecting ({why}). "
                               "Reconnect it in Settings → Email, then send again.")
        return
    try:
        message = build_mime(mail)
    except UnsendableMail as exc:  # bad data: no retry can help
        _send_failed(outgoing, str(exc))
        return
    try:
        refused = smtp_send(mailbox, message, envelope_recipients(mail))
    except ReconnectNeeded as exc:
        mailbox_needs_reconnect(mailbox, str(exc))
        _send_failed(outgoing, f"Not sent: {exc} Reconnect the mailbox in Settings → Email, "
                               "then send again.")
        return
    except MailTransportError as exc:
        if exc.retryable:
            log.warning("outgoing %s: %s (will retry)", outgoing.pk, exc)
            durable.retry(outgoing, str(exc))
            return
        _send_failed(outgoing, str(exc))
        return
    now = timezone.now()
    partly = "; ".join(f"not delivered to {address}: {answer}"
                       for address, answer in refused.items())
    with transaction.atomic():
        durable.finish(outgoing, OutgoingState.SENT, sent_at=now, error=partly[:300],
                       last_error="")
        MailMessage.objects.filter(pk=mail.pk).update(status=MailStatus.SENT, sent_at=now,
                                                      updated_at=now)
        mail.status, mail.sent_at = MailStatus.SENT, now
        if mail.claim_id is not None:
            mail_event(mail, "sent", reason=partly)


@durable.when_given_up(Outgoing)
def outgoing_given_up(outgoing: Outgoing, error: str) -> None:
    _send_failed(outgoing, f"Gave up after retries: {error}")
