"""The demo shop's email: an adjuster's thread on the portal claim (the shop's sent message
and the adjuster's reply with a photo), a customer answering a notification, an appraiser's
mail no claim can take (waiting in the inbox) and an out-of-office reply kept out.

Filed through the real path (``mail_file``), so the demo shows what matching does. The
Message-IDs are fixed: seeding again files nothing twice.
"""

from __future__ import annotations

import io
from email.message import EmailMessage

from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageDraw

from claimory.claims.models import Claim, ClaimEvent, EventType
from claimory.mail.filing import mail_event, mail_file
from claimory.mail.models import (
    Mailbox,
    MailDirection,
    MailMessage,
    MailStatus,
    Provider,
    Source,
)
from claimory.mail.outgoing import subject_with_tag
from claimory.messaging.models import Conversation, Message
from claimory.shops.models import Location

ADJUSTERS = {"Kelly Tran": "kelly.tran@{domain}", "Mike Osborne": "mosborne@{domain}",
             "Jen Alvarez": "jen.alvarez@{domain}"}


def _domain(carrier: str) -> str:
    return "".join(ch for ch in carrier.lower() if ch.isalnum()) + "-claims.example"


def _measurements() -> bytes:
    image = Image.new("RGB", (640, 480), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 120, 560, 360), outline=(30, 60, 120), width=6)
    draw.line((80, 240, 560, 240), fill=(200, 40, 40), width=4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _message(*, sender: str, to: str, subject: str, body: str, message_id: str,
             in_reply_to: str = "", headers: dict[str, str] | None = None,
             photo: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Mon, 30 Nov 2026 15:04:00 -0600"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if photo:
        msg.add_attachment(_measurements(), maintype="image", subtype="jpeg",
                           filename="frame-measurements.jpg")
    return bytes(msg)


def _adjuster(claim: Claim) -> tuple[str, str]:
    name = claim.adjuster_name or "Kelly Tran"
    address = claim.adjuster_email or ADJUSTERS.get(name, "adjuster@{domain}").format(
        domain=_domain(claim.carrier or "carrier"))
    if not claim.adjuster_email:
        Claim.objects.filter(pk=claim.pk).update(adjuster_email=address)
        claim.adjuster_email = address
    return name, address


@transaction.atomic
def _sent(claim: Claim, shop: str, to: tuple[str, str], subject: str, body: str,
          message_id: str) -> MailMessage:
    """The shop's earlier message, as a synced Sent folder would leave it."""
    existing = MailMessage.objects.filter(location=claim.location, message_id=message_id).first()
    if existing is not None:
        return existing
    mail = MailMessage.objects.create(
        location=claim.location, claim=claim, direction=MailDirection.OUTBOUND,
        status=MailStatus.SENT, source=Source.COMPOSE, message_id=message_id,
        subject=subject_with_tag(subject, claim), from_address=shop,
        from_name=claim.location.name, to=[list(to)], body_text=body)
    mail_event(mail, "sent")
    return mail


def demo_mailbox(location: Location, shop: str) -> Mailbox:
    """The demo's simulated mailbox: compose and reply work, nothing leaves the machine."""
    mailbox, _ = Mailbox.objects.get_or_create(location=location, defaults={
        "provider": Provider.SIMULATED, "address": shop, "display_name": location.name,
        "imap_host": "simulated", "smtp_host": "simulated", "username": shop})
    return mailbox


def seed_mail(location: Location, portal_claim: Claim, others: list[Claim],
              clock=None) -> None:
    shop = location.email or f"service@{location.slug}.example"
    demo_mailbox(location, shop)
    before = dict(ClaimEvent.objects.filter(claim__location=location).values_list(
        "claim_id").annotate(top=Max("seq")))
    host = shop.rsplit("@", 1)[-1]
    name, adjuster = _adjuster(portal_claim)
    sent = _sent(portal_claim, shop, (name, adjuster), "Supplement 1 submitted",
                 f"Hi {name.split()[0]},\n\nSupplement 1 for claim {portal_claim.claim_number} "
                 "is in your queue: hidden damage to the inner wheel housing found at "
                 "teardown. Photos attached in CCC.\n\nThanks,\nService desk",
                 f"<demo-sent-1@{host}>")
    customer = portal_claim.customer
    other = next((c for c in others if c.pk != portal_claim.pk), portal_claim)
    messages = [
        _message(sender=f"{name} <{adjuster}>", to=shop,
                 subject=f"RE: {sent.subject}", in_reply_to=sent.message_id,
                 message_id=f"<demo-adj-1@{adjuster.rsplit('@', 1)[-1]}>", photo=True,
                 body="Received. Before I approve, please send the frame measurements for the "
                      "right rear — a sketch like the attached is fine.\n\n"
                      f"> On Mon, {location.name} wrote:\n> Supplement 1 for claim "
                      f"{portal_claim.claim_number} is in your queue"),
        _message(sender=f"{customer.name} <{customer.email}>", to=shop,
                 subject=f"Re: Your {portal_claim.vehicle} {subject_with_tag('', portal_claim)}",
                 message_id=f"<demo-cust-1@{customer.email.rsplit('@', 1)[-1]}>",
                 body="Thank you for the update! Can I pick it up after 5 on the day it's "
                      "ready?"),
        _message(sender="Ray Delgado <ray@lonestarappraisal.example>", to=shop,
                 subject="Re-inspection", message_id="<demo-appraiser-1@lonestarappraisal.example>",
                 body="I can come by Thursday at 10 for the re-inspection. Which car is it? "
                      "The file I have has no RO on it."),
        _message(sender=f"Mike Osborne <mosborne@{_domain(other.carrier or 'carrier')}>",
                 to=shop, subject="Automatic reply: estimate",
                 message_id="<demo-ooo-1@carrier.example>",
                 headers={"Auto-Submitted": "auto-replied"},
                 body="I am out of the office until Monday."),
    ]
    for raw in messages:
        mail_file(location=location, raw=raw, source=Source.IMPORT)
    if clock is not None:
        _backdate(location, clock, before)


def _backdate(location: Location, clock, before: dict[int, int]) -> None:
    """Put what the mail wrote (email events, a customer's message) after each claim's
    seeded history, inside shop hours, in order (the demo's timeline reads in time order)."""
    fresh = ClaimEvent.objects.filter(claim__location=location)
    for claim_id in set(fresh.filter(type=EventType.EMAIL).values_list("claim_id", flat=True)):
        events = fresh.filter(claim_id=claim_id)
        new = list(events.filter(seq__gt=before.get(claim_id, 0)).order_by("seq"))
        last = events.filter(seq__lte=before.get(claim_id, 0)).order_by("-created_at").first()
        if not new:
            continue
        # Spread over the opening time left between the claim's last event and now.
        room = clock.open_minutes(last.created_at, clock.latest) if last else 60.0
        for n, event in enumerate(new):
            at = clock.back(room * (len(new) - n) / (len(new) + 1))
            ClaimEvent.objects.filter(pk=event.pk).update(created_at=at)
            if event.type == EventType.EMAIL:
                MailMessage.objects.filter(pk=event.data.get("mail_id")).update(
                    created_at=at, sent_at=at)
            elif event.type == EventType.MESSAGE:
                Message.objects.filter(pk=event.data.get("message_id")).update(created_at=at)
                Conversation.objects.filter(claim_id=claim_id).update(
                    waiting_since=at, last_message_at=at)
