"""Staff documents pages: send with a preview, the record with its audit trail, the signed PDF,
void and re-send, Settings → Documents; roles and other shops' ids."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from claimory.core import durable
from claimory.esign import services
from claimory.esign.models import Action, Document, DocumentTemplate, Kind, Status
from claimory.money.supplements import supplement_add
from tests.esign.test_services import PHONE, sign

pytestmark = pytest.mark.django_db

LAPTOP_UA = "Mozilla/5.0 (Windows NT 10.0) Front desk"


def client_for(user) -> Client:
    client = Client(HTTP_USER_AGENT=LAPTOP_UA, REMOTE_ADDR="198.51.100.20")
    client.force_login(user)
    return client


@pytest.fixture
def desk(front_desk):
    return client_for(front_desk)


@pytest.fixture
def boss(owner):
    return client_for(owner)


def new_url(claim, **query) -> str:
    url = reverse("backoffice:document_new", args=[claim.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(document) -> str:
    return reverse("backoffice:document", args=[document.claim_id, document.pk])


def preview(client, claim, kind=Kind.BETTERMENT, **values):
    values = values or {"amount": "180", "parts": "Two front tyres"}
    return client.post(new_url(claim), {"kind": kind, "action": "preview", **values})


def hash_in(html: str) -> str:
    return re.search(r'name="content_sha256" value="([0-9a-f]{64})"', html).group(1)


def send_via_page(client, claim, kind=Kind.BETTERMENT, **values):
    values = values or {"amount": "180", "parts": "Two front tyres"}
    sha = hash_in(preview(client, claim, kind, **values).content.decode())
    with mock.patch.object(durable, "enqueue_now"):
        return client.post(new_url(claim), {"kind": kind, "action": "send",
                                            "content_sha256": sha, **values})


def test_the_claim_page_lists_documents_and_offers_sending(desk, claim, front_desk):
    page = desk.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert 'id="claim-documents"' in page and "No documents yet" in page
    assert new_url(claim) in page
    with mock.patch.object(durable, "enqueue_now"):
        document = services.document_send(claim=claim, kind=Kind.BETTERMENT, actor=front_desk,
                                           values={"amount": "180", "parts": "Tyres"})
    page = desk.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert "Betterment approval" in page and detail_url(document) in page
    assert 'data-doc-status="sent">Waiting<' in page
    # The live fragment carries the same card, so a signature shows up without a reload.
    live = desk.get(reverse("backoffice:claim_live", args=[claim.pk])).content.decode()
    assert 'id="claim-documents" data-live-region' in live and detail_url(document) in live


def test_the_picker_lists_the_four_kinds(desk, claim):
    html = desk.get(new_url(claim)).content.decode()
    for kind in Kind.values:
        assert f"?kind={kind}" in html
    assert desk.get(new_url(claim, kind="nonsense")).status_code == 400


def test_preview_shows_exactly_the_text_that_is_sent(desk, claim):
    response = preview(desk, claim)
    assert response.status_code == 200
    html = response.content.decode()
    prepared = services.document_prepare(claim, Kind.BETTERMENT,
                                         {"amount": "180", "parts": "Two front tyres"})
    assert hash_in(html) == prepared.content_sha256
    assert "Two front tyres" in html and "$180.00" in html and claim.carrier in html
    assert not Document.objects.exists()  # a preview sends nothing
    response = send_via_page(desk, claim)
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(document)
    assert document.content_sha256 == prepared.content_sha256
    assert document.status == Status.SENT
    created = document.audit.get(action=Action.CREATED)
    assert (created.ip, created.user_agent) == ("198.51.100.20", LAPTOP_UA)


def test_bad_values_are_shown_next_to_their_fields(desk, claim):
    response = preview(desk, claim, Kind.SUPPLEMENT_APPROVAL, amount="lots")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Supplement amount ($): enter an amount like 250.00." in html
    assert "Supplement number is required." in html
    assert not Document.objects.exists()


def test_a_text_changed_after_the_preview_is_shown_again_not_sent(desk, claim, location):
    values = {"amount": "180", "parts": "Tyres"}
    sha = hash_in(preview(desk, claim, **values).content.decode())
    services.template_save(location=location, kind=Kind.BETTERMENT, title="Betterment",
                           body="Now different: {amount}", actor=None)
    response = desk.post(new_url(claim), {"kind": Kind.BETTERMENT, "action": "send",
                                          "content_sha256": sha, **values})
    assert response.status_code == 409
    assert "The text changed since your preview" in response.content.decode()
    assert "Now different: $180.00" in response.content.decode()
    assert not Document.objects.exists()


def test_supplement_approval_starts_from_the_latest_supplement(desk, claim):
    supplement_add(claim=claim, amount="640.00")
    html = desk.get(new_url(claim, kind=Kind.SUPPLEMENT_APPROVAL)).content.decode()
    assert 'value="640.00"' in html and 'name="supplement_number"' in html


def test_detail_shows_text_audit_with_ip_and_user_agent_and_seal_line(desk, claim):
    send_via_page(desk, claim)
    document = Document.objects.get()
    services.document_viewed(document, PHONE)
    services.consent_give(claim, PHONE)
    sign(document)
    html = desk.get(detail_url(document)).content.decode()
    assert "Two front tyres" in html and "Audit trail" in html
    for text in (PHONE.ip, PHONE.user_agent, PHONE.token_ref, "198.51.100.20", LAPTOP_UA,
                 "Consented to sign electronically", "Signed", "Not sealed yet"):
        assert text in html, text
    assert "(UTC)" in html
    assert 'data-doc-status="signed">Signed<' in html


def test_signed_pdf_is_404_until_sealed_then_a_download(desk, claim, front_desk):
    with mock.patch.object(durable, "enqueue_now"):
        document = services.document_send(claim=claim, kind=Kind.DELIVERY_ACK, actor=front_desk,
                                          values={"odometer": "48213"})
    url = reverse("backoffice:document_pdf", args=[claim.pk, document.pk])
    assert desk.get(url).status_code == 404
    path = default_storage.save(f"signed/{claim.pk}/test.pdf", ContentFile(b"%PDF-1.7\n%test\n"))
    Document.objects.filter(pk=document.pk).update(signed_pdf=path, status=Status.SIGNED)
    response = desk.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert url in desk.get(detail_url(document)).content.decode()


def test_void_needs_a_reason_and_stops_signing(desk, claim):
    send_via_page(desk, claim)
    document = Document.objects.get()
    url = reverse("backoffice:document_void", args=[claim.pk, document.pk])
    response = desk.post(url, {"reason": ""})
    assert response.status_code == 400 and "Say why the document is withdrawn." in \
        response.content.decode()
    response = desk.post(url, {"reason": "Wrong amount"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.VOID and document.void_reason == "Wrong amount"
    html = desk.get(detail_url(document)).content.decode()
    assert "Wrong amount" in html and url not in html  # nothing left to void


def test_resend_voids_the_old_version_and_sends_a_new_one(desk, claim):
    send_via_page(desk, claim)
    old = Document.objects.get()
    form = desk.get(new_url(claim, kind=Kind.BETTERMENT, replaces=old.pk)).content.decode()
    assert 'value="180.00"' in form and 'value="Two front tyres"' in form
    assert f'name="replaces" value="{old.pk}"' in form
    values = {"amount": "210", "parts": "Two front tyres", "replaces": str(old.pk)}
    response = send_via_page(desk, claim, **values)
    new = Document.objects.exclude(pk=old.pk).get()
    assert response["Location"] == detail_url(new)
    old.refresh_from_db()
    assert old.status == Status.VOID and new.replaces == old and "$210.00" in new.body
    assert detail_url(old) in desk.get(detail_url(new)).content.decode()


def test_a_technician_reads_but_cannot_send_or_void(technician, claim, front_desk):
    with mock.patch.object(durable, "enqueue_now"):
        document = services.document_send(claim=claim, kind=Kind.DELIVERY_ACK, actor=front_desk,
                                          values={"odometer": "100"})
    tech = client_for(technician)
    html = tech.get(detail_url(document)).content.decode()
    assert "Audit trail" in html and "Void this document" not in html
    assert new_url(claim) not in tech.get(reverse("backoffice:claim", args=[claim.pk])
                                          ).content.decode()
    assert tech.get(new_url(claim)).status_code == 403
    assert preview(tech, claim).status_code == 403
    response = tech.post(reverse("backoffice:document_void", args=[claim.pk, document.pk]),
                         {"reason": "x"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == Status.SENT


def test_another_shops_claim_and_document_are_404(outsider, claim, other_claim, front_desk):
    with mock.patch.object(durable, "enqueue_now"):
        document = services.document_send(claim=claim, kind=Kind.DELIVERY_ACK, actor=front_desk,
                                          values={"odometer": "100"})
    them = client_for(outsider)
    for url in (new_url(claim), detail_url(document),
                reverse("backoffice:document_pdf", args=[claim.pk, document.pk])):
        assert them.get(url).status_code == 404, url
    assert them.post(reverse("backoffice:document_void", args=[claim.pk, document.pk]),
                     {"reason": "x"}).status_code == 404
    assert preview(them, claim).status_code == 404
    # Our document under their own claim's id is not found either.
    assert them.get(reverse("backoffice:document", args=[other_claim.pk, document.pk])
                    ).status_code == 404
    document.refresh_from_db()
    assert document.status == Status.SENT


def test_replacing_a_document_of_another_claim_is_404(desk, claim, location, front_desk):
    from tests.factories import make_claim

    second = make_claim(location, actor=front_desk, name="Other Customer")
    with mock.patch.object(durable, "enqueue_now"):
        theirs = services.document_send(claim=second, kind=Kind.DELIVERY_ACK, actor=front_desk,
                                        values={"odometer": "100"})
    assert desk.get(new_url(claim, kind=Kind.DELIVERY_ACK, replaces=theirs.pk)
                    ).status_code == 404
    assert desk.get(new_url(claim, kind=Kind.DELIVERY_ACK, replaces="x1")).status_code == 404


# ---- Settings → Documents -----------------------------------------------------------------

def settings_url(location) -> str:
    return f"{reverse('backoffice:settings_documents')}?location={location.slug}"


def template_url(location, kind) -> str:
    return reverse("backoffice:document_template", args=[location.slug, kind])


def test_settings_lists_templates_and_placeholders(boss, location):
    html = boss.get(settings_url(location)).content.decode()
    for label in ("Authorization to repair", "Betterment approval", "Supplement approval",
                  "Delivery acknowledgement", "{customer_name}", "{odometer}"):
        assert label in html, label
    assert 'aria-current="page">Documents<' in html


def test_saving_a_template_and_resetting_it(boss, location):
    url = template_url(location, Kind.BETTERMENT)
    response = boss.post(url, {"betterment-title": "Betterment",
                               "betterment-body": "You pay {amount} for {parts}."})
    assert response.status_code == 302
    template = DocumentTemplate.objects.get(location=location, kind=Kind.BETTERMENT)
    assert template.body == "You pay {amount} for {parts}."
    assert "Reset to the default text" in boss.get(settings_url(location)).content.decode()
    assert boss.post(url, {"action": "reset"}).status_code == 302
    assert not DocumentTemplate.objects.filter(location=location).exists()


def test_an_unknown_placeholder_is_refused_with_the_list(boss, location):
    response = boss.post(template_url(location, Kind.BETTERMENT), {
        "betterment-title": "Betterment", "betterment-body": "Pay {amount} {secret_key}"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown placeholder {secret_key}" in html and "Use only:" in html
    assert not DocumentTemplate.objects.exists()


def test_signing_settings(boss, location):
    url = reverse("backoffice:esign_settings", args=[location.slug])
    assert boss.post(url, {"sms_code": "on", "reminder_hours": "999"}).status_code == 400
    assert boss.post(url, {"sms_code": "on", "reminder_hours": "48"}).status_code == 302
    location.refresh_from_db()
    assert location.esign_sms_code and location.esign_reminder_hours == 48


def test_front_desk_cannot_edit_templates(desk, location):
    assert desk.get(settings_url(location)).status_code == 403
    response = desk.post(template_url(location, Kind.BETTERMENT),
                         {"betterment-title": "B", "betterment-body": "{amount}"})
    assert response.status_code == 403 and not DocumentTemplate.objects.exists()


def test_another_shops_location_is_404(outsider, location):
    them = client_for(outsider)
    assert them.get(settings_url(location)).status_code == 404
    assert them.post(template_url(location, Kind.BETTERMENT),
                     {"betterment-title": "B", "betterment-body": "{amount}"}).status_code == 404
    assert them.post(reverse("backoffice:esign_settings", args=[location.slug]),
                     {"reminder_hours": "1"}).status_code == 404
