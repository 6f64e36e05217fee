"""Telling the customer: notification rules, approved templates, and the texts they produce.

``notify`` is called explicitly by the service that caused the event (``claim_create``,
``claim_stage_set``; photos and documents through ``notify_photos`` / ``notify_document``),
inside that service's transaction. It writes the automated ``Message``, a staff-only
``notification`` event and hands the text to the outbox, which checks consent and quiet
hours and sends from the worker. Only a template an owner or manager approved is ever used;
otherwise nothing is sent and the timeline says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone, translation

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, ClaimEvent, EventType
from claimory.messaging.models import DeliveryState, Direction, Message, Status
from claimory.messaging.outbox import deliveries_queue, sms_text
from claimory.notifications import wording
from claimory.notifications.models import MessageTemplate, NotificationRule, TemplateKey, Trigger
from claimory.notifications.segments import segments
from claimory.notifications.selectors import (
    LANGUAGES,
    ready_stage,
    rule_enabled,
    template_get,
    trigger_rows,
)
from claimory.shops.models import Location, Stage
from claimory.shops.permissions import authorize

PHOTOS_EVERY = dt.timedelta(hours=2)
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
_ETA_FORMAT = {"en": "l, F j", "es": r"l j \d\e F"}
_NO_ETA = {"en": "to be confirmed", "es": "por confirmar"}


# ---- which trigger, which template ---------------------------------------------------------

def stage_trigger(claim: Claim, stage: Stage) -> str:
    """The trigger for the car entering ``stage``: ready for pickup, or ``stage:<slug>``."""
    ready = ready_stage(claim.location)
    if ready is not None and ready.pk == stage.pk:
        return Trigger.READY
    return Trigger.for_stage(stage.slug)


def template_key_for(claim: Claim, trigger: str) -> str:
    if trigger.startswith(Trigger.STAGE_PREFIX):
        if claim.stage.is_delivery:
            return TemplateKey.DELIVERED
        if trigger == Trigger.for_stage("supp_appr"):
            return TemplateKey.SUPP_APPROVED
        return TemplateKey.STAGE_CHANGED
    return {Trigger.RECEIVED: TemplateKey.RECEIVED, Trigger.READY: TemplateKey.READY,
            Trigger.PHOTOS: TemplateKey.PHOTOS, Trigger.DOCUMENT: TemplateKey.DOCUMENT,
            Trigger.SURVEY: TemplateKey.SURVEY}[trigger]


def template_values(claim: Claim, language: str, portal_link: str) -> dict[str, str]:
    customer, vehicle = claim.customer, claim.vehicle
    with translation.override(language):
        eta = dateformat.format(claim.eta, _ETA_FORMAT[language]) if claim.eta \
            else _NO_ETA[language]
    name = str(vehicle)
    return {
        "first_name": (customer.name.split() or [""])[0],
        "vehicle": name if name != "Vehicle" else ("vehículo" if language == "es" else "car"),
        "stage": claim.stage.display_name(language),
        "eta": eta,
        "portal_link": portal_link,
        "shop_name": claim.location.name,
    }


def _portal_link(claim: Claim) -> str | None:
    from claimory.printables.qr import portal_url  # claims.services imports this module

    return portal_url(claim)


# ---- notify ----------------------------------------------------------------------------------

def _channels(claim: Claim) -> list[str]:
    """The outside channels this customer can get a notification on (the portal shows every
    change anyway). SMS: a phone, consent at intake, and a texting number at the location;
    email: an address, consent, and a mailbox connected at the location (one that needs
    reconnecting still counts: the email is then "not sent", and staff see why). The outbox
    re-checks consent (a later STOP, an unsubscribe) when it sends."""
    from claimory.mail.models import Mailbox

    customer, location = claim.customer, claim.location
    channels = [Channel.SMS] if customer.phone and customer.sms_opt_in and location.sms_number \
        else []
    if customer.email and customer.email_opt_in \
            and Mailbox.objects.filter(location_id=location.pk).exists():
        channels.append(Channel.EMAIL)
    return channels


def _skipped(claim: Claim, trigger: str, template: str, reason: str, actor: Any,
             channels: list[str]) -> None:
    event_record(claim=claim, type=EventType.NOTIFICATION, actor=actor, channel=Channel.SYSTEM,
                 actor_label=claim.location.name,
                 data={"trigger": trigger, "template": template, "reason": reason,
                       "channels": channels})


def notify(claim: Claim, trigger: str, *, actor: Any = None) -> Message | None:
    """Text the customer about ``trigger`` if the location's rule says so, with the approved
    template in the customer's language. Returns the automated message, or None.

    Call inside the transaction of the change that caused it. Nothing is written when the
    rule is off or the customer has no outside channel; an unusable template (not approved,
    broken) or a revoked portal link writes a staff-only event saying why.
    """
    assert transaction.get_connection().in_atomic_block, "notify inside the caller's transaction"
    location = claim.location
    if not rule_enabled(location, trigger):
        return None
    channels = _channels(claim)
    if not channels:
        return None
    key = template_key_for(claim, trigger)
    language = claim.customer.language if claim.customer.language in LANGUAGES else "en"
    template = template_get(location, key, language) or template_get(location, key, "en")
    name = f"{key}/{template.language if template else language}"
    label = f"{LANGUAGE_NAMES.get(language, language)} “{TemplateKey(key).label}” template"
    if template is None:
        _skipped(claim, trigger, name, f"Not sent: this location has no {label} "
                 "(Settings → Notifications).", actor, channels)
        return None
    if not template.approved:
        _skipped(claim, trigger, name, f"Not sent: the {label} is not approved yet "
                 "(Settings → Notifications).", actor, channels)
        return None
    link = _portal_link(claim)
    if link is None:
        _skipped(claim, trigger, name, "Not sent: the customer's portal link is revoked.",
                 actor, channels)
        return None
    try:
        body = wording.render(template.body, template_values(claim, language, link))
    except ValidationError as exc:
        _skipped(claim, trigger, name, f"Not sent: the {label} is broken: "
                 f"{' '.join(exc.messages)}", actor, channels)
        return None
    return _send(claim, trigger, name, body, channels, actor)


def notify_text(claim: Claim, trigger: str, body: str, *, template: str = "",
                actor: Any = None, email_files: list[dict] | None = None) -> Message | None:
    """Send ``body`` (already worded, e.g. an appointment's news the customer asked for) on
    the customer's outside channels through the same outbox: consent, quiet hours and the
    timeline as for ``notify``. ``email_files``: small text files for the email copy."""
    assert transaction.get_connection().in_atomic_block, "notify inside the caller's transaction"
    channels = _channels(claim)
    if not channels:
        return None
    return _send(claim, trigger, template or trigger, body, channels, actor,
                 email_files=email_files)


def _send(claim: Claim, trigger: str, template: str, body: str, channels: list[str],
          actor: Any, *, automated: bool = True,
          email_files: list[dict] | None = None) -> Message:
    location = claim.location
    message = Message.objects.create(
        claim=claim, direction=Direction.OUTBOUND, channel=Channel.SMS, body=body,
        sender_label=location.name, status=Status.QUEUED, automated=True,
        email_files=email_files or [])
    # The text is staff-only on the timeline: the portal already shows the change itself.
    message.event = event_record(
        claim=claim, type=EventType.NOTIFICATION, actor=actor, channel=Channel.SYSTEM,
        actor_label=location.name,
        data={"message_id": message.pk, "trigger": trigger, "template": template,
              "body": body, "channels": channels})
    message.save(update_fields=["event", "updated_at"])
    # sms_text adds the opt-out line to the first text a number gets from this location.
    deliveries = deliveries_queue(message, sms_body=sms_text(claim, body, automated=True),
                                  automated=automated)
    refused = [d for d in deliveries if d.state == DeliveryState.NOT_SENT]
    if deliveries and len(refused) == len(deliveries):
        message.status, message.error = Status.FAILED, refused[0].error_detail
        message.save(update_fields=["status", "error", "updated_at"])
    return message


LINK_REQUEST = "link_request"


def portal_link_send(claim: Claim, *, text_for: Callable[[Claim, str], str]) -> Message | None:
    """Send the claim's portal link because the customer asked for it ("track your repair"
    on the public page): on the channels they agreed to, whatever the notification rules,
    and at once (an answer to a request is not held for quiet hours). ``text_for(claim,
    link)`` words it. Staff see the request on the timeline either way."""
    assert transaction.get_connection().in_atomic_block, "send inside the caller's transaction"
    channels = _channels(claim)
    link = _portal_link(claim)
    if link is None or not channels:
        why = "the portal link is revoked" if link is None else \
            "the customer has not agreed to texts or emails"
        _skipped(claim, LINK_REQUEST, LINK_REQUEST, f"The customer asked for their link on "
                 f"the shop's public page; not sent: {why}.", None, channels)
        return None
    return _send(claim, LINK_REQUEST, LINK_REQUEST, text_for(claim, link), channels, None,
                 automated=False)


def notify_photos(claim: Claim, count: int, *, actor: Any = None) -> Message | None:
    """New photos on the claim: one text per claim at most every two hours, so a burst of
    bay photos (or several bursts in a morning) is one text. ``count`` is how many arrived."""
    if count <= 0:
        return None
    since = timezone.now() - PHOTOS_EVERY
    recent = ClaimEvent.objects.filter(
        claim=claim, type=EventType.NOTIFICATION, data__trigger=Trigger.PHOTOS,
        data__has_key="message_id", created_at__gte=since).exists()
    if recent:
        return None
    return notify(claim, Trigger.PHOTOS, actor=actor)


def notify_document(claim: Claim, title: str, *, actor: Any = None) -> Message | None:
    """A document (``title``) waits for the customer's signature on the portal."""
    return notify(claim, Trigger.DOCUMENT, actor=actor)


