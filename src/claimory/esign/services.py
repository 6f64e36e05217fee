"""Sending, viewing, consenting to and signing documents; every step on the audit trail.

The rules that make a signature hold up live here, not in views:
- a document's text is merged and frozen when it is sent; ``content_sha256`` is the hash
  of exactly what the customer sees (``title`` + blank line + ``body``, UTF-8);
- a signature must name that hash (the version the customer read), on a document that is
  still open (not void, not replaced), after consent to sign electronically, with an
  explicit "I agree", and after the texted code where the location asks for one;
- a second submit of the same signature signs once (the row is locked; a signed document
  answers as signed);
- signing schedules the sealing of the PDF (``SealJob``, the worker) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core import durable
from claimory.esign import wording
from claimory.esign.models import (
    Action,
    AuditEntry,
    Document,
    DocumentTemplate,
    EsignConsent,
    Kind,
    Method,
    Reminder,
    SealJob,
    Status,
)
from claimory.shops.models import Location
from claimory.shops.permissions import authorize

MAX_SIGNATURE_BYTES = 300 * 1024
MAX_SIGNATURE_SIDE = 2000
OTP_DIGITS = 6
OTP_MINUTES = 10
OTP_MAX_ATTEMPTS = 5
REMINDERS = 2  # at most this many reminders per document (after N and 3×N hours)


class SignRefused(ValueError):
    """The signature cannot be taken; ``str(exc)`` says why, in words for the customer.
    ``code`` names the reason for programs (void, changed, consent, agree, code, name…)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class RequestMeta:
    """Who did it, as far as the request shows: for the audit trail."""

    ip: str | None = None
    user_agent: str = ""
    token_ref: str = ""

    @classmethod
    def for_token(cls, ip: str | None, user_agent: str, token_hash: str | None) -> RequestMeta:
        return cls(ip=ip or None, user_agent=(user_agent or "")[:400],
                   token_ref=(token_hash or "")[:16])


SYSTEM = RequestMeta()


def audit(document: Document, action: str, meta: RequestMeta = SYSTEM, *, actor: Any = None,
          **detail: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        document=document, action=action, at=timezone.now(), ip=meta.ip,
        user_agent=meta.user_agent, token_ref=meta.token_ref,
        actor=actor if getattr(actor, "is_authenticated", False) else None, detail=detail)


def document_event(document: Document, action: str, *, actor: Any = None,
                   actor_label: str = "", channel: str = Channel.STAFF, reason: str = "",
                   customer_visible: bool = True) -> None:
    """The document's timeline event (open portals re-render their documents section)."""
    data = {"document_id": document.pk, "kind": document.kind, "title": document.title,
            "status": document.status, "action": action}
    if reason:
        data["reason"] = reason[:200]
    event_record(claim=document.claim, type=EventType.DOCUMENT, actor=actor,
                 actor_label=actor_label, channel=channel, customer_visible=customer_visible,
                 data=data)


# ---- templates ------------------------------------------------------------------------------

