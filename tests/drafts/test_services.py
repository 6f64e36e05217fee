"""Drafts: written from the claim's real record in the shop's tone, sent only when a person
approves them — never by code without a person, never in the `drafted` state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from claimory.claims.models import EventType
from claimory.claims.services.progress import claim_eta_set, claim_stage_set
from claimory.drafts import services
from claimory.drafts.context import draft_context
from claimory.drafts.drafters import (
    DrafterError,
    OpenAICompatibleDrafter,
    TemplateDrafter,
    drafter,
)
from claimory.drafts.models import Draft, DraftStatus
from claimory.drafts.services import (
    DraftNotApproved,
    draft_create,
    draft_discard,
    draft_send,
)
from claimory.messaging.models import Delivery, DeliveryState, Message
from claimory.messaging.services import message_receive, message_send
from claimory.shops.models import ApiKey
from tests.factories import make_claim


@pytest.fixture
def texting(location):
    location.sms_number = "+15125550199"
    location.tone = "Warm and short. Sign off with a smiley."
    location.save()
    return location


@pytest.fixture
def busy_claim(texting, front_desk):
    """A claim with history: supplement sent and approved, the ETA moved, a question."""
    claim = make_claim(texting, actor=front_desk, carrier="Progressive",
                       eta=timezone.now().date() + dt.timedelta(days=5))
    claim_stage_set(claim=claim, stage="supp_sent", actor=front_desk)
    claim_stage_set(claim=claim, stage="supp_appr", actor=front_desk)
    claim_eta_set(claim=claim, eta=claim.eta + dt.timedelta(days=3),
                  reason="waiting on a bumper from the dealer", actor=front_desk)
    message_send(claim=claim, body="Your car is in good hands, Maria :)", actor=front_desk)
    message_receive(claim=claim, body="Is the bumper in yet? When can I pick it up?")
    claim.refresh_from_db()
    return claim


def test_the_draft_request_carries_the_claims_facts_and_tone(busy_claim, front_desk,
                                                             llm_settings):
    draft = draft_create(claim=busy_claim, actor=front_desk)

    request = llm_settings.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    assert request["json"]["model"] == "fake-model"
    prompt = llm_settings.last_prompt
    for fact in ("Maria", "2019 Honda Accord", "Supplement approved", busy_claim.eta.isoformat(),
                 "waiting on a bumper from the dealer", "Progressive", "Supplement sent",
                 "Is the bumper in yet? When can I pick it up?",
                 "Warm and short. Sign off with a smiley.",
                 "Your car is in good hands, Maria :)", "Northside Collision", "English"):
        assert fact in prompt, fact
    assert "never promise" in prompt

    assert draft.status == DraftStatus.DRAFTED and draft.drafter == "llm"
    assert draft.body == llm_settings.reply
    assert draft.created_by == front_desk
    assert draft.context["carrier"] == "Progressive" and draft.context["eta_moved"]
    event = busy_claim.events.get(type=EventType.DRAFT)
    assert event.data["action"] == "drafted" and not event.customer_visible
    assert not Message.objects.filter(claim=busy_claim, body=draft.body).exists()


def test_spanish_customers_get_drafts_asked_for_in_spanish(texting, front_desk, llm_settings):
    claim = make_claim(texting, actor=front_desk, name="Lucía Pérez", language="es")
    draft_create(claim=claim, actor=front_desk)
    assert "in Spanish" in llm_settings.last_prompt
    assert "Lucía" in llm_settings.last_prompt


def test_model_down_gives_a_clear_error_and_no_draft(busy_claim, front_desk, llm_settings):
    llm_settings.status = 503
    with pytest.raises(DrafterError, match="HTTP 503"):
        draft_create(claim=busy_claim, actor=front_desk)
    assert not Draft.objects.exists()
    assert not busy_claim.events.filter(type=EventType.DRAFT).exists()


def test_an_unusable_answer_is_an_error_not_an_empty_draft(busy_claim, front_desk,
                                                            llm_settings):
    llm_settings.reply = "\u200b\u200b"  # nothing a person could read
    with pytest.raises(DrafterError):
        draft_create(claim=busy_claim, actor=front_desk)
    assert not Draft.objects.exists()


def test_unreachable_model_gives_a_clear_error(busy_claim, front_desk, settings, fake_llm):
    url = fake_llm.base_url
    fake_llm.stop()  # nothing listens there any more
    settings.LLM_BASE_URL = url
    with pytest.raises(DrafterError, match="Couldn't reach"):
        draft_create(claim=busy_claim, actor=front_desk)
    assert not Draft.objects.exists()


def test_the_template_drafter_needs_no_network(busy_claim, front_desk, settings):
    settings.LLM_BASE_URL = ""
    assert isinstance(drafter(), TemplateDrafter)
    draft = draft_create(claim=busy_claim, actor=front_desk)
    assert draft.drafter == "template"
    assert draft.body.startswith("Hi Maria, thanks for your message.")
    assert "2019 Honda Accord" in draft.body and "Progressive approved" in draft.body
    assert "moved to" in draft.body and "bumper" in draft.body
    assert len(draft.body) <= 320


def test_the_template_drafter_writes_spanish(texting, front_desk):
    claim = make_claim(texting, actor=front_desk, name="Lucía Pérez", language="es")
    text = TemplateDrafter().draft(draft_context(claim))
    assert text.startswith("Hola Lucía.") and "Esperamos tenerlo listo" in text


def test_settings_pick_the_model_drafter(settings):
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = ""
    chosen = drafter()
    assert isinstance(chosen, OpenAICompatibleDrafter) and chosen.model == "gpt-4o-mini"


def test_tone_examples_are_messages_staff_actually_sent(busy_claim, front_desk, texting):
    other = make_claim(texting, actor=front_desk, name="Ann Other")
    message_send(claim=other, body="Parts arrived, Ann!", actor=front_desk)
    message_send(claim=other, body="System text", actor=None)  # nobody typed it
    examples = draft_context(busy_claim)["tone_examples"]
    assert examples[0] == "Parts arrived, Ann!"
    assert "System text" not in examples


# ---- sending: only what a person approved ---------------------------------------------------

@pytest.fixture
def draft(busy_claim, front_desk, settings):
    settings.LLM_BASE_URL = ""
    return draft_create(claim=busy_claim, actor=front_desk)


def test_approved_send_posts_the_edited_text_and_queues_the_sms(
        draft, front_desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = draft_send(draft=draft, actor=front_desk, body="  Edited by Frank.  ")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SENT and draft.sent_message == message
    assert draft.approved_by == front_desk and draft.approved_at is not None
    assert draft.body == message.body == "Edited by Frank."
    assert message.sender == front_desk
    delivery = Delivery.objects.get(message=message)
    assert delivery.channel == "sms" and delivery.state == DeliveryState.QUEUED
    assert delivery.body.endswith("Edited by Frank.") or "Edited by Frank." in delivery.body
    actions = list(draft.claim.events.filter(type=EventType.DRAFT)
                   .values_list("data__action", flat=True))
    assert actions == ["drafted", "approved"]


@pytest.mark.parametrize("who", ["system", "anonymous", "api_key"])
def test_an_unapproved_draft_cannot_be_sent_without_a_person(draft, who, location):
    from django.contrib.auth.models import AnonymousUser

    actor = {"system": None, "anonymous": AnonymousUser(),
             "api_key": ApiKey(location=location)}[who]
    with pytest.raises(DraftNotApproved):
        draft_send(draft=draft, actor=actor, body=draft.body)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED and draft.approved_by is None
    assert not Message.objects.filter(body=draft.body).exists()
    assert not Delivery.objects.exists() or not Delivery.objects.filter(
        message__body=draft.body).exists()


def test_the_send_step_refuses_a_draft_nobody_approved(draft):
    # Even code inside the service module cannot skip the approval.
    with pytest.raises(DraftNotApproved), transaction.atomic():
        services._send_approved(draft)
    draft.status = DraftStatus.APPROVED  # approved on paper, by nobody
    with pytest.raises(DraftNotApproved), transaction.atomic():
        services._send_approved(draft)
    assert not Message.objects.filter(body=draft.body).exists()


def test_the_database_refuses_an_approved_draft_without_its_approver(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.filter(pk=draft.pk).update(status=DraftStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.filter(pk=draft.pk).update(status=DraftStatus.SENT)


def test_a_draft_is_sent_once_and_a_discarded_one_never(draft, front_desk):
    draft_send(draft=draft, actor=front_desk, body=draft.body)
    with pytest.raises(ValidationError, match="already sent"):
        draft_send(draft=draft, actor=front_desk, body="again")
    other = draft_create(claim=draft.claim, actor=front_desk)
    draft_discard(draft=other, actor=front_desk)
    with pytest.raises(ValidationError, match="already discarded"):
        draft_send(draft=other, actor=front_desk, body=other.body)
    assert Message.objects.filter(claim=draft.claim, body=draft.body).count() == 1


def test_an_empty_edit_is_refused(draft, front_desk):
    with pytest.raises(ValidationError):
        draft_send(draft=draft, actor=front_desk, body="   ")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED


def test_technicians_can_neither_draft_nor_send(draft, technician):
    with pytest.raises(PermissionDenied):
        draft_create(claim=draft.claim, actor=technician)
    with pytest.raises(PermissionDenied):
        draft_send(draft=draft, actor=technician, body=draft.body)
    with pytest.raises(PermissionDenied):
        draft_discard(draft=draft, actor=technician)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED


def test_staff_of_another_shop_cannot_send_our_draft(draft, outsider):
    with pytest.raises(PermissionDenied):
        draft_send(draft=draft, actor=outsider, body=draft.body)
