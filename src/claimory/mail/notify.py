"""The customer's email channel: a portal message (a notification, a staff reply) sent as an
email from the shop's own mailbox, in the customer's language, with a working unsubscribe.

``deliveries_queue`` (messaging/outbox.py) writes the EMAIL ``Delivery`` when the customer
opted in; ``email_send`` runs in the worker for it. It asks again whether the customer may
be emailed (they may have unsubscribed meanwhile), writes the ``MailMessage`` once — keyed by
the portal message, so a retry re-sends the very same Message-ID and never stores a second
copy — and hands the multipart message to the mailbox's SMTP server (mail/transport.py).
A customer's reply carries our Message-ID in In-Reply-To and files onto the claim
(mail/matching.py).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from claimory.claims.models import Claim
from claimory.core import durable
from claimory.core.origin import base_url
from claimory.core.phones import display_phone
from claimory.mail.credentials import ReconnectNeeded
from claimory.mail.mailboxes import mailbox_needs_reconnect, mailbox_usable
from claimory.mail.models import (
    Mailbox,
    MailboxState,
    MailDirection,
    MailMessage,
    MailStatus,
    Source,
)
from claimory.mail.outgoing import (
    UnsendableMail,
    build_mime,
    envelope_recipients,
    mint_message_id,
    subject_with_tag,
    thread_headers,
)
from claimory.mail.unsubscribe import may_email, unsubscribe_url
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.outbox import delivery_event
from claimory.portal.brand import DEFAULT_BRAND, brand_palette
from claimory.portal.shop import logo_url

log = logging.getLogger(__name__)

LANGUAGES = ("en", "es")
_SMTP_TEMPORARY = range(400, 500)


# ---- who sends ---------------------------------------------------------------------------

def mailbox_problem(mailbox: Mailbox | None) -> str:
    """Why the location cannot send email now, for staff ("" when it can)."""
    if mailbox is None:
        return "This location has no connected mailbox yet (Settings → Email)."
    if mailbox.state == MailboxState.RECONNECT:
        why = f": {mailbox.state_reason}" if mailbox.state_reason else "."
        return f"The shop's mailbox needs reconnecting (Settings → Email){why}"
    if not mailbox_usable(mailbox):
        return "The shop's mailbox is disconnected (Settings → Email)."
    return ""


def email_sender(location_id: int) -> tuple[str, str]:
    """(the address customer email goes out from, why it cannot go out — "" when it can)."""
    mailbox = Mailbox.objects.filter(location_id=location_id).first()
    return (mailbox.address if mailbox else ""), mailbox_problem(mailbox)


# ---- what the customer gets --------------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str


def _language(claim: Claim) -> str:
    return claim.customer.language if claim.customer.language in LANGUAGES else "en"


def _vehicle(claim: Claim) -> str:
    name = str(claim.vehicle)
    return name if name != "Vehicle" else _("car")


def _portal_link(claim: Claim) -> str | None:
    from claimory.printables.qr import portal_url  # claims.services imports printables

    return portal_url(claim)


def _brand(claim: Claim) -> dict[str, str]:
    """Brand colours for the email (the shop's when its plan has branding), each readable on
    what it sits on (portal/brand.py keeps AA contrast)."""
    location = claim.location
    colour = location.brand_color if location.workspace.has_branding else DEFAULT_BRAND
    palette = brand_palette(colour)
    logo = logo_url(location) if location.workspace.has_branding else ""
    return {"fill": palette["--brand"], "on_fill": palette["--on-brand"],
            "text": palette["--brand-text"], "soft": palette["--brand-soft"],
            # Absolute: mail apps fetch it from the shop's public page (no tracking added).
            "logo": base_url().rstrip("/") + logo if logo else ""}


def email_render(delivery: Delivery) -> Rendered:
    """Subject, text part and HTML part of ``delivery`` in its customer's language."""
    claim = delivery.claim
    location = claim.location
    language = _language(claim)
    body = delivery.message.body.strip()
    link = _portal_link(claim)
    unsubscribe = unsubscribe_url(claim.customer)
    phone = display_phone(location.phone)
    with translation.override(language):
        subject = _("%(shop)s: your %(vehicle)s repair") % {
            "shop": location.name, "vehicle": _vehicle(claim)}
        heading = _("Your %(vehicle)s repair") % {"vehicle": _vehicle(claim)}
        context = {
            "language": language, "subject": subject, "heading": heading, "body": body,
            "shop": location.name,
            # The link is already in a notification's own words; a staff reply gets it here.
            "portal_link": link if link and link not in body else "",
            "portal_button": link or "",
            "phone": phone, "phone_e164": location.phone,
            "address": location.address_one_line,
            "unsubscribe_url": unsubscribe, "brand": _brand(claim),
        }
        lines = [body, ""]
        if context["portal_link"]:
            lines += [_("Follow your repair: %(link)s") % {"link": link}, ""]
        lines += [_("You can answer by replying to this email."), "",
                  "-- ", " · ".join(p for p in (location.name, phone,
                                               location.address_one_line) if p),
                  _("You get these emails because you asked %(shop)s for updates by email.")
                  % {"shop": location.name},
                  _("Stop these emails: %(link)s") % {"link": unsubscribe}]
        html = render_to_string("mail/notification.html", context)
    return Rendered(subject=subject_with_tag(subject, claim), text="\n".join(lines),
                    html=html, language=language)


def _headers(delivery: Delivery) -> dict[str, str]:
    headers = {
        # RFC 2369 / RFC 8058: the mail app's own "Unsubscribe" button POSTs to our link.
        "List-Unsubscribe": f"<{unsubscribe_url(delivery.claim.customer)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if delivery.automated:
        # RFC 3834: out-of-office robots should not answer a notification.
        headers["Auto-Submitted"] = "auto-generated"
    return headers


def _thread_parent(claim: Claim) -> MailMessage | None:
    """What the next email to the customer answers, so their mail app shows one thread:
    our latest email to them, or their latest email to us on this claim."""
    customer_address = claim.customer.email.strip().lower()
    ours = MailMessage.objects.filter(claim=claim, source=Source.NOTIFICATION,
                                      direction=MailDirection.OUTBOUND)
    theirs = MailMessage.objects.filter(claim=claim, direction=MailDirection.INBOUND,
                                        from_address__iexact=customer_address)
    return (ours | theirs).order_by("-created_at", "-pk").first()


def _mail_for(delivery: Delivery, mailbox: Mailbox) -> MailMessage:
    """The delivery's stored email: written on the first attempt, found on every retry."""
    existing = MailMessage.objects.filter(portal_message=delivery.message).first()
    if existing is not None:
        return existing
    claim = delivery.claim
    rendered = email_render(delivery)
    in_reply_to, references = thread_headers(_thread_parent(claim))
    try:
        with transaction.atomic():
            return MailMessage.objects.create(
                location=delivery.location, mailbox=mailbox, claim=claim,
                portal_message=delivery.message, direction=MailDirection.OUTBOUND,
                status=MailStatus.QUEUED, source=Source.NOTIFICATION,
                message_id=mint_message_id(mailbox), in_reply_to=in_reply_to,
                references=references, subject=rendered.subject,
                from_address=mailbox.address,
                from_name=mailbox.display_name or delivery.location.name,
                to=[[claim.customer.name, delivery.to]], body_text=rendered.text,
                body_html=rendered.html)
    except IntegrityError:  # another attempt wrote it a moment ago
        return MailMessage.objects.get(portal_message=delivery.message)


# ---- sending -------------------------------------------------------------------------------

def _stop(delivery: Delivery, state: str, reason: str, mail: MailMessage | None = None) -> None:
    with transaction.atomic():
        if mail is not None and mail.status != MailStatus.SENT:
            MailMessage.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED,
                                                          updated_at=timezone.now())
        durable.finish(delivery, state, error_detail=reason[:300], finished_at=timezone.now())
        delivery_event(delivery, state, reason)


def _sent(delivery: Delivery, mail: MailMessage) -> None:
    now = timezone.now()
    with transaction.atomic():
        MailMessage.objects.filter(pk=mail.pk).update(status=MailStatus.SENT,
                                                      sent_at=mail.sent_at or now,
                                                      updated_at=now)
        durable.finish(delivery, DeliveryState.SENT, provider_id=mail.message_id[:120],
                       sent_at=now, last_error="")
        delivery_event(delivery, DeliveryState.SENT)


def _retryable(exc: Exception) -> bool | None:
    """True/False when we know whether trying again can help; None for an error that is not
    the mail server's answer (a bug: the durable path retries and logs it)."""
    flag = getattr(exc, "retryable", None)
    if flag is not None:
        return bool(flag)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code in _SMTP_TEMPORARY
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code in _SMTP_TEMPORARY for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPException | OSError):
        return True  # connection dropped, server away: later may work
    return None


