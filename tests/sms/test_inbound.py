"""Inbound texts: validation, threading to the right claim, keywords, and the unmatched queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from claimory.claims.models import Channel, Claim, EventType
from claimory.claims.services import claim_stage_set
from claimory.core import durable
from claimory.messaging.models import Conversation, Delivery, DeliveryState, Direction, Message
from claimory.messaging.services import message_send
from claimory.sms.consent import may_text
from claimory.sms.inbound import inbound_receive, unmatched_attach
from claimory.sms.models import ConsentRecord, EventState, ProviderEvent, UnmatchedText
from claimory.sms.simulator import customer_reply
from tests.factories import make_claim, make_location
from tests.sms.conftest import MARIA, SHOP_NUMBER, payload, send_all


def confirmations(phone: str = MARIA):
    return Delivery.objects.filter(to=phone, message__channel=Channel.SYSTEM).order_by("id")


# ---- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize(("bad", "outcome"), [
    (None, "not an object"),
    ([], "not an object"),
    ({}, "no message id"),
    ({"id": 12, "from": {"phone_number": MARIA}}, "no message id"),
    ({"id": "x", "from": {}, "to": [{"phone_number": SHOP_NUMBER}]}, "no valid sender"),
    ({"id": "x", "from": {"phone_number": "not a number"}}, "no valid sender"),
    ({"id": "x", "from": {"phone_number": MARIA}, "to": "nope"}, "no valid recipient"),
    ({"id": "x", "from": {"phone_number": MARIA}, "to": []}, "no valid recipient"),
    ({"id": "x", "from": {"phone_number": MARIA}, "to": [{"phone_number": SHOP_NUMBER}],
      "text": {"a": 1}}, "text is not a string"),
])
def test_bad_payloads_give_an_outcome_not_an_exception(texting, claim, bad, outcome):
    assert outcome in inbound_receive(bad, provider="telnyx")
    assert not Message.objects.filter(direction=Direction.INBOUND).exists()


def test_text_to_a_number_no_location_has(texting, claim):
    assert inbound_receive(payload("Hi", to="+15125550000"), "telnyx") == "no location"


def test_empty_text_without_media_files_nothing(texting, claim):
    assert "empty" in inbound_receive(payload("   "), "telnyx")
    assert "empty" in inbound_receive(payload(None), "telnyx")


def test_odd_media_and_long_text_are_tolerated(texting, claim):
    body = payload("x" * 5000)
    body["media"] = ["not a dict", {"url": "ftp://example.test/a.jpg"}, {"url": 5}]
    assert inbound_receive(body, "telnyx") == f"filed on claim {claim.pk}"
    assert len(Message.objects.get(claim=claim, direction=Direction.INBOUND).body) == 2000


def test_numbers_are_normalised_to_e164(texting, claim):
    body = payload("Is it ready?", from_="(512) 555-0142", to="512-555-0199")
    assert inbound_receive(body, "telnyx") == f"filed on claim {claim.pk}"


def test_bad_event_through_the_worker_is_recorded_once(texting):
    row = customer_reply(location=texting, from_number="garbage", text="hi")
    send_all()
    row.refresh_from_db()
    assert row.state == EventState.PROCESSED
    assert "no valid sender" in row.outcome


# ---- threading -------------------------------------------------------------------------------

def test_text_threads_to_the_customers_claim_at_that_location(texting, front_desk,
                                                              other_location):
    maria = make_claim(texting, name="Maria Lopez", phone="(512) 555-0142")
    make_claim(texting, name="Juan Perez", phone="(512) 555-0143")
    other_location.sms_number = "+15125550188"
    other_location.save()
    maria_elsewhere = make_claim(other_location, name="Maria Lopez", phone="(512) 555-0142")

    assert inbound_receive(payload("When is it ready?"), "telnyx") == f"filed on claim {maria.pk}"
    assert inbound_receive(payload("And here?", to="+15125550188"), "telnyx") == \
        f"filed on claim {maria_elsewhere.pk}"

    message = Message.objects.get(claim=maria)
    assert message.channel == Channel.SMS and message.direction == Direction.INBOUND
    assert message.body == "When is it ready?"
    event = maria.events.get(type=EventType.MESSAGE)
    assert event.channel == Channel.SMS and event.customer_visible
    assert Conversation.objects.get(claim=maria).is_waiting


def test_archived_and_long_delivered_claims_do_not_take_texts(texting, front_desk):
    old = make_claim(texting, actor=front_desk)
    Claim.objects.filter(pk=old.pk).update(
        delivered_at=timezone.now() - dt.timedelta(days=texting.portal_expiry_days + 1))
    archived = make_claim(texting, actor=front_desk)
    Claim.objects.filter(pk=archived.pk).update(archived=True)
    current = make_claim(texting, actor=front_desk)
    assert inbound_receive(payload("Hi"), "telnyx") == f"filed on claim {current.pk}"


def test_recently_delivered_claim_still_takes_texts(texting, front_desk):
    claim = make_claim(texting, actor=front_desk)
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert inbound_receive(payload("Thanks!"), "telnyx") == f"filed on claim {claim.pk}"


def test_repeated_message_id_files_once(texting, claim):
    body = payload("Hello", message_id="telnyx-msg-1")
    inbound_receive(body, "telnyx")
    assert "duplicate" in inbound_receive(body, "telnyx")
    assert Message.objects.filter(provider_id="telnyx-msg-1").count() == 1


def test_simulator_reply_goes_through_the_worker_to_the_claim(texting, claim):
    customer_reply(location=texting, from_number=MARIA, text="On my way")
    send_all()
    assert Message.objects.get(claim=claim, direction=Direction.INBOUND).body == "On my way"
    assert ProviderEvent.objects.get(event_type="message.received").outcome == \
        f"filed on claim {claim.pk}"


# ---- the unmatched queue ---------------------------------------------------------------------

def test_ambiguous_number_goes_to_unmatched_then_staff_attach(texting, front_desk):
    first = make_claim(texting, actor=front_desk)
    second = make_claim(texting, actor=front_desk)
    outcome = inbound_receive(payload("Which one is ready?"), "telnyx")
    row = UnmatchedText.objects.get()
    assert outcome == f"unmatched {row.pk} (2 open claims)"
    assert sorted(row.candidates) == sorted([first.pk, second.pk])
    assert row.from_number == MARIA and row.body == "Which one is ready?"
    assert not Message.objects.filter(direction=Direction.INBOUND).exists()

    message = unmatched_attach(unmatched=row, claim=second, actor=front_desk)
    assert message.claim == second and message.channel == Channel.SMS
    assert Conversation.objects.get(claim=second).is_waiting
    row.refresh_from_db()
    assert row.attached_claim == second and row.attached_by == front_desk
    with pytest.raises(ValidationError):
        unmatched_attach(unmatched=row, claim=first, actor=front_desk)


def test_unknown_number_goes_to_unmatched(texting, claim):
    inbound_receive(payload("Hi, do you do estimates?", from_="+15125550111"), "telnyx")
    assert UnmatchedText.objects.get().candidates == []


def test_unmatched_text_attaches_only_at_its_location(texting, front_desk, workspace):
    second_shop = make_location(workspace, slug="south", name="South")
    elsewhere = make_claim(second_shop)
    inbound_receive(payload("Hi", from_="+15125550111"), "telnyx")
    with pytest.raises(ValidationError):
        unmatched_attach(unmatched=UnmatchedText.objects.get(), claim=elsewhere, actor=None)


# ---- keywords --------------------------------------------------------------------------------

def test_stop_opts_out_and_staff_message_is_not_sent(texting, claim, front_desk):
    assert "opted out" in inbound_receive(payload("STOP"), "telnyx")
    send_all()
    record = ConsentRecord.objects.get(status="out")
    assert record.method == "keyword" and record.evidence == "STOP" and record.phone == MARIA
    allowed, reason = may_text(claim)
    assert not allowed and reason.startswith("Opted out by texting “STOP” on ")

    message_send(claim=claim, body="Your car is ready", actor=front_desk)
    send_all()
    staff = Delivery.objects.get(message__body="Your car is ready")
    assert staff.state == DeliveryState.NOT_SENT

    [confirmation] = confirmations()
    assert confirmation.state in (DeliveryState.SENT, DeliveryState.DELIVERED)
    assert confirmation.body == ("Northside Collision: You're unsubscribed and will get no "
                                 "more texts. Reply START to resubscribe.")
    # The STOP itself is on the thread and the timeline, and needs no answer.
    stop = Message.objects.get(claim=claim, direction=Direction.INBOUND)
    assert stop.body == "STOP"
    assert not Conversation.objects.get(claim=claim).is_waiting
    consent = claim.events.filter(type=EventType.CONSENT).last()
    assert consent.data["status"] == "out" and consent.data["evidence"] == "STOP"


def test_two_stops_get_exactly_one_confirmation(texting, claim):
    inbound_receive(payload("STOP"), "telnyx")
    assert inbound_receive(payload("stop"), "telnyx") == "already opted out"
    send_all()
    assert confirmations().count() == 1
    assert ConsentRecord.objects.filter(status="out").count() == 1


def test_stop_after_stage_change_nothing_more_is_sent(texting, claim, front_desk):
    inbound_receive(payload("Unsubscribe"), "telnyx")
    send_all()
    message_send(claim=claim, body="Update", actor=front_desk)
    send_all()
    assert not Delivery.objects.filter(to=MARIA).exclude(message__channel=Channel.SYSTEM) \
        .exclude(state=DeliveryState.NOT_SENT).exists()


def test_start_opts_back_in_with_a_confirmation(texting, claim, front_desk):
    inbound_receive(payload("STOP"), "telnyx")
    assert "opted in" in inbound_receive(payload("START"), "telnyx")
    send_all()
    claim.customer.refresh_from_db()
    assert claim.customer.sms_opt_in and may_text(claim) == (True, "")
    assert [d.body.split(": ", 1)[1][:24] for d in confirmations()] == [
        "You're unsubscribed and ", "You're subscribed again "]
    message_send(claim=claim, body="Welcome back", actor=front_desk)
    send_all()
    assert Delivery.objects.get(message__body="Welcome back").state != DeliveryState.NOT_SENT


@pytest.mark.parametrize("text", ["yes", "SÍ", "subscribe"])
def test_yes_does_not_opt_back_in(texting, claim, text):
    inbound_receive(payload("STOP"), "telnyx")
    inbound_receive(payload(text), "telnyx")
    assert not may_text(claim)[0]


def test_help_answers_with_shop_name_and_phone(texting, claim):
    assert inbound_receive(payload("HELP"), "telnyx") == f"help answered on claim {claim.pk}"
    send_all()
    [reply] = confirmations()
    assert "Northside Collision" in reply.body and "(512) 555-0100" in reply.body
    assert not ConsentRecord.objects.filter(status="out").exists()


def test_help_is_answered_at_most_three_times_an_hour(texting, claim):
    """Every answer is a text the shop pays for: a number texting HELP in a loop gets three."""
    outcomes = [inbound_receive(payload("HELP"), "telnyx") for _ in range(5)]
    send_all()
    assert outcomes[3:] == ["help: already answered this hour"] * 2
    assert confirmations().count() == 3
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert inbound_receive(payload("HELP"), "telnyx").startswith("help answered")


def test_spanish_plain_language_opt_out_is_answered_in_spanish(texting, front_desk):
    claim = make_claim(texting, actor=front_desk, language="en")
    assert "opted out" in inbound_receive(payload("Ya no me escriban por favor"), "telnyx")
    send_all()
    [reply] = confirmations()
    assert "no recibirá más mensajes" in reply.body
    record = ConsentRecord.objects.get(status="out")
    assert record.method == "reply" and record.evidence == "Ya no me escriban por favor"
    assert not may_text(claim)[0]


def test_stop_keyword_answered_in_the_customers_language(texting, front_desk):
    make_claim(texting, actor=front_desk, language="es")
    inbound_receive(payload("STOP"), "telnyx")
    send_all()
    assert confirmations().get().body.startswith("Northside Collision: Se canceló")


def test_opt_out_applies_to_every_claim_of_the_number(texting, front_desk):
    first = make_claim(texting, actor=front_desk)
    second = make_claim(texting, actor=front_desk)
    inbound_receive(payload("stop texting me"), "telnyx")
    send_all()
    assert not may_text(first)[0] and not may_text(second)[0]
    assert confirmations().count() == 1
    assert not UnmatchedText.objects.exists()  # a keyword is answered, not queued


def test_unclear_opt_out_is_threaded_and_flagged_not_acted_on(texting, claim):
    inbound_receive(payload("Can you stop texting me at night?"), "telnyx")
    assert may_text(claim)[0]
    assert Conversation.objects.get(claim=claim).is_waiting
    note = claim.events.get(type=EventType.NOTE, data__body__startswith="This text may")
    assert not note.customer_visible


def test_normal_messages_never_opt_out(texting, claim):
    for text in ("when can I stop by?", "can you cancel my rental?"):
        inbound_receive(payload(text), "telnyx")
    assert may_text(claim)[0]
    assert not claim.events.filter(type=EventType.NOTE, data__body__startswith="This text may"
                                   ).exists()


def test_stop_from_a_number_without_claims_is_recorded(texting):
    assert inbound_receive(payload("STOP", from_="+15125550111"), "telnyx") == \
        "opted out: no claim to answer from"
    assert ConsentRecord.objects.get().phone == "+15125550111"


def test_confirmation_passes_consent_but_staff_texts_do_not(texting, claim):
    inbound_receive(payload("STOP"), "telnyx")
    confirmation = confirmations().get()
    assert confirmation.state == DeliveryState.QUEUED
    assert durable.run_due() >= 1
    confirmation.refresh_from_db()
    assert confirmation.state in (DeliveryState.SENT, DeliveryState.DELIVERED)


def test_help_is_answered_even_after_stop(texting, claim):
    inbound_receive(payload("STOP"), "telnyx")
    inbound_receive(payload("Ayuda"), "telnyx")
    send_all()
    stop_reply, help_reply = confirmations()
    assert help_reply.state in (DeliveryState.SENT, DeliveryState.DELIVERED)
    assert "Llámenos al (512) 555-0100" in help_reply.body
    assert not may_text(claim)[0]  # HELP changes no consent