# ---- settings --------------------------------------------------------------------------------

def templates_seed(location: Location) -> None:
    """Give the location every default template it lacks, as drafts (not approved)."""
    MessageTemplate.objects.bulk_create(
        [MessageTemplate(location=location, key=key, language=language,
                         body=wording.default_body(key, language))
         for key in TemplateKey.values for language in LANGUAGES],
        ignore_conflicts=True)


@transaction.atomic
def template_save(*, template: MessageTemplate, body: str, actor: Any = None,
                  approve: bool = False) -> MessageTemplate:
    """Change a template's text. A changed text is a draft again until approved."""
    authorize(actor, "notifications.manage", template.location)
    body = body.replace("\r\n", "\n").strip()
    wording.template_check(body)
    if body != template.body:
        template.body = body
        template.approved_at = None
        template.approved_by = None
        template.save(update_fields=["body", "approved_at", "approved_by", "updated_at"])
    if approve:
        template_approve(template=template, actor=actor)
    return template


@transaction.atomic
def template_approve(*, template: MessageTemplate, actor: Any = None) -> MessageTemplate:
    """An owner or manager approves the text: automated notifications may now use it."""
    authorize(actor, "notifications.manage", template.location)
    wording.template_check(template.body)
    if template.approved:
        return template
    template.approved_at = timezone.now()
    template.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    template.save(update_fields=["approved_at", "approved_by", "updated_at"])
    return template