def _server_text(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__


def email_send(delivery: Delivery) -> None:
    """Send one claimed EMAIL delivery (state ``sending``, lease held). Safe to run again:
    the stored message and its Message-ID are reused, and a message already sent is not
    sent twice."""
    claim = delivery.claim
    existing = MailMessage.objects.filter(portal_message=delivery.message).first()
    if existing is not None and existing.status == MailStatus.SENT:
        _sent(delivery, existing)  # sent, then the worker died before recording it
        return
    allowed, reason = may_email(claim, delivery.to)
    if not allowed:
        _stop(delivery, DeliveryState.NOT_SENT, reason, existing)
        return
    mailbox = Mailbox.objects.filter(location_id=delivery.location_id).first()
    problem = mailbox_problem(mailbox)
    if problem:
        _stop(delivery, DeliveryState.NOT_SENT, problem, existing)
        return
    assert mailbox is not None
    mail = _mail_for(delivery, mailbox)
    try:
        message = build_mime(mail, html=mail.body_html, headers=_headers(delivery))
    except UnsendableMail as exc:  # bad data: no retry can help
        _stop(delivery, DeliveryState.FAILED, str(exc), mail)
        return
    for item in delivery.message.email_files or []:  # an appointment's .ics, for one
        maintype, _slash, subtype = item["type"].partition("/")
        params = {"method": item["method"]} if item.get("method") else {}
        message.add_attachment(item["text"].encode(), maintype=maintype, subtype=subtype,
                               filename=item["name"], params=params)
    # After the parts are in: setting the body clears Content-* headers.
    message["Content-Language"] = _language(claim)
    from claimory.mail.transport import smtp_send  # the SMTP seam (XOAUTH2 or password)

    try:
        smtp_send(mailbox, message, envelope_recipients(mail))
    except ReconnectNeeded as exc:
        mailbox_needs_reconnect(mailbox, str(exc))
        _stop(delivery, DeliveryState.NOT_SENT,
              f"The shop's mailbox refused our login: reconnect the mailbox (Settings → "
              f"Email). {exc}", mail)
        return
    except Exception as exc:
        retryable = _retryable(exc)
        if retryable is None:
            raise
        if retryable:
            log.warning("delivery %s: mail server said try later: %s", delivery.pk, exc)
            durable.retry(delivery, _server_text(exc))
            return
        _stop(delivery, DeliveryState.FAILED, _server_text(exc), mail)
        return
    _sent(delivery, mail)


def email_given_up(delivery: Delivery) -> None:
    """The delivery failed for good: its stored email is not "queued" any more."""
    MailMessage.objects.filter(portal_message=delivery.message).exclude(
        status=MailStatus.SENT).update(status=MailStatus.FAILED, updated_at=timezone.now())
