"""The demo's simulated mailbox: compose → the worker "sends" (kept on this machine) → answer
as the recipient in the mail simulator → the answer threads onto the claim."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from claimory.core import durable
from claimory.demo_mail import demo_mailbox
from claimory.mail.models import MailMessage, MailStatus, SyncRun
from claimory.mail.outgoing import mail_compose
from claimory.mail.work import mailboxes_poll

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_compose_send_and_answer_as_the_recipient(location, claim, front_desk):
    demo_mailbox(location, "service@northside.example")
    sent = mail_compose(claim=claim, actor=front_desk, to="Kelly <kelly@carrier.example>",
                        subject="Supplement 1", body="Please review supplement 1.")
    durable.run_due()
    sent.refresh_from_db()
    assert sent.status == MailStatus.SENT
    stored = default_storage.listdir(f"mail/{location.pk}/simulated")[1]
    assert len(stored) == 1
    page = _signed_in(front_desk).get("/staff/simulator/mail")
    assert page.status_code == 200 and b"Supplement 1" in page.content
    answer = _signed_in(front_desk).post(f"/staff/simulator/mail/{sent.pk}/reply",
                                         {"body": "Approved."}, follow=True)
    assert b"filed on claim" in answer.content
    reply = MailMessage.objects.get(direction="in")
    assert reply.claim_id == claim.pk and reply.in_reply_to == sent.message_id
    assert reply.from_address == "kelly@carrier.example" and reply.body_text == "Approved."
    assert reply.match_reason.startswith("thread: In-Reply-To")


def test_the_simulated_mailbox_is_never_polled(location):
    demo_mailbox(location, "service@northside.example")
    assert mailboxes_poll() == 0 and not SyncRun.objects.exists()


def test_another_shops_staff_cannot_answer_or_see(location, claim, front_desk, outsider):
    demo_mailbox(location, "service@northside.example")
    sent = mail_compose(claim=claim, actor=front_desk, to="kelly@carrier.example",
                        subject="Hi", body="Secret supplement.")
    durable.run_due()
    them = _signed_in(outsider)
    assert b"Secret supplement" not in them.get("/staff/simulator/mail").content
    assert them.post(f"/staff/simulator/mail/{sent.pk}/reply",
                     {"body": "x"}).status_code == 404
    assert not MailMessage.objects.filter(direction="in").exists()


def test_an_empty_answer_is_refused_with_a_message(location, claim, front_desk):
    demo_mailbox(location, "service@northside.example")
    sent = mail_compose(claim=claim, actor=front_desk, to="kelly@carrier.example",
                        subject="Hi", body="Body.")
    durable.run_due()
    page = _signed_in(front_desk).post(f"/staff/simulator/mail/{sent.pk}/reply",
                                       {"body": ""}, follow=True)
    assert page.status_code == 200 and b"Write the answer." in page.content
