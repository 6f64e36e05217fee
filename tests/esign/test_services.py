"""Sending, viewing, consenting and signing: the rules that make a signature hold up."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image, ImageDraw

from claimory.claims.models import ClaimEvent, EventType
from claimory.core import durable
from claimory.esign import services
from claimory.esign.models import Action, Document, Kind, Reminder, ReminderState, SealJob, Status
from claimory.esign.services import RequestMeta, SignRefused

pytestmark = pytest.mark.django_db

PHONE = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (iPhone) Safari",
                    token_ref="abc123def4567890")


def drawing() -> bytes:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 150), (200, 40), (380, 160), (580, 50)],
                               fill=(10, 10, 60, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def send(claim, actor, kind=Kind.BETTERMENT, **values):
    values = values or {"amount": "180", "parts": "Two front tyres"}
    with mock.patch.object(durable, "enqueue_now"):
        return services.document_send(claim=claim, kind=kind, values=values, actor=actor)


def sign(document, **kw):
    args = dict(content_sha256=document.content_sha256, signer_name="Maria Lopez",
                method="drawn", agree=True, meta=PHONE, drawing=drawing())
    args.update(kw)
    with mock.patch.object(durable, "enqueue_now"):
        return services.document_sign(document, **args)


def test_sending_freezes_the_merged_text_and_its_hash(claim, front_desk):
    document = send(claim, front_desk)
    assert "Two front tyres" in document.body and "$180.00" in document.body
    assert claim.carrier in document.body
    assert document.content_sha256 == services.content_hash(document.title, document.body)
    assert [a.action for a in document.audit.all()] == [Action.CREATED, Action.SENT]
    event = ClaimEvent.objects.get(claim=claim, type=EventType.DOCUMENT)
    assert event.customer_visible and event.data["action"] == "sent"
    # Editing the template later does not change what was sent.
    services.template_save(location=claim.location, kind=Kind.BETTERMENT, title="Betterment",
                           body="New words {amount}", actor=None)
    document.refresh_from_db()
    assert "Two front tyres" in document.body


def test_each_kind_asks_for_its_fields(claim, front_desk):
    with pytest.raises(ValidationError) as error:
        send(claim, front_desk, kind=Kind.SUPPLEMENT_APPROVAL, amount="lots")
    assert set(error.value.message_dict) == {"amount", "supplement_number"}
    document = send(claim, front_desk, kind=Kind.DELIVERY_ACK, odometer="48213")
    assert "48,213 miles" in document.body and "satisfactory condition" in document.body
    assert send(claim, front_desk, kind=Kind.REPAIR_AUTHORIZATION,
                storage_per_day="45").body.count("$45.00") == 1


def test_templates_refuse_unknown_placeholders(location):
    with pytest.raises(ValidationError, match="secret_key"):
        services.template_save(location=location, kind=Kind.BETTERMENT, title="B",
                               body="{secret_key} {amount}", actor=None)


def test_a_technician_cannot_send_documents(claim, technician):
    with pytest.raises(PermissionDenied):
        send(claim, technician)


def test_signing_needs_consent_agreement_and_the_current_version(claim, front_desk):
    document = send(claim, front_desk)
    with pytest.raises(SignRefused) as refused:
        sign(document)
    assert refused.value.code == "consent"
    services.consent_give(claim, PHONE)
    for kw, code in [({"agree": False}, "agree"), ({"content_sha256": "0" * 64}, "changed"),
                     ({"signer_name": " "}, "name"), ({"method": "stamp"}, "method")]:
        with pytest.raises(SignRefused) as refused:
            sign(document, **kw)
        assert refused.value.code == code
    with pytest.raises(SignRefused) as refused:
        sign(document, drawing=Image.new("RGBA", (50, 50)).tobytes())
    assert refused.value.code == "drawing"
    signed = sign(document)
    assert signed.status == Status.SIGNED and signed.signature_image.name
    assert SealJob.objects.filter(document=document).count() == 1


def test_the_audit_trail_holds_ip_and_user_agent_of_the_signing_request(claim, front_desk):
    document = send(claim, front_desk)
    services.document_viewed(document, PHONE)
    services.consent_give(claim, PHONE)
    sign(document)
    signed = document.audit.get(action=Action.SIGNED)
    assert (signed.ip, signed.user_agent, signed.token_ref) == (
        PHONE.ip, PHONE.user_agent, PHONE.token_ref)
    actions = [a.action for a in document.audit.all()]
    assert actions == [Action.CREATED, Action.SENT, Action.VIEWED, Action.CONSENTED,
                       Action.SIGNED]


def test_a_double_submit_signs_once(claim, front_desk):
    document = send(claim, front_desk)
    services.consent_give(claim, PHONE)
    first = sign(document)
    again = sign(document)
    assert first.signed_at == again.signed_at
    assert document.audit.filter(action=Action.SIGNED).count() == 1
    assert SealJob.objects.count() == 1


def test_void_and_resend_refuse_the_old_version(claim, front_desk):
    document = send(claim, front_desk)
    services.consent_give(claim, PHONE)
    with mock.patch.object(durable, "enqueue_now"):
        fresh = services.document_resend(document, values={"amount": "200", "parts": "Tyres"},
                                         actor=front_desk)
    document.refresh_from_db()
    assert document.status == Status.VOID and fresh.replaces_id == document.pk
    with pytest.raises(SignRefused) as refused:
        sign(document)
    assert refused.value.code == "void"
    assert sign(fresh).status == Status.SIGNED
    with pytest.raises(ValidationError):
        services.document_void(fresh, reason="oops", actor=front_desk)


def test_the_texted_code_when_the_location_asks_for_it(claim, front_desk):
    claim.location.esign_sms_code = True
    claim.location.save()
    document = send(claim, front_desk)
    services.consent_give(claim, PHONE)
    with pytest.raises(SignRefused) as refused:
        sign(document)
    assert refused.value.code == "code"
    code = services.otp_issue(document, PHONE)
    with pytest.raises(SignRefused):
        services.otp_check(document, "000000" if code != "000000" else "111111", PHONE)
    services.otp_check(document, code, PHONE)
    assert sign(document).status == Status.SIGNED


def test_reminders_go_while_unsigned_and_stop_once_signed(claim, front_desk):
    document = send(claim, front_desk)
    reminder = Reminder.objects.get(document=document)
    assert reminder.due_at == document.sent_at + dt.timedelta(hours=24)
    later = timezone.now() + dt.timedelta(hours=25)
    with mock.patch("django.utils.timezone.now", return_value=later):
        durable.run_due()
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert document.audit.filter(action=Action.REMINDED).count() == 1
    second = Reminder.objects.get(document=document, number=2)
    services.consent_give(claim, PHONE)
    sign(document)
    with mock.patch("django.utils.timezone.now", return_value=later + dt.timedelta(days=3)):
        durable.run_due()
    second.refresh_from_db()
    assert second.state == ReminderState.SKIPPED


def test_consent_is_recorded_once_per_claim_and_version(claim):
    first = services.consent_give(claim, PHONE)
    assert services.consent_give(claim, PHONE).pk == first.pk
    assert first.disclosure_sha256 and first.ip == PHONE.ip


def test_documents_on_the_portal_hide_void_ones(claim, front_desk):
    from claimory.esign.selectors import portal_documents

    old = send(claim, front_desk)
    services.document_void(old, reason="wrong amount", actor=front_desk)
    new = send(claim, front_desk)
    assert [d.pk for d in portal_documents(claim.pk)] == [new.pk]
    assert Document.objects.count() == 2
