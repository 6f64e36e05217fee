"""Inbound texts: from a provider's ``message.received`` payload to the right claim.

Called by the worker (sms/events.py ``event_process``) for Telnyx webhooks and the
simulator alike. The order of things:

1. Validate the payload; anything odd is an outcome string, never an exception, so a bad
   event is recorded once and not retried.
2. The location is the one whose ``sms_number`` the text was sent to; a message id seen
   before changes nothing.
3. Keywords first — STOP and plain-language opt-outs, START, HELP (sms/keywords.py) —
   answered before any threading.
4. Threading: exactly one open claim of that number at the location takes the text
   (``message_receive``, like a portal message); several or none → the unmatched queue,
   where staff attach it (``unmatched_attach``: the same path, the same effects).
5. MMS images are downloaded at once (the URLs are short-lived) and become the claim's
   photos, or wait with the unmatched text until it is attached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core.phones import normalize_phone
from claimory.messaging.models import Message
from claimory.messaging.services import MAX_BODY, clean_body, message_receive
from claimory.photos.models import Source
from claimory.photos.services import StoredImage, claim_folder, photo_record
from claimory.shops.models import Location
from claimory.shops.permissions import authorize
from claimory.sms.events import timestamp_parse
from claimory.sms.keywords import keyword_answer
from claimory.sms.mms import media_fetch, media_items
from claimory.sms.models import UnmatchedText
from claimory.sms.opt_out_words import Intent, classify
from claimory.sms.selectors import latest_claim_for_number, open_claims_for_number

SYSTEM_LABEL = "Texting"


@dataclass(frozen=True)
class Inbound:
    provider_id: str
    from_number: str  # E.164
    to_number: str  # E.164
    text: str
    media_urls: list[str]
    received_at: dt.datetime


def _number(value: Any) -> str:
    """E.164 from a Telnyx ``{"phone_number": …}`` object (or a bare string), else ""."""
    raw = value.get("phone_number") if isinstance(value, dict) else value
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        return ""
    try:
        return normalize_phone(raw, "US")
    except ValidationError:
        return ""


def inbound_parse(payload: Any) -> Inbound | str:
    """The payload's fields, checked and normalised; or the reason it is unusable."""
    if not isinstance(payload, dict):
        return "bad payload: not an object"
    provider_id = payload.get("id")
    if not isinstance(provider_id, str) or not provider_id.strip() or len(provider_id) > 120:
        return "bad payload: no message id"
    from_number = _number(payload.get("from"))
    if not from_number:
        return "bad payload: no valid sender number"
    recipients = payload.get("to")
    recipients = recipients if isinstance(recipients, list) else [recipients]
    to_number = next((n for n in (_number(r) for r in recipients[:10]) if n), "")
    if not to_number:
        return "bad payload: no valid recipient number"
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        return "bad payload: text is not a string"
    received_at = timestamp_parse(payload.get("received_at")) or timezone.now()
    return Inbound(provider_id=provider_id.strip(), from_number=from_number,
                   to_number=to_number, text=(text or "").strip()[:MAX_BODY],
                   media_urls=media_items(payload), received_at=received_at)


def _seen(provider_id: str) -> bool:
    return (Message.objects.filter(provider_id=provider_id).exists()
            or UnmatchedText.objects.filter(provider_message_id=provider_id).exists())


def _visible(text: str) -> str:
    try:
        return clean_body(text)
    except ValidationError:
        return ""


def inbound_receive(payload: dict[str, Any], provider: str = "telnyx") -> str:
    """File one inbound text (see the module docstring). Returns the outcome for the
    provider event's record."""
    parsed = inbound_parse(payload)
    if isinstance(parsed, str):
        return parsed
    locations = list(Location.objects.filter(sms_number=parsed.to_number)[:2])
    if not locations:
        return "no location"
    if len(locations) > 1:
        return "several locations have this number: not filed"
    location = locations[0]
    if _seen(parsed.provider_id):
        return "duplicate message: already filed"
    text = _visible(parsed.text)
    if not text and not parsed.media_urls:
        return "empty text: nothing to file"
    candidates = open_claims_for_number(location, parsed.from_number)
    reading = classify(text)
    if reading.intent in (Intent.OPT_OUT, Intent.OPT_IN, Intent.HELP):
        host = candidates[0] if candidates else latest_claim_for_number(location,
                                                                        parsed.from_number)
        with transaction.atomic():
            if _seen(parsed.provider_id):
                return "duplicate message: already filed"
            if host is not None:
                message_receive(claim=host, body=text, channel=Channel.SMS,
                                provider_id=parsed.provider_id, needs_answer=False)
            return keyword_answer(location=location, phone=parsed.from_number, text=text,
                                  reading=reading, host=host)
    if len(candidates) == 1:
        claim = candidates[0]
        media = media_fetch(parsed.media_urls, folder=claim_folder(claim))
        with transaction.atomic():
            if _seen(parsed.provider_id):
                return "duplicate message: already filed"
            text_file(claim=claim, text=text, provider_id=parsed.provider_id,
                      stored=media.stored, problems=media.problems)
        return f"filed on claim {claim.pk}" + _media_note(media.stored, media.problems)
    media = media_fetch(parsed.media_urls, folder=f"unmatched/{location.pk}")
    with transaction.atomic():
        if _seen(parsed.provider_id):
            return "duplicate message: already filed"
        row = UnmatchedText.objects.create(
            location=location, from_number=parsed.from_number, to_number=parsed.to_number,
            body=text, media=[s.as_json() for s in media.stored],
            provider_message_id=parsed.provider_id,
            candidates=[c.pk for c in candidates], received_at=parsed.received_at)
    return (f"unmatched {row.pk} ({len(candidates)} open claims)"
            + _media_note(media.stored, media.problems))