def template_for(location: Location, kind: str) -> DocumentTemplate:
    """The location's text for ``kind``: its own, or the default (unsaved)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": [f"Unknown document kind “{kind}”. Use one of: "
                                        f"{', '.join(Kind.values)}."]})
    template = DocumentTemplate.objects.filter(location=location, kind=kind).first()
    return template or DocumentTemplate(location=location, kind=kind,
                                        title=wording.DEFAULT_TITLES[kind],
                                        body=wording.DEFAULT_BODIES[kind])


def template_save(*, location: Location, kind: str, title: str, body: str,
                  actor: Any) -> DocumentTemplate:
    authorize(actor, "documents.templates", location)
    template = template_for(location, kind)
    title, body = (title or "").strip(), (body or "").replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Give the document a title."]
    if len(title) > 120:
        errors["title"] = ["At most 120 characters."]
    if not body:
        errors["body"] = ["The text cannot be empty."]
    elif len(body) > 20_000:
        errors["body"] = ["At most 20,000 characters."]
    unknown = wording.unknown_placeholders(body + title)
    if unknown:
        errors["body"] = [f"Unknown placeholder {', '.join('{' + n + '}' for n in unknown)}. "
                          f"Use only: {', '.join('{' + n + '}' for n in wording.PLACEHOLDERS)}."]
    if errors:
        raise ValidationError(errors)
    template.title, template.body = title, body
    template.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    template.save()
    return template


# ---- preparing and sending ---------------------------------------------------------------------

def _money(value: Decimal | None) -> str:
    return f"${value:,.2f}" if value is not None else ""


def fields_clean(kind: str, values: dict[str, Any]) -> dict[str, str]:
    """The kind's fields from staff input, validated (ValidationError says which)."""
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for spec in wording.FIELDS.get(kind, ()):
        raw = str(values.get(spec.name, "") or "").strip()
        if not raw:
            if spec.required:
                errors[spec.name] = [f"{spec.label} is required."]
            continue
        if spec.type == "money":
            try:
                amount = Decimal(raw.replace("$", "").replace(",", ""))
            except InvalidOperation:
                errors[spec.name] = [f"{spec.label}: enter an amount like 250.00."]
                continue
            if not amount.is_finite() or amount < 0 or amount >= Decimal("10000000"):
                errors[spec.name] = [f"{spec.label}: enter an amount between 0 and 9,999,999."]
                continue
            clean[spec.name] = _money(amount.quantize(Decimal("0.01")))
        elif spec.type == "int":
            if not raw.isdigit() or len(raw) > 7:
                errors[spec.name] = [f"{spec.label}: enter a whole number."]
                continue
            clean[spec.name] = f"{int(raw):,}"
        else:
            if len(raw) > 300:
                errors[spec.name] = [f"{spec.label}: at most 300 characters."]
                continue
            clean[spec.name] = raw
    if errors:
        raise ValidationError(errors)
    return clean


def claim_values(claim: Claim) -> dict[str, str]:
    """What a text may say about the claim (wording.PLACEHOLDERS), as the customer reads it."""
    location, vehicle = claim.location, claim.vehicle
    from claimory.claims.services import location_today

    today = location_today(location)
    return {
        "customer_name": claim.customer.name, "vehicle": str(vehicle), "vin": vehicle.vin,
        "plate": vehicle.plate, "ro_number": claim.ro_number,
        "claim_number": claim.claim_number, "carrier": claim.carrier,
        "shop_name": location.name, "shop_phone": location.phone,
        "shop_address": location.address_one_line,
        "date": f"{today:%B} {today.day}, {today.year}",
        "estimate_total": _money(claim.estimate_total), "deductible": _money(claim.deductible),
    }


@dataclass(frozen=True)
class Prepared:
    kind: str
    title: str
    body: str
    fields: dict[str, str]
    content_sha256: str


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def document_prepare(claim: Claim, kind: str, values: dict[str, Any]) -> Prepared:
    """The document as it would be sent now (the staff preview shows exactly this)."""
    template = template_for(claim.location, kind)
    fields = fields_clean(kind, values)
    merged = {**claim_values(claim), **fields}
    title, body = wording.merge(template.title, merged), wording.merge(template.body, merged)
    return Prepared(kind, title, body, fields, content_hash(title, body))


def document_send(*, claim: Claim, kind: str, values: dict[str, Any], actor: Any = None,
                  actor_label: str = "", channel: str = Channel.STAFF,
                  meta: RequestMeta = SYSTEM, replaces: Document | None = None) -> Document:
    """Freeze the document, put it on the portal, tell the customer, plan a reminder."""
    from claimory.notifications.services import notify_document

    authorize(actor, "documents.send", claim.location)
    prepared = document_prepare(claim, kind, values)
    now = timezone.now()
    with transaction.atomic():
        document = Document.objects.create(
            claim=claim, kind=kind, title=prepared.title, body=prepared.body,
            fields=prepared.fields, content_sha256=prepared.content_sha256,
            language=claim.customer.language or "en", status=Status.SENT, sent_at=now,
            sent_by=actor if getattr(actor, "is_authenticated", False) else None,
            replaces=replaces)
        audit(document, Action.CREATED, meta, actor=actor, content_sha256=document.content_sha256)
        audit(document, Action.SENT, meta, actor=actor)
        document_event(document, "sent", actor=actor, actor_label=actor_label, channel=channel)
        notify_document(claim, document.title, actor=actor)
        hours = claim.location.esign_reminder_hours
        if hours:
            reminder = Reminder.objects.create(document=document, number=1)
            durable.schedule(reminder, at=now + dt.timedelta(hours=hours))
    return document