@transaction.atomic
def templates_approve_all(*, location: Location, actor: Any = None) -> int:
    """Approve every draft of the location (the demo, and a shop happy with the defaults)."""
    authorize(actor, "notifications.manage", location)
    templates_seed(location)
    count = 0
    for template in MessageTemplate.objects.filter(location=location, approved_at=None):
        template_approve(template=template, actor=actor)
        count += 1
    return count


@transaction.atomic
def rules_set(*, location: Location, enabled: dict[str, bool], actor: Any = None) -> None:
    """Turn triggers on or off; unknown triggers are refused."""
    authorize(actor, "notifications.manage", location)
    known = {row.trigger for row in trigger_rows(location)}
    unknown = set(enabled) - known
    if unknown:
        raise ValidationError({"__all__": [f"Unknown trigger(s): {', '.join(sorted(unknown))}."]})
    for trigger, on in enabled.items():
        NotificationRule.objects.update_or_create(location=location, trigger=trigger,
                                                  defaults={"enabled": bool(on)})


@transaction.atomic
def quiet_hours_set(*, location: Location, start: dt.time, end: dt.time,
                    actor: Any = None) -> Location:
    """Automated texts wait from ``start`` to ``end`` (local time; equal times: no quiet
    hours). Staff replies are never held."""
    authorize(actor, "notifications.manage", location)
    location.sms_quiet_start = start.replace(second=0, microsecond=0)
    location.sms_quiet_end = end.replace(second=0, microsecond=0)
    location.save(update_fields=["sms_quiet_start", "sms_quiet_end", "updated_at"])
    return location


# ---- preview ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Preview:
    text: str
    error: str
    encoding: str
    chars: int
    segments: int
    sample: str  # what the sample values came from


def template_preview(*, location: Location, body: str, language: str) -> Preview:
    """The text as the newest claim of the location would get it (or a made-up one)."""
    claim = (Claim.objects.filter(location=location)
             .select_related("customer", "vehicle", "stage", "location")
             .order_by("-created_at").first())
    if claim is not None:
        values = template_values(claim, language, _portal_link(claim) or "")
        sample = f"Sample: {claim.customer.name}'s {claim.vehicle}"
    else:
        values = {"first_name": "Maria", "vehicle": "2019 Honda Accord",
                  "stage": "Repairs started" if language == "en" else "Reparación iniciada",
                  "eta": "Friday, March 6" if language == "en" else "viernes 6 de marzo",
                  "portal_link": "https://example.com/c/AbCdEfGhIjKlMnOpQrStUv",
                  "shop_name": location.name}
        sample = "Sample: a made-up customer (the location has no claims yet)"
    try:
        text = wording.render(body, values)
    except ValidationError as exc:
        return Preview("", " ".join(exc.messages), "GSM-7", 0, 0, sample)
    encoding, chars, count = segments(text)
    return Preview(text, "", encoding, chars, count, sample)