def _media_note(stored: list[StoredImage], problems: list[str]) -> str:
    if not stored and not problems:
        return ""
    return f"; {len(stored)} photo(s) kept, {len(problems)} not"


def _photos_body(count: int) -> str:
    return "[Photo]" if count == 1 else f"[{count} photos]"


def text_file(*, claim: Claim, text: str, provider_id: str, stored: list[StoredImage],
              problems: list[str], actor: Any = None) -> Message:
    """Put one inbound text (and its photos) on the claim: the customer's message, a photo
    event per image, and staff-only notes for media not kept or a possible opt-out."""
    assert transaction.get_connection().in_atomic_block, "file texts inside a transaction"
    body = text or _photos_body(len(stored) or len(problems))
    message = message_receive(claim=claim, body=body, channel=Channel.SMS,
                              provider_id=provider_id)
    for image in stored:
        photo_record(claim=claim, stored=image, source=Source.MMS,
                     actor_label=claim.customer.name, channel=Channel.SMS, message=message)
    notes = list(problems)
    if classify(text).intent == Intent.MAYBE_OPT_OUT:
        notes.append("This text may be asking the shop to stop texting. If it is, turn texts "
                     "off (Edit → Customer → Texts); nothing has been changed.")
    for note in notes:
        event_record(claim=claim, type=EventType.NOTE, channel=Channel.SMS, actor=actor,
                     actor_label=SYSTEM_LABEL, data={"body": note})
    return message


@transaction.atomic
def unmatched_attach(*, unmatched: UnmatchedText, claim: Claim, actor: Any) -> Message:
    """Staff picked the claim an unmatched text belongs to: it is filed there exactly as if
    it had matched (message, photos, notes), and the queue row is marked attached."""
    authorize(actor, "inbox.triage", claim.location)
    row = UnmatchedText.objects.select_for_update().get(pk=unmatched.pk)
    if row.attached_at is not None:
        raise ValidationError({"claim": ["This text was already attached to a claim."]})
    if row.dismissed_at is not None:
        raise ValidationError({"claim": ["This text was set aside; it can't be filed now."]})
    if claim.location_id != row.location_id:
        raise ValidationError({"claim": ["Pick a claim at the location the text was sent to."]})
    message = text_file(claim=claim, text=row.body, provider_id=row.provider_message_id,
                        stored=[StoredImage.from_json(m) for m in row.media], problems=[],
                        actor=actor)
    row.attached_claim = claim
    row.attached_by = actor if getattr(actor, "is_authenticated", False) else None
    row.attached_at = timezone.now()
    row.save(update_fields=["attached_claim", "attached_by", "attached_at", "updated_at"])
    unmatched.attached_claim, unmatched.attached_at = claim, row.attached_at
    return message


@transaction.atomic
def unmatched_dismiss(*, unmatched: UnmatchedText, actor: Any) -> None:
    """Set an unmatched text aside without filing it (spam, a wrong number). The row is kept
    (it is the record that the text arrived); it just leaves the inbox."""
    authorize(actor, "inbox.triage", unmatched.location)
    row = UnmatchedText.objects.select_for_update().get(pk=unmatched.pk)
    if row.attached_at is not None or row.dismissed_at is not None:
        return
    row.dismissed_by = actor if getattr(actor, "is_authenticated", False) else None
    row.dismissed_at = timezone.now()
    row.save(update_fields=["dismissed_by", "dismissed_at", "updated_at"])
    unmatched.dismissed_at = row.dismissed_at
