"""Consent to customer emails: the signed unsubscribe link, the one question every email send
asks, and the opt-out (or opt-in again) it records.

The link is ``/u/<token>``, where the token is a ``django.core.signing`` signature over
(customer id, location id, "email"): nothing in it can be guessed or edited, and no lookup
happens by an id a stranger could try. It does not expire — an unsubscribe link in a
two-year-old email must still work — and is cut off only by rotating ``SECRET_KEY``.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, Customer, EventType
from claimory.core.origin import base_url

SALT = "claimory.mail.unsubscribe"
PURPOSE = "email"
# ``method`` of the timeline's consent event (claims/event_types.py words them).
LINK = "email_link"  # the button on the /u/ page
ONE_CLICK = "email_one_click"  # RFC 8058: the mail app's own "Unsubscribe" button


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def unsubscribe_token(customer: Customer) -> str:
    """The same token every time for one customer (no timestamp): every email to them
    carries one link, and staff can tell it is the same."""
    return _signer().sign_object([customer.pk, customer.location_id, PURPOSE])


def unsubscribe_url(customer: Customer) -> str:
    return f"{base_url()}{reverse('unsubscribe', args=[unsubscribe_token(customer)])}"


def customer_for_unsubscribe_token(token: str) -> Customer | None:
    """The customer a link was made for, or None for anything tampered, truncated or made
    for another purpose (the caller answers all of them with the same 404)."""
    try:
        value = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(value, list) and len(value) == 3 and value[2] == PURPOSE
            and all(isinstance(n, int) and not isinstance(n, bool) for n in value[:2])):
        return None
    customer_id, location_id, _purpose = value
    return (Customer.objects.select_related("location__workspace")
            .filter(pk=customer_id, location_id=location_id).first())


def may_email(claim: Claim, to: str | None = None) -> tuple[bool, str]:
    """Whether the claim's customer may be emailed now (at ``to``, when given), and if not,
    why (for staff). Asked when a delivery is queued and again just before it is sent."""
    customer = claim.customer
    if not customer.email:
        return False, "No email address on file."
    if to is not None and customer.email.strip().lower() != to.strip().lower():
        return False, "The customer's email address changed after this was queued."
    if not customer.email_opt_in:
        return False, "The customer does not take emails (never agreed, or unsubscribed)."
    return True, ""


@transaction.atomic
def email_consent_set(*, customer: Customer, opted_in: bool, method: str) -> bool:
    """Turn emails off (or on again) for ``customer``'s address at its location — every
    customer row there with that address, since it is one person's inbox. Each changed
    customer's latest claim gets a staff-only consent event. Returns False when nothing
    changed (a second click, a mail app repeating its one-click POST)."""
    address = customer.email.strip()
    changing = Customer.objects.select_for_update().filter(
        location_id=customer.location_id, email_opt_in=not opted_in)
    changing = changing.filter(email__iexact=address) if address else changing.filter(
        pk=customer.pk)
    changed = list(changing.order_by("pk"))
    if not changed:
        return False
    now = timezone.now()
    for each in changed:
        each.email_opt_in = opted_in
        if opted_in:
            each.email_opt_in_at = now
        each.save(update_fields=["email_opt_in", "email_opt_in_at", "updated_at"])
        latest = Claim.objects.filter(customer=each).order_by("-created_at", "-pk").first()
        if latest is None:
            continue
        how = "the unsubscribe button of their mail app" if method == ONE_CLICK \
            else "the link in an email"
        evidence = (f"{'Emails turned back on' if opted_in else 'Unsubscribed'} "
                    f"{each.email or address} with {how}.")
        event_record(claim=latest, type=EventType.CONSENT, channel=Channel.EMAIL,
                     actor_label=each.name,
                     data={"phone": "", "status": "in" if opted_in else "out",
                           "method": method, "evidence": evidence})
    customer.email_opt_in = opted_in
    return True