def document_void(document: Document, *, reason: str, actor: Any = None, actor_label: str = "",
                  channel: str = Channel.STAFF, meta: RequestMeta = SYSTEM) -> Document:
    """Withdraw an unsigned document: the portal stops offering it, a signature is refused."""
    authorize(actor, "documents.send", document.claim.location)
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related(
            "claim", "claim__location").get(pk=document.pk)
        if document.status == Status.SIGNED:
            raise ValidationError("A signed document cannot be voided; send a new one.")
        if document.status == Status.VOID:
            return document
        document.status, document.voided_at = Status.VOID, timezone.now()
        document.void_reason = reason
        document.save(update_fields=["status", "voided_at", "void_reason", "updated_at"])
        audit(document, Action.VOIDED, meta, actor=actor, reason=reason)
        document_event(document, "voided", actor=actor, actor_label=actor_label, channel=channel,
               reason=reason)
    return document


def document_resend(document: Document, *, values: dict[str, Any], actor: Any = None,
                    actor_label: str = "", meta: RequestMeta = SYSTEM) -> Document:
    """Void ``document`` and send the current text (with ``values``) in its place."""
    with transaction.atomic():
        document_void(document, reason="Replaced by a new version", actor=actor,
                      actor_label=actor_label, meta=meta)
        return document_send(claim=document.claim, kind=document.kind, values=values,
                             actor=actor, actor_label=actor_label, meta=meta,
                             replaces=document)


# ---- the customer's side ---------------------------------------------------------------------

def document_viewed(document: Document, meta: RequestMeta) -> None:
    """The customer opened the document: on the trail every time (at most once a minute
    per link), and the status moves to "viewed" the first time."""
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("claim").get(
            pk=document.pk)
        recent = AuditEntry.objects.filter(
            document=document, action=Action.VIEWED, token_ref=meta.token_ref,
            at__gte=timezone.now() - dt.timedelta(minutes=1)).exists()
        if not recent:
            audit(document, Action.VIEWED, meta)
        if document.status == Status.SENT:
            document.status, document.first_viewed_at = Status.VIEWED, timezone.now()
            document.save(update_fields=["status", "first_viewed_at", "updated_at"])
            document_event(document, "viewed", actor_label="Customer", channel=Channel.PORTAL)


def consent_current(claim: Claim) -> EsignConsent | None:
    return EsignConsent.objects.filter(claim=claim, version=wording.DISCLOSURE_VERSION,
                                       withdrawn_at__isnull=True).first()


def disclosure_for(claim: Claim) -> str:
    return wording.disclosure_text(claim_values(claim))


def consent_give(claim: Claim, meta: RequestMeta) -> EsignConsent:
    """Record consent to sign electronically (once per claim and disclosure version)."""
    with transaction.atomic():
        Claim.objects.select_for_update().filter(pk=claim.pk).first()  # one at a time
        existing = consent_current(claim)
        if existing is not None:
            return existing
        consent = EsignConsent.objects.create(
            claim=claim, version=wording.DISCLOSURE_VERSION,
            disclosure_sha256=wording.disclosure_sha256(disclosure_for(claim)),
            at=timezone.now(), ip=meta.ip, user_agent=meta.user_agent,
            token_ref=meta.token_ref)
        for document in Document.objects.filter(claim=claim,
                                                status__in=[Status.SENT, Status.VIEWED]):
            audit(document, Action.CONSENTED, meta, version=consent.version)
    return consent


