"""Signing from the portal: the documents block, the signing page, consent, the signature,
the texted code, and the token's limits (another claim, another site, too many tries)."""

from __future__ import annotations

import base64
import io
import re
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from claimory.claims.services import portal_token
from claimory.core import durable
from claimory.esign import services
from claimory.esign.models import Action, AuditEntry, EsignConsent, Kind, Status
from claimory.esign.services import RequestMeta
from claimory.esign.wording import DISCLOSURE_VERSION
from claimory.messaging.models import Delivery
from claimory.portal import document_views

pytestmark = pytest.mark.django_db

PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1"
HEADERS = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": PHONE_UA}


def send(claim, actor, kind=Kind.BETTERMENT, **values):
    values = values or {"amount": "180", "parts": "Two front tyres"}
    with mock.patch.object(durable, "enqueue_now"):
        return services.document_send(claim=claim, kind=kind, values=values, actor=actor)


def png_data_url() -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 150), (200, 40), (380, 160), (580, 50)],
                               fill=(10, 10, 60, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def document(claim, front_desk):
    return send(claim, front_desk)


@pytest.fixture
def consented(claim):
    return services.consent_give(claim, RequestMeta(ip="198.51.100.1"))


def doc_path(portal_path, document):
    return f"{portal_path}/documents/{document.pk}"


def sign_post(client, portal_path, document, **fields):
    data = {"content_sha256": document.content_sha256, "method": "typed",
            "name": "Maria Lopez", "agree": "yes", **fields}
    with mock.patch.object(durable, "enqueue_now"):
        return client.post(f"{doc_path(portal_path, document)}/sign", data, **HEADERS)


def test_the_portal_shows_the_waiting_document_with_a_read_and_sign_link(
        client, claim, document, portal_path):
    html = client.get(portal_path).content.decode()
    section = re.search(r'<section id="documents".*?</section>', html, re.S).group(0)
    assert " hidden" not in section.split(">", 1)[0]
    assert "Waiting for your signature" in section and document.title in section
    assert f'href="{doc_path(portal_path, document)}"' in section


def test_no_documents_no_block(client, claim, portal_path):
    html = client.get(portal_path).content.decode()
    assert re.search(r'<section id="documents"[^>]* hidden', html)


def test_opening_the_document_records_the_view_with_ip_ua_and_token(
        client, claim, document, portal_path):
    response = client.get(doc_path(portal_path, document), **HEADERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two front tyres" in html and "<p>" in html
    viewed = document.audit.get(action=Action.VIEWED)
    assert viewed.ip == "203.0.113.7" and viewed.user_agent == PHONE_UA
    assert viewed.token_ref and claim.portal_token_hash.startswith(viewed.token_ref)
    document.refresh_from_db()
    assert document.status == Status.VIEWED
    assert "no-store" in response["Cache-Control"]


def test_the_body_is_escaped(client, claim, document, portal_path):
    document.body = "<script>alert(1)</script>\n\nSecond paragraph"
    document.save()
    html = client.get(doc_path(portal_path, document)).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_consent_is_asked_once_and_recorded_with_its_version(
        client, claim, document, portal_path):
    html = client.get(doc_path(portal_path, document)).content.decode()
    assert "Your right to paper" in html and "You may withdraw your consent" in html
    assert "What you need" in html and "sign-form" not in html
    response = client.post(f"{portal_path}/esign-consent", {"document": document.pk}, **HEADERS)
    assert response.status_code == 303
    assert response["Location"] == f"{doc_path(portal_path, document)}#sign"
    consent = EsignConsent.objects.get(claim=claim)
    assert consent.version == DISCLOSURE_VERSION and consent.ip == "203.0.113.7"
    assert consent.user_agent == PHONE_UA
    html = client.get(doc_path(portal_path, document)).content.decode()
    assert "Your right to paper" not in html and 'id="sign-form"' in html
    client.post(f"{portal_path}/esign-consent", {"document": document.pk})
    assert EsignConsent.objects.filter(claim=claim).count() == 1


def test_signing_with_a_typed_name(client, claim, document, consented, portal_path):
    response = sign_post(client, portal_path, document)
    assert response.status_code == 303
    assert response["Location"] == f"{portal_path}?sent=signature#documents"
    document.refresh_from_db()
    assert document.status == Status.SIGNED and document.signature_method == "typed"
    signed = document.audit.get(action=Action.SIGNED)
    assert (signed.ip, signed.user_agent) == ("203.0.113.7", PHONE_UA)
    html = client.get(response["Location"]).content.decode()
    assert "Signed — thank you" in html and "Preparing your signed copy" in html
    assert "Read and sign" not in html


def test_signing_with_a_drawing(client, claim, document, consented, portal_path):
    response = sign_post(client, portal_path, document, method="drawn", drawing=png_data_url())
    assert response.status_code == 303
    document.refresh_from_db()
    assert document.signature_method == "drawn" and document.signature_image.name


@pytest.mark.parametrize("drawing", ["", "data:image/png;base64,!!!", "data:text/html,<b>",
                                     "data:image/png;base64," + "A" * 500_000,
                                     "data:image/png;base64,"
                                     + base64.b64encode(b"not a png").decode()])
def test_a_bad_drawing_is_a_clear_400(client, claim, document, consented, portal_path, drawing):
    response = sign_post(client, portal_path, document, method="drawn", drawing=drawing)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "draw your signature again" in html
    document.refresh_from_db()
    assert document.status == Status.VIEWED or document.status == Status.SENT


def test_a_double_submit_signs_once(client, claim, document, consented, portal_path):
    assert sign_post(client, portal_path, document).status_code == 303
    assert sign_post(client, portal_path, document).status_code == 303
    assert document.audit.filter(action=Action.SIGNED).count() == 1


def test_a_void_document_is_refused_with_its_reason(client, claim, document, consented,
                                                   portal_path, front_desk):
    services.document_void(document, reason="Wrong amount", actor=front_desk)
    response = sign_post(client, portal_path, document)
    assert response.status_code == 409
    assert "withdrew this document" in response.content.decode()
    document.refresh_from_db()
    assert document.status == Status.VOID


def test_a_changed_text_is_refused(client, claim, document, consented, portal_path):
    response = sign_post(client, portal_path, document, content_sha256="0" * 64)
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()


def test_missing_agreement_or_consent_re_renders_with_the_reason(
        client, claim, document, portal_path):
    response = sign_post(client, portal_path, document)
    assert response.status_code == 400 and "agree to sign electronically" in \
        response.content.decode()
    services.consent_give(claim, RequestMeta())
    response = sign_post(client, portal_path, document, agree="", name="Maria L")
    html = response.content.decode()
    assert response.status_code == 400 and "tick" in html and 'value="Maria L"' in html


def test_another_claims_token_cannot_open_or_sign(client, claim, document, consented,
                                                  other_claim):
    other_path = f"/c/{portal_token(other_claim)}"
    assert client.get(doc_path(other_path, document)).status_code == 404
    assert sign_post(client, other_path, document).status_code == 404
    assert client.get(f"{doc_path(other_path, document)}/pdf").status_code == 404
    assert client.get(doc_path("/c/AAAAAAAAAAAAAAAAAAAAAA", document)).status_code == 404
    document.refresh_from_db()
    assert document.status == Status.SENT
    assert not AuditEntry.objects.filter(document=document, action=Action.VIEWED).exists()


def test_another_sites_origin_is_refused(client, claim, document, consented, portal_path):
    for path in (f"{doc_path(portal_path, document)}/sign", f"{portal_path}/esign-consent",
                 f"{doc_path(portal_path, document)}/code"):
        response = client.post(path, {"content_sha256": document.content_sha256},
                               HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == Status.SENT


def test_the_texted_code_when_the_shop_asks_for_it(client, claim, texting, document, consented,
                                                   portal_path):
    texting.esign_sms_code = True
    texting.save()
    html = client.get(doc_path(portal_path, document)).content.decode()
    assert "Text me a code" in html and 'name="code"' in html
    assert sign_post(client, portal_path, document).status_code == 400  # no code yet
    with mock.patch.object(services.secrets, "randbelow", return_value=424242), \
            mock.patch.object(durable, "enqueue_now"):
        response = client.post(f"{doc_path(portal_path, document)}/code", **HEADERS)
    assert response.status_code == 303 and "code=0142" in response["Location"]
    delivery = Delivery.objects.get(claim=claim, message__body__contains="Signing code")
    assert "424242" in delivery.body and "424242" not in delivery.message.body
    wrong = sign_post(client, portal_path, document, code="111111")
    assert wrong.status_code == 400 and "code is not right" in wrong.content.decode()
    assert sign_post(client, portal_path, document, code="424 242").status_code == 303
    document.refresh_from_db()
    assert document.status == Status.SIGNED


def test_no_code_without_a_phone_we_may_text(client, claim, document, consented, portal_path):
    claim.location.esign_sms_code = True
    claim.location.save()  # no texting number at this location
    response = client.post(f"{doc_path(portal_path, document)}/code")
    assert response.status_code == 409 and "call the shop" in response.content.decode()


def test_too_many_tries_is_429(client, claim, document, consented, portal_path):
    for _n in range(document_views.LIMITS["sign"]):
        sign_post(client, portal_path, document, agree="")
    response = sign_post(client, portal_path, document)
    assert response.status_code == 429 and response["Retry-After"]
    document.refresh_from_db()
    assert document.status != Status.SIGNED


def test_the_signed_pdf_is_a_404_until_sealed_then_a_download(client, claim, document,
                                                              consented, portal_path):
    sign_post(client, portal_path, document)
    pdf = f"{doc_path(portal_path, document)}/pdf"
    assert client.get(pdf).status_code == 404
    document.refresh_from_db()
    document.signed_pdf.save("sealed.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    response = client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    html = client.get(portal_path).content.decode()
    assert "Download signed PDF" in html and "Preparing your signed copy" not in html


def test_the_cached_page_follows_sending_and_signing(client, claim, front_desk, portal_path):
    assert "Read and sign" not in client.get(portal_path).content.decode()
    client.get(portal_path)  # now cached
    document = send(claim, front_desk)
    assert "Read and sign" in client.get(portal_path).content.decode()
    services.consent_give(claim, RequestMeta())
    sign_post(client, portal_path, document)
    html = client.get(portal_path).content.decode()
    assert "Read and sign" not in html and "Preparing your signed copy" in html


def test_the_documents_fragment(client, claim, document, portal_path):
    html = client.get(f"{portal_path}/fragments/documents").content.decode()
    assert html.startswith('<section id="documents"') and "Read and sign" in html


def test_in_spanish(client, claim, document, portal_path):
    assert "Leer y firmar" in client.get(f"{portal_path}?lang=es").content.decode()
    html = client.get(f"{doc_path(portal_path, document)}?lang=es").content.decode()
    assert "Su derecho al papel" in html and "Acepto firmar electrónicamente" in html
    services.consent_give(claim, RequestMeta())
    response = client.post(f"{doc_path(portal_path, document)}/sign?lang=es",
                           {"content_sha256": document.content_sha256, "method": "typed",
                            "name": "Maria Lopez"})
    assert response.status_code == 400
    assert "Marque “Acepto” para firmar" in response.content.decode()


def test_every_signing_string_has_spanish():
    from pathlib import Path

    import claimory.esign

    po = Path(claimory.esign.__file__).parent / "locale/es/LC_MESSAGES/django.po"
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert re.findall(r'\nmsgid "(.+)"\nmsgstr ""\n', text) == []


def test_reloading_an_error_page_goes_back_to_the_document(client, claim, document,
                                                           portal_path):
    response = client.get(f"{doc_path(portal_path, document)}/sign")
    assert response.status_code == 302
    assert response["Location"] == doc_path(portal_path, document)


def test_wrong_codes_count_and_lock_the_code(client, claim, texting, document, consented,
                                             portal_path):
    texting.esign_sms_code = True
    texting.save()
    with mock.patch.object(services.secrets, "randbelow", return_value=424242), \
            mock.patch.object(durable, "enqueue_now"):
        client.post(f"{doc_path(portal_path, document)}/code")
    for _n in range(services.OTP_MAX_ATTEMPTS):
        assert sign_post(client, portal_path, document, code="111111").status_code == 400
    locked = sign_post(client, portal_path, document, code="424242")
    assert locked.status_code == 400 and "Too many wrong codes" in locked.content.decode()
    document.refresh_from_db()
    assert document.otp_attempts == services.OTP_MAX_ATTEMPTS
    assert document.status != Status.SIGNED
