"""The outbox: a message's copies on outside channels, and the worker that sends them.

``deliveries_queue`` is called by the services that write a message (a staff reply, a
notification, a keyword confirmation) inside their transaction; it writes one ``Delivery``
per channel the customer opted into (SMS, email) and schedules it (core/durable.py).
``delivery_send`` runs in ``claimory worker``: for a text it asks again whether the customer
may be texted (they may have opted out meanwhile), holds automated texts through quiet
hours, and hands the text to the provider with the delivery's idempotency key; an email goes
to mail/notify.py, which asks the same of email consent and sends from the shop's mailbox.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core import durable
from claimory.core.origin import base_url
from claimory.messaging.models import Delivery, DeliveryState, Message
from claimory.sms.consent import consent_record, may_text
from claimory.sms.models import Consent, ConsentMethod
from claimory.sms.providers import OutgoingText, SendError, simulated, sms_provider
from claimory.sms.quiet_hours import quiet_until

log = logging.getLogger(__name__)

OPT_OUT_FOOTER = "Reply STOP to opt out."
# In the customer's language, worded like the keyword replies (sms/keywords.py).
OPT_OUT_FOOTERS = {"en": OPT_OUT_FOOTER, "es": "Responda STOP para cancelar."}


def delivery_event(delivery: Delivery, state: str, reason: str = "", *,
                   until: dt.datetime | None = None) -> None:
    """The staff-only timeline line for a delivery moving (sent, delivered, failed…)."""
    data = {"message_id": delivery.message_id, "delivery_id": delivery.pk,
            "channel": delivery.channel, "state": state, "reason": reason[:300]}
    if until is not None:
        data["until"] = until.isoformat()
    event_record(claim=delivery.claim, type=EventType.DELIVERY, channel=delivery.channel,
                 actor_label=delivery.location.name, data=data)


def _first_text_to(location_id: int, phone: str) -> bool:
    return not Delivery.objects.filter(location_id=location_id, to=phone,
                                       channel=Channel.SMS).exists()


def sms_text(claim: Claim, body: str, *, automated: bool) -> str:
    """What the phone shows: the shop's name first (the number alone says nothing), and on
    the first text to a number, how to opt out."""
    text = body if automated else f"{claim.location.name}: {body}"
    if _first_text_to(claim.location_id, claim.customer.phone):
        footer = OPT_OUT_FOOTERS.get(claim.customer.language, OPT_OUT_FOOTER)
        text = f"{text}\n{footer}"
    return text


def deliveries_queue(message: Message, *, sms_body: str | None = None,
                     automated: bool = False, force: bool = False,
                     email: bool = True) -> list[Delivery]:
    """Queue ``message`` on every outside channel its customer opted into (SMS, email). Call
    inside the transaction that wrote the message.

    ``force`` skips the consent check, for the one confirmation text a STOP gets (texts
    only: it answers a text). ``email=False`` for what only makes sense as a text (a signing
    code sent to the phone on file).
    """
    assert transaction.get_connection().in_atomic_block, "queue inside the message's transaction"
    claim = message.claim
    customer = claim.customer
    deliveries: list[Delivery] = []
    if customer.phone and (customer.sms_opt_in or force):
        allowed, reason = (True, "") if force else may_text(claim)
        if not claim.location.sms_number:
            allowed, reason = False, "This location has no texting number yet (Settings → Texting)."
        delivery = Delivery.objects.create(
            message=message, claim=claim, location=claim.location, channel=Channel.SMS,
            to=customer.phone, sender=claim.location.sms_number,
            body=sms_body if sms_body is not None else sms_text(claim, message.body,
                                                                 automated=automated),
            automated=automated)
        deliveries.append(delivery)
        if not allowed:
            durable.finish(delivery, DeliveryState.NOT_SENT, error_detail=reason[:300],
                           finished_at=timezone.now())
            delivery_event(delivery, DeliveryState.NOT_SENT, reason)
        else:
            hold = quiet_until(claim.location) if automated else None
            durable.schedule(delivery, at=hold)
            if hold is not None:
                delivery_event(delivery, "held", "Quiet hours", until=hold)
    if email and not force and customer.email and customer.email_opt_in:
        deliveries.append(_email_queue(message, automated=automated))
    return deliveries


def _email_queue(message: Message, *, automated: bool) -> Delivery:
    """The message's email copy, from the location's connected mailbox (mail/notify.py)."""
    from claimory.mail.notify import email_sender
    from claimory.mail.unsubscribe import may_email

    claim = message.claim
    allowed, reason = may_email(claim)
    sender, problem = email_sender(claim.location_id)
    if allowed and problem:
        allowed, reason = False, problem
    delivery = Delivery.objects.create(
        message=message, claim=claim, location=claim.location, channel=Channel.EMAIL,
        to=claim.customer.email, sender=sender, body=message.body, automated=automated)
    if not allowed:
        durable.finish(delivery, DeliveryState.NOT_SENT, error_detail=reason[:300],
                       finished_at=timezone.now())
        delivery_event(delivery, DeliveryState.NOT_SENT, reason)
    else:
        durable.schedule(delivery)  # email keeps no quiet hours
    return delivery


def _webhook_url() -> str:
    return f"{base_url()}/webhooks/telnyx"


@durable.handler(Delivery)
def delivery_send(delivery: Delivery) -> None:
    """Send one claimed delivery (state ``sending``, lease held). Safe to run again: the
    provider gets the same idempotency key every time."""
    claim = delivery.claim
    if delivery.channel == Channel.EMAIL:
        from claimory.mail.notify import email_send

        email_send(delivery)
        return
    if delivery.channel != Channel.SMS:
        raise ValueError(f"no sender for channel {delivery.channel}")
    forced = delivery.message.channel == Channel.SYSTEM  # the STOP confirmation
    allowed, reason = (True, "") if forced else may_text(claim)
    if not allowed:
        with transaction.atomic():
            durable.finish(delivery, DeliveryState.NOT_SENT, error_detail=reason[:300],
                           finished_at=timezone.now())
            delivery_event(delivery, DeliveryState.NOT_SENT, reason)
        return
    hold = quiet_until(delivery.location) if delivery.automated else None
    if hold is not None:
        with transaction.atomic():
            durable.finish(delivery, DeliveryState.QUEUED)
            durable.schedule(delivery, at=hold)
        return
    outgoing = OutgoingText(
        sender=delivery.sender, to=delivery.to, text=delivery.body,
        idempotency_key=str(delivery.idempotency_key),
        messaging_profile_id=delivery.location.messaging_profile_id,
        media_urls=tuple(delivery.media_urls), webhook_url=_webhook_url())
    try:
        accepted = sms_provider().send(outgoing)
    except SendError as exc:
        _refused(delivery, exc)
        return
    with transaction.atomic():
        current = (Delivery.objects.select_for_update().filter(pk=delivery.pk)
                   .values_list("state", flat=True).get())
        # A receipt may have beaten us here (it waits for provider_id, see sms/events.py).
        state = current if current in (DeliveryState.DELIVERED,
                                       DeliveryState.FAILED) else DeliveryState.SENT
        durable.finish(delivery, state, provider_id=accepted.provider_id,
                       sent_at=timezone.now(), last_error="")
        delivery_event(delivery, DeliveryState.SENT,
                       "Simulated phone" if simulated() else "")


def _refused(delivery: Delivery, exc: SendError) -> None:
    if exc.retryable:
        log.warning("delivery %s: provider said try later: %s", delivery.pk, exc.detail)
        durable.retry(delivery, exc.detail, after=exc.retry_after)
        return
    with transaction.atomic():
        durable.finish(delivery, DeliveryState.FAILED, error_code=exc.code[:20],
                       error_detail=exc.detail[:300], finished_at=timezone.now())
        delivery_event(delivery, DeliveryState.FAILED, exc.detail)
        if exc.opted_out:
            consent_record(location=delivery.location, phone=delivery.to,
                           status=Consent.OPTED_OUT, method=ConsentMethod.CARRIER,
                           evidence=f"Telnyx {exc.code}: {exc.detail}",
                           actor_label="Telnyx", claim=delivery.claim)


@durable.when_given_up(Delivery)
def delivery_given_up(delivery: Delivery, error: str) -> None:
    with transaction.atomic():
        durable.finish(delivery, DeliveryState.FAILED, error_detail=error,
                       finished_at=timezone.now())
        delivery_event(delivery, DeliveryState.FAILED, f"Gave up after retries: {error}")
        if delivery.channel == Channel.EMAIL:
            from claimory.mail.notify import email_given_up

            email_given_up(delivery)

