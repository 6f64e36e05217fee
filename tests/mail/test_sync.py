"""Mailbox sync against a real dovecot on loopback: new mail files into the right claims, once,
whatever happens — a second sync, a crash halfway, the server renumbering its UIDs — and a
refused sign-in asks for a reconnect instead of retrying."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from claimory.claims.models import ClaimEvent
from claimory.core import durable
from claimory.mail import sync as sync_module
from claimory.mail.filing import mail_file
from claimory.mail.models import (
    MailboxState,
    MailDirection,
    MailMessage,
    MailStatus,
    Security,
    SyncRun,
    SyncState,
)
from claimory.mail.secrets import seal
from claimory.mail.sync import imap_utf7
from claimory.mail.work import mailbox_sync_now, mailboxes_poll
from tests.mail.conftest import oauth_fields
from tests.mail.world import build_world, corpus_files, corpus_labels

pytestmark = pytest.mark.django_db


def _outcome(mail, refs: dict[int, str]) -> str:
    if mail.status == MailStatus.IGNORED:
        return "ignore"
    if mail.claim_id is None:
        return "unmatched"
    return refs[mail.claim_id]


def _sync(mailbox) -> SyncRun:
    run = mailbox_sync_now(mailbox)
    durable.run_due()
    run.refresh_from_db()
    mailbox.refresh_from_db()
    return run


def _inbound(location):
    return MailMessage.objects.filter(location=location, direction=MailDirection.INBOUND)


def _email_events(location) -> int:
    return ClaimEvent.objects.filter(claim__location=location, type="email").count()


def _corpus() -> list[bytes]:
    return [path.read_bytes() for path in corpus_files()]


def test_sync_files_new_mail_into_the_right_claims_once(location, front_desk, mailbox,
                                                        dovecot):
    claims = build_world(location, front_desk)
    refs = {claim.pk: ref for ref, claim in claims.items()}
    dovecot.append(*_corpus(), folder=mailbox.folder)

    run = _sync(mailbox)

    assert run.state == SyncState.DONE and run.finished_at
    assert run.fetched == 19
    labels = {name: label["claim"] for name, label in corpus_labels().items()}
    expected = {"filed": sum(1 for v in labels.values() if v not in ("unmatched", "ignore")),
                "unmatched": sum(1 for v in labels.values() if v == "unmatched"),
                "ignored": sum(1 for v in labels.values() if v == "ignore")}
    assert (run.filed, run.unmatched, run.ignored) == (expected["filed"], expected["unmatched"],
                                                       expected["ignored"])
    got = {mail.uid: _outcome(mail, refs) for mail in _inbound(location)}
    assert [got[uid] for uid in sorted(got)] == [labels[p.name] for p in corpus_files()]
    assert all(mail.source == "sync" and mail.mailbox_id == mailbox.pk
               for mail in _inbound(location))
    assert mailbox.last_uid == max(got) and mailbox.uidvalidity == dovecot.uidvalidity(
        mailbox.folder)
    assert mailbox.last_synced_at is not None
    assert dovecot.seen(mailbox.folder) == [False] * 19  # syncing marks nothing read

    again = _sync(mailbox)
    assert again.state == SyncState.DONE and again.fetched == 0
    assert _inbound(location).count() == 19


def test_only_mail_after_the_last_uid_is_fetched(location, front_desk, mailbox, dovecot):
    build_world(location, front_desk)
    first, *rest = _corpus()
    dovecot.append(first, folder=mailbox.folder)
    assert _sync(mailbox).fetched == 1
    dovecot.append(*rest[:3], folder=mailbox.folder)
    run = _sync(mailbox)
    assert run.fetched == 3  # "UID n:*" also answers the old highest UID: not refetched
    assert _inbound(location).count() == 4


def test_the_first_sync_reads_the_last_month_only(location, front_desk, mailbox, dovecot):
    build_world(location, front_desk)
    old, recent, new = _corpus()[:3]
    dovecot.append(old, folder=mailbox.folder,
                   received=timezone.now() - dt.timedelta(days=sync_module.FIRST_SYNC_DAYS + 5))
    dovecot.append(recent, folder=mailbox.folder,
                   received=timezone.now() - dt.timedelta(days=sync_module.FIRST_SYNC_DAYS - 5))
    run = _sync(mailbox)
    assert run.fetched == 1 and mailbox.last_uid == 2
    dovecot.append(new, folder=mailbox.folder)
    assert _sync(mailbox).fetched == 1
    assert sorted(_inbound(location).values_list("uid", flat=True)) == [2, 3]


def test_a_crash_mid_sync_resumes_after_the_last_filed_message(location, front_desk, mailbox,
                                                              dovecot, monkeypatch):
    build_world(location, front_desk)
    dovecot.append(*_corpus(), folder=mailbox.folder)
    calls = {"n": 0}

    def crashing_file(**kwargs):
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("worker killed")
        return mail_file(**kwargs)

    monkeypatch.setattr(sync_module, "mail_file", crashing_file)
    run = _sync(mailbox)
    assert run.state == SyncState.QUEUED and "worker killed" in run.last_error  # will retry
    assert _inbound(location).count() == 5
    filed_uids = sorted(_inbound(location).values_list("uid", flat=True))
    assert mailbox.last_uid == filed_uids[-1]

    monkeypatch.setattr(sync_module, "mail_file", mail_file)
    SyncRun.objects.filter(pk=run.pk).update(due_at=None)  # the backoff is over
    durable.run_due()
    run.refresh_from_db()
    mailbox.refresh_from_db()
    assert run.state == SyncState.DONE and run.fetched == 14
    uids = list(_inbound(location).values_list("uid", flat=True))
    assert len(uids) == len(set(uids)) == 19
    assert mailbox.last_uid == max(uids)
    # Every claim got each message's timeline line once.
    events = [e.data["mail_id"] for c in {m.claim for m in _inbound(location) if m.claim}
              for e in c.events.filter(type="email")]
    assert len(events) == len(set(events))


def test_a_worker_killed_mid_sync_is_taken_over_after_its_lease(location, front_desk,
                                                                mailbox, dovecot, monkeypatch):
    build_world(location, front_desk)
    dovecot.append(*_corpus()[:8], folder=mailbox.folder)
    calls = {"n": 0}

    def dying_file(**kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise SystemExit("killed")  # not an error the task catches: the process is gone
        return mail_file(**kwargs)

    monkeypatch.setattr(sync_module, "mail_file", dying_file)
    with mock.patch.object(durable, "enqueue_now"):  # the doorbell is lost too
        run = mailbox_sync_now(mailbox)
    with pytest.raises(SystemExit):
        durable.run_work.call(durable.label_of(SyncRun), run.pk)
    run.refresh_from_db()
    assert run.state == SyncState.RUNNING and _inbound(location).count() == 3
    assert durable.sweep() == 0  # its lease still runs: nobody else may take it

    monkeypatch.setattr(sync_module, "mail_file", mail_file)
    later = timezone.now() + dt.timedelta(seconds=settings.DURABLE_LEASE_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert durable.sweep() == 1  # queued again; the immediate backend runs it
    run.refresh_from_db()
    assert run.state == SyncState.DONE and run.attempts == 2 and run.fetched == 5
    uids = list(_inbound(location).values_list("uid", flat=True))
    assert sorted(uids) == list(range(1, 9))


def test_mail_filed_but_not_yet_counted_is_not_filed_twice(location, front_desk, mailbox,
                                                           dovecot):
    """A crash between filing and moving last_uid (older releases, a restored backup)."""
    build_world(location, front_desk)
    dovecot.append(*_corpus()[:4], folder=mailbox.folder)
    _sync(mailbox)
    type(mailbox).objects.filter(pk=mailbox.pk).update(last_uid=1)
    run = _sync(mailbox)
    assert run.fetched == 3 and run.filed == run.unmatched == run.ignored == 0
    assert _inbound(location).count() == 4


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(location, front_desk,
                                                                     mailbox, dovecot):
    build_world(location, front_desk)
    dovecot.append(*_corpus()[:6], folder=mailbox.folder)
    _sync(mailbox)
    before = mailbox.uidvalidity
    events = _email_events(location)

    dovecot.new_uidvalidity(mailbox.folder)
    dovecot.append(_corpus()[6], folder=mailbox.folder)
    run = _sync(mailbox)

    assert mailbox.uidvalidity != before
    assert run.state == SyncState.DONE and run.fetched == 7
    assert _inbound(location).count() == 7
    assert _email_events(location) == events + 1  # only 007.eml (claim B) is new


def test_something_that_is_not_an_email_is_passed_over(location, front_desk, mailbox,
                                                       dovecot):
    build_world(location, front_desk)
    first, second = _corpus()[:2]
    dovecot.append(first, b"X-Junk: yes\r\n\r\nnot a message\r\n", second,
                   folder=mailbox.folder)
    run = _sync(mailbox)
    assert run.state == SyncState.DONE and run.fetched == 3
    assert _inbound(location).count() == 2
    assert mailbox.last_uid == 3


def test_a_wrong_password_asks_for_a_reconnect_and_files_nothing(location, front_desk,
                                                                 mailbox, dovecot):
    build_world(location, front_desk)
    dovecot.append(_corpus()[0], folder=mailbox.folder)
    mailbox.password_enc = seal("changed at the provider")
    mailbox.save()

    run = _sync(mailbox)

    assert run.state == SyncState.FAILED and run.attempts == 1  # no retries against a "no"
    assert mailbox.state == MailboxState.RECONNECT
    assert "refused the sign-in" in mailbox.state_reason
    assert "AUTHENTICATIONFAILED" in mailbox.state_reason or "failed" in mailbox.state_reason
    assert not _inbound(location).exists()
    assert mailboxes_poll() == 0  # nothing more is queued for it


def test_an_unreachable_server_is_retried(location, mailbox, dovecot):
    type(mailbox).objects.filter(pk=mailbox.pk).update(imap_port=1)
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.QUEUED and run.due_at > timezone.now()
    assert "Can't reach the IMAP server" in run.last_error
    assert mailbox.state == MailboxState.CONNECTED


def test_a_missing_folder_stops_polling_with_the_reason(location, mailbox, dovecot):
    type(mailbox).objects.filter(pk=mailbox.pk).update(folder="No such folder")
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.FAILED
    assert mailbox.state == MailboxState.RECONNECT
    assert "No such folder" in mailbox.state_reason


def test_xoauth2_sign_in_with_the_stored_token(location, front_desk, mailbox, dovecot):
    build_world(location, front_desk)
    dovecot.append(_corpus()[0], folder=mailbox.folder)
    type(mailbox).objects.filter(pk=mailbox.pk).update(password_enc="",
                                                       **oauth_fields(dovecot.token))
    mailbox.refresh_from_db()
    asked = dovecot.introspection.asked

    run = _sync(mailbox)

    assert run.state == SyncState.DONE and run.filed == 1
    assert dovecot.introspection.asked > asked  # dovecot checked our token with the provider


def test_a_revoked_token_asks_for_a_reconnect(location, mailbox, dovecot):
    type(mailbox).objects.filter(pk=mailbox.pk).update(**oauth_fields("revoked-token"))
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.FAILED
    assert mailbox.state == MailboxState.RECONNECT
    assert "refused the sign-in" in mailbox.state_reason


def test_an_expired_token_asks_for_a_reconnect_without_calling_the_server(location, mailbox,
                                                                          dovecot):
    fields = oauth_fields(dovecot.token)
    fields["access_expires_at"] = timezone.now() - dt.timedelta(minutes=1)
    type(mailbox).objects.filter(pk=mailbox.pk).update(**fields)
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.FAILED and mailbox.state == MailboxState.RECONNECT


def test_the_poller_queues_due_mailboxes_once(location, mailbox, dovecot):
    dovecot.append(_corpus()[0], folder=mailbox.folder)
    assert mailboxes_poll() == 1  # never synced
    assert mailboxes_poll() == 0  # one is open already
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        SyncRun.objects.create(mailbox=mailbox)
    durable.run_due()
    assert SyncRun.objects.get().state == SyncState.DONE
    assert mailboxes_poll() == 0  # just synced
    later = timezone.now() + dt.timedelta(seconds=mailbox.sync_every_seconds + 1)
    assert mailboxes_poll(later) == 1


def test_sync_now_returns_the_open_run(location, mailbox, dovecot):
    first = mailbox_sync_now(mailbox)
    assert mailbox_sync_now(mailbox).pk == first.pk
    assert SyncRun.objects.count() == 1


def test_the_same_run_twice_does_the_work_once(location, front_desk, mailbox, dovecot):
    build_world(location, front_desk)
    dovecot.append(*_corpus()[:3], folder=mailbox.folder)
    run = mailbox_sync_now(mailbox)
    label = durable.label_of(SyncRun)
    assert durable.run_work.call(label, run.pk) == "ran"
    assert durable.run_work.call(label, run.pk) == "skipped"
    run.refresh_from_db()
    assert run.fetched == 3 and run.attempts == 1
    assert _inbound(location).count() == 3


def test_a_mailbox_whose_sync_failed_is_tried_again_after_its_interval(location, mailbox,
                                                                      dovecot):
    type(mailbox).objects.filter(pk=mailbox.pk).update(imap_port=1)
    assert mailboxes_poll() == 1
    run = SyncRun.objects.get()
    durable.give_up(run, "Can't reach the IMAP server")  # retries used up
    run.refresh_from_db()
    assert run.state == SyncState.FAILED and run.finished_at
    assert mailboxes_poll() == 0  # not on every sweep
    later = timezone.now() + dt.timedelta(seconds=mailbox.sync_every_seconds + 1)
    assert mailboxes_poll(later) == 1


def test_folder_names_go_to_the_server_in_modified_utf7(location, front_desk, mailbox,
                                                        dovecot):
    assert imap_utf7("Reparación") == "Reparaci&APM-n"
    assert imap_utf7("日本語") == "&ZeVnLIqe-"
    assert imap_utf7("A&B") == "A&-B"
    build_world(location, front_desk)
    folder = f"{mailbox.folder}-Reparación"
    dovecot.append(_corpus()[0], folder=imap_utf7(folder))
    type(mailbox).objects.filter(pk=mailbox.pk).update(folder=folder)
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.DONE and run.filed == 1


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_sync_over_tls(location, front_desk, mailbox, dovecot, monkeypatch, security):
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_file))  # trust the server's CA
    build_world(location, front_desk)
    dovecot.append(_corpus()[0], folder=mailbox.folder)
    port = dovecot.tls_port if security == Security.SSL else dovecot.port
    type(mailbox).objects.filter(pk=mailbox.pk).update(imap_security=security, imap_port=port)
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.DONE and run.filed == 1


def test_an_untrusted_certificate_stops_with_the_reason(location, mailbox, dovecot,
                                                       monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent.pem")  # trust nothing
    type(mailbox).objects.filter(pk=mailbox.pk).update(imap_security=Security.SSL,
                                                       imap_port=dovecot.tls_port)
    mailbox.refresh_from_db()
    run = _sync(mailbox)
    assert run.state == SyncState.FAILED and run.attempts == 1
    assert mailbox.state == MailboxState.RECONNECT
    assert "certificate we can't trust" in mailbox.state_reason
