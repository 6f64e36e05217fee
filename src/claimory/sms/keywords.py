"""Answering the texting program's keywords: STOP (and plain-language opt-outs), START and
HELP. Each changes consent through the ledger (sms/consent.py) and gets one reply, sent
through the outbox as a SYSTEM message (the only kind the outbox sends without consent).

The replies are compliance texts, kept here whole per language rather than in the
translation catalogue, so each can be read (and approved) as the customer will see it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core.phones import display_phone
from claimory.messaging.models import Delivery, Direction, Message, Status
from claimory.messaging.outbox import deliveries_queue
from claimory.shops.models import Location
from claimory.sms.consent import consent_latest, consent_lock, consent_record
from claimory.sms.models import Consent, ConsentMethod
from claimory.sms.opt_out_words import Intent, Reading

REPLIES = {
    "en": {
        "out": "{shop}: You're unsubscribed and will get no more texts. "
               "Reply START to resubscribe.",
        "in": "{shop}: You're subscribed again to texts about your repair. "
              "Reply STOP to opt out, HELP for help.",
        "help": "{shop}: texts about your repair.{call} Reply STOP to opt out.",
        "call": " Call us at {phone}.",
    },
    "es": {
        "out": "{shop}: Se canceló su suscripción y no recibirá más mensajes. "
               "Responda START para volver a suscribirse.",
        "in": "{shop}: Volvió a suscribirse a los mensajes sobre su reparación. "
              "Responda STOP para cancelar, HELP para ayuda.",
        "help": "{shop}: mensajes sobre su reparación.{call} Responda STOP para cancelar.",
        "call": " Llámenos al {phone}.",
    },
}


HELP_ANSWERS_PER_HOUR = 3


def _help_answers_lately(location: Location, phone: str) -> int:
    """HELP answers texted to ``phone`` from this location in the last hour."""
    since = timezone.now() - dt.timedelta(hours=1)
    helps = [reply_text("help", location, language) for language in REPLIES]
    return Delivery.objects.filter(location=location, to=phone, created_at__gte=since,
                                   message__channel=Channel.SYSTEM, body__in=helps).count()


def reply_text(kind: str, location: Location, language: str) -> str:
    words = REPLIES.get(language) or REPLIES["en"]
    call = words["call"].format(phone=display_phone(location.phone)) if location.phone else ""
    return words[kind].format(shop=location.name, call=call)


def system_reply(claim: Claim, body: str) -> Message:
    """Record the system's answer on the claim's thread and queue it past consent (a STOP's
    confirmation must reach a number that has just opted out)."""
    message = Message.objects.create(
        claim=claim, direction=Direction.OUTBOUND, channel=Channel.SYSTEM, body=body,
        sender_label=claim.location.name, status=Status.SENT, automated=True)
    message.event = event_record(
        claim=claim, type=EventType.MESSAGE, channel=Channel.SYSTEM, customer_visible=True,
        actor_label=claim.location.name,
        data={"message_id": message.pk, "body": body, "direction": "out",
              "sender": claim.location.name})
    message.save(update_fields=["event", "updated_at"])
    deliveries_queue(message, sms_body=body, force=True)
    return message


@transaction.atomic
def keyword_answer(*, location: Location, phone: str, text: str, reading: Reading,
                   host: Claim | None) -> str:
    """Apply an opt-out, opt-in or help request from ``phone`` at ``location``; ``host`` is
    the claim whose thread records the answer (None: the number has no claim here, so
    consent is recorded but nothing can be sent). Returns the outcome."""
    language = reading.language or (host.customer.language if host else "en")
    label = host.customer.name if host else phone
    if reading.intent == Intent.HELP:
        if host is None:
            return "help: no claim for this number"
        if _help_answers_lately(location, phone) >= HELP_ANSWERS_PER_HOUR:
            # Each answer is a text the shop pays for; one number cannot make it send more.
            return "help: already answered this hour"
        system_reply(host, reply_text("help", location, language))
        return f"help answered on claim {host.pk}"
    consent_lock(location)  # the caller's transaction holds it until the answer is queued
    latest = consent_latest(location, phone)
    status = Consent.OPTED_OUT if reading.intent == Intent.OPT_OUT else Consent.OPTED_IN
    if latest is not None and latest.status == status:
        # A second STOP (or START): already done, and answered once.
        return f"already opted {status}"
    consent_record(location=location, phone=phone, status=status,
                   method=ConsentMethod.KEYWORD if reading.keyword else ConsentMethod.REPLY,
                   evidence=text.strip(), actor_label=label, claim=host)
    if host is None:
        return f"opted {status}: no claim to answer from"
    system_reply(host, reply_text(status, location, language))
    return f"opted {status}, answered on claim {host.pk}"