def _otp_hash(document: Document, code: str) -> str:
    from django.conf import settings

    return hmac.new(settings.SECRET_KEY.encode(), f"{document.pk}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def otp_issue(document: Document, meta: RequestMeta) -> str:
    """A new one-time code for this document (the caller texts it). Returns the code."""
    code = f"{secrets.randbelow(10 ** OTP_DIGITS):0{OTP_DIGITS}d}"
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        document.otp_hash = _otp_hash(document, code)
        document.otp_expires_at = timezone.now() + dt.timedelta(minutes=OTP_MINUTES)
        document.otp_attempts = 0
        document.save(update_fields=["otp_hash", "otp_expires_at", "otp_attempts",
                                     "updated_at"])
        audit(document, Action.CODE_SENT, meta)
    return code


def otp_check(document: Document, code: str, meta: RequestMeta) -> None:
    """SignRefused unless ``code`` is the current, unexpired code (5 tries per code)."""
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.otp_hash or not document.otp_expires_at or (
                document.otp_expires_at < timezone.now()):
            raise SignRefused("The code has expired. Ask for a new one.", "code_expired")
        if document.otp_attempts >= OTP_MAX_ATTEMPTS:
            raise SignRefused("Too many wrong codes. Ask for a new one.", "code_locked")
        wrong = not hmac.compare_digest(document.otp_hash, _otp_hash(document, code))
        if wrong:
            # Counted, then refused outside the block: raising inside would roll it back.
            document.otp_attempts += 1
            document.save(update_fields=["otp_attempts", "updated_at"])
        else:
            document.otp_verified_at, document.otp_hash = timezone.now(), ""
            document.save(update_fields=["otp_verified_at", "otp_hash", "updated_at"])
            audit(document, Action.CODE_CHECKED, meta)
    if wrong:
        raise SignRefused("That code is not right. Please check the text we sent.", "code_wrong")


def signature_image_clean(raw: bytes) -> bytes:
    """The drawn signature as a clean PNG (SignRefused when it is not a usable drawing)."""
    if not raw or len(raw) > MAX_SIGNATURE_BYTES:
        raise SignRefused("Please draw your signature again.", "drawing")
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise SignRefused("Please draw your signature again.", "drawing")
            width, height = image.size
            if not (10 <= width <= MAX_SIGNATURE_SIDE and 10 <= height <= MAX_SIGNATURE_SIDE):
                raise SignRefused("Please draw your signature again.", "drawing")
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise SignRefused("Please draw your signature again.", "drawing") from None
    alpha = rgba.getchannel("A")
    ink = alpha.point(lambda a: 255 if a > 40 else 0).getbbox()
    if ink is None:
        raise SignRefused("The signature pad is empty. Please draw your signature.", "empty")
    out = io.BytesIO()
    rgba.crop(ink).save(out, "PNG", optimize=True)
    return out.getvalue()


def document_sign(document: Document, *, content_sha256: str, signer_name: str,
                  method: str, agree: bool, meta: RequestMeta,
                  drawing: bytes | None = None) -> Document:
    """Take the customer's signature, or SignRefused. A repeat of a signature already taken
    answers with the signed document and changes nothing."""
    signer_name = " ".join((signer_name or "").split())[:120]
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related(
            "claim", "claim__location", "claim__customer").get(pk=document.pk)
        if document.status == Status.SIGNED:
            if document.content_sha256 == content_sha256:
                return document  # a double submit: signed once
            raise SignRefused("This document is already signed.", "signed")
        refusal = _refusal(document, content_sha256=content_sha256, signer_name=signer_name,
                           method=method, agree=agree)
        if refusal is not None:
            audit(document, Action.REFUSED, meta, reason=refusal.code)
            raise refusal
        png = signature_image_clean(drawing or b"") if method == Method.DRAWN else None
        if png is not None:
            folder = f"signatures/{document.claim.location_id}/{document.claim_id}"
            document.signature_image = default_storage.save(
                f"{folder}/{uuid.uuid4().hex}.png", ContentFile(png))
        document.status, document.signed_at = Status.SIGNED, timezone.now()
        document.signer_name, document.signature_method = signer_name, method
        document.signed_ip, document.signed_user_agent = meta.ip, meta.user_agent
        document.save()
        audit(document, Action.SIGNED, meta, method=method, signer_name=signer_name,
              content_sha256=document.content_sha256)
        document_event(document, "signed", actor_label=signer_name or "Customer",
               channel=Channel.PORTAL)
        job = SealJob.objects.create(document=document)
        durable.schedule(job)
    return document


def _refusal(document: Document, *, content_sha256: str, signer_name: str, method: str,
             agree: bool) -> SignRefused | None:
    if document.status == Status.VOID:
        return SignRefused("The shop withdrew this document, so it can no longer be signed. "
                           "If a new version was sent, it is on your repair page.", "void")
    if not hmac.compare_digest(str(content_sha256 or ""), document.content_sha256):
        return SignRefused("This document changed since you opened it. Please read the "
                           "current version before signing.", "changed")
    if consent_current(document.claim) is None:
        return SignRefused("Please agree to sign electronically first.", "consent")
    if not agree:
        return SignRefused("Please tick “I agree” to sign.", "agree")
    if method not in Method.values:
        return SignRefused("Draw your signature or type your name.", "method")
    if len(signer_name) < 2:
        return SignRefused("Please type your full name.", "name")
    if document.claim.location.esign_sms_code and document.otp_verified_at is None:
        return SignRefused("Enter the code we texted you first.", "code")
    return None
