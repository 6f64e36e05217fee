"""Texting the one-time signing code the customer asked for from the portal.

The code travels only in the text itself (the outbox ``Delivery`` body, which the provider
needs): the claim's message row and its staff-only timeline line say that a code was sent,
never the code, so nobody reading the thread could sign in the customer's place.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from claimory.claims.events import event_record
from claimory.claims.models import Channel, EventType
from claimory.esign import services
from claimory.esign.models import Document
from claimory.esign.services import RequestMeta, SignRefused
from claimory.messaging.models import DeliveryState, Direction, Message, Status
from claimory.messaging.outbox import deliveries_queue, sms_text
from claimory.sms.consent import may_text


def otp_send(document: Document, meta: RequestMeta) -> str:
    """Issue a new code for ``document`` and queue it as a text to the customer's phone.

    Returns the phone's last four digits (what the page shows). SignRefused("no_phone")
    when the customer cannot be texted (no number, no consent, STOP, no shop number): the
    page then tells them to call the shop instead.
    """
    claim = document.claim
    customer, location = claim.customer, claim.location
    allowed, _reason = may_text(claim)
    if not (allowed and location.sms_number):
        raise SignRefused(_("We can't text you a code. Please call the shop to sign."),
                          "no_phone")
    with transaction.atomic():
        code = services.otp_issue(document, meta)
        with translation.override(customer.language or "en"):
            text = _("%(code)s is your code to sign “%(title)s”. It expires in %(minutes)s "
                     "minutes.") % {"code": code, "title": document.title,
                                    "minutes": services.OTP_MINUTES}
        note = f"Signing code for “{document.title}” texted (the code is not shown here)."
        message = Message.objects.create(
            claim=claim, direction=Direction.OUTBOUND, channel=Channel.SMS, body=note,
            sender_label=location.name, status=Status.QUEUED)
        message.event = event_record(
            claim=claim, type=EventType.NOTIFICATION, channel=Channel.SYSTEM,
            actor_label=location.name, customer_visible=False,
            data={"message_id": message.pk, "trigger": "esign_code", "body": note,
                  "channels": [Channel.SMS]})
        message.save(update_fields=["event", "updated_at"])
        # Asked for this minute: sent at once, not held through quiet hours.
        deliveries = deliveries_queue(message, sms_body=sms_text(claim, text, automated=False),
                                      email=False)
        if not deliveries or all(d.state == DeliveryState.NOT_SENT for d in deliveries):
            raise SignRefused(_("We can't text you a code. Please call the shop to sign."),
                              "no_phone")
    return customer.phone[-4:]
