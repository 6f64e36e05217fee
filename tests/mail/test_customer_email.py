"""A customer's email joins the conversation like a text does (portal thread, inbox waiting);
an adjuster's stays on the claim's staff-only email threads."""

from __future__ import annotations

import pytest

from claimory.claims.models import ClaimEvent
from claimory.mail.filing import mail_attach, mail_file
from claimory.mail.models import Source
from claimory.messaging.models import Conversation, Direction, Message
from tests.mail.rawmail import raw_mail
from tests.mail.world import build_world

pytestmark = pytest.mark.django_db


def test_the_customers_email_lands_on_the_portal_thread_and_the_inbox(location, front_desk):
    claims = build_world(location, front_desk)
    filed = mail_file(location=location, source=Source.SYNC, raw=raw_mail(
        sender="Dana Whitfield <Dana.Whitfield@example.com>", subject="Re: update [RO-5521]",
        body="Can I pick it up Friday?\n\nOn Mon, Shop wrote:\n> Ready soon")).mail
    message = Message.objects.get(claim=claims["A"], direction=Direction.INBOUND)
    assert (message.channel, message.body) == ("email", "Can I pick it up Friday?")
    assert filed.portal_message == message
    assert Conversation.objects.get(claim=claims["A"]).is_waiting
    event = ClaimEvent.objects.get(claim=claims["A"], type="message")
    assert event.customer_visible and event.channel == "email"


def test_an_adjusters_email_stays_off_the_portal(location, front_desk):
    claims = build_world(location, front_desk)
    mail_file(location=location, source=Source.SYNC, raw=raw_mail(
        sender="Priya Raman <praman@acme-mutual.example>", subject="Claim ACM-2026-118842",
        body="Labor rate is capped at $58."))
    assert not Message.objects.filter(claim=claims["A"]).exists()
    assert not ClaimEvent.objects.filter(claim=claims["A"], customer_visible=True,
                                         type="email").exists()


def test_a_customer_email_placed_by_staff_joins_the_thread_once(location, front_desk):
    claims = build_world(location, front_desk)
    mail = mail_file(location=location, source=Source.SYNC, raw=raw_mail(
        sender="grace.o@example.com", subject="hello", body="Any news?")).mail
    assert mail.claim_id is None and not Message.objects.exists()
    mail_attach(mail=mail, claim=claims["D"], actor=front_desk)
    assert Message.objects.get(claim=claims["D"]).body == "Any news?"
    mail_file(location=location, source=Source.SYNC, raw=raw_mail(
        sender="grace.o@example.com", subject="hello", body="Any news?",
        message_id=mail.message_id))  # met again by the sync: nothing new
    assert Message.objects.count() == 1
