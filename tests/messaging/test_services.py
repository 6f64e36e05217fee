import pytest
from django.core.exceptions import ValidationError

from claimory.claims.models import EventType
from claimory.messaging.models import Conversation, Direction, Status
from claimory.messaging.selectors import inbox_for_user, messages_for_claim
from claimory.messaging.services import (
    conversation_assign,
    conversation_mark_done,
    message_customer_seen,
    message_receive,
    message_send,
)
from tests.factories import make_claim


def test_customer_reply_lands_on_claim_and_inbox(claim, front_desk):
    message = message_receive(claim=claim, body="  When will my car be ready?  ")
    assert message.body == "When will my car be ready?"
    event = claim.events.get(type=EventType.MESSAGE)
    assert event.channel == "portal" and event.customer_visible
    assert event.data["direction"] == "in"
    convo = Conversation.objects.get(claim=claim)
    assert convo.is_waiting and convo.unread_count == 1
    assert list(inbox_for_user(front_desk)) == [convo]


def test_staff_reply_clears_the_wait(claim, front_desk):
    message_receive(claim=claim, body="Hi?")
    reply = message_send(claim=claim, body="Friday afternoon.", actor=front_desk)
    assert reply.direction == Direction.OUTBOUND and reply.status == Status.SENT
    assert reply.event.data["sender"] == "Frank"
    assert list(inbox_for_user(front_desk)) == []
    assert [m.body for m in messages_for_claim(claim)] == ["Hi?", "Friday afternoon."]


def test_inbox_oldest_waiting_first_and_scoped(location, front_desk, outsider, other_claim):
    first = make_claim(location, name="First Waiting")
    second = make_claim(location, name="Second Waiting")
    message_receive(claim=first, body="one")
    message_receive(claim=second, body="two")
    message_receive(claim=other_claim, body="not yours")
    assert [c.claim_id for c in inbox_for_user(front_desk)] == [first.pk, second.pk]
    assert [c.claim_id for c in inbox_for_user(outsider)] == [other_claim.pk]


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001, None, 42])
def test_bad_bodies_are_refused_with_a_reason(claim, body):
    with pytest.raises(ValidationError):
        message_receive(claim=claim, body=body)
    assert not claim.events.filter(type=EventType.MESSAGE).exists()


def test_mark_done_and_assign(claim, front_desk, production, technician, outsider):
    message_receive(claim=claim, body="hello")
    conversation_assign(claim=claim, assignee=production)
    with pytest.raises(ValidationError):
        conversation_assign(claim=claim, assignee=outsider)
    with pytest.raises(ValidationError, match="role can't message customers"):
        conversation_assign(claim=claim, assignee=technician)
    conversation_mark_done(claim=claim, actor=front_desk)
    assert list(inbox_for_user(front_desk)) == []
    assert Conversation.objects.get(claim=claim).assigned_to == production


def test_seen_marks_only_outbound_portal_messages(claim, front_desk):
    inbound = message_receive(claim=claim, body="hi")
    out = message_send(claim=claim, body="hello", actor=front_desk)
    assert message_customer_seen(claim=claim, up_to_message_id=out.pk) == 1
    out.refresh_from_db()
    inbound.refresh_from_db()
    assert out.status == Status.READ and inbound.status == Status.RECEIVED
