""""Track your repair" on the public shop page: claim or RO number + phone → the portal link
is sent to the customer's own channels, never shown.

The page must not tell anyone whether a repair exists. So the request does the same work
whatever was typed — check the limits, store a LinkRequest, queue it — and answers the same
words; the matching and the sending happen in the worker. Limits per client address and per
phone number stop guessing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from claimory.claims.models import Claim
from claimory.core import durable
from claimory.core.phones import normalize_phone
from claimory.core.rate_window import FixedWindow
from claimory.portal.models import LinkRequest, LinkRequestState
from claimory.shops.models import Location

PER_CLIENT = 5  # requests per client address per hour
PER_PHONE = 3  # requests per phone number per location per hour
_CLIENTS = FixedWindow("track-ip", 3600)
_PHONES = FixedWindow("track-phone", 3600)
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def reference_key(value: str) -> str:
    """Claim and RO numbers compared without case, spaces or punctuation ("ro 10-42" =
    "RO1042"), as people type them from a paper work order."""
    return _NOT_ALNUM.sub("", value or "").upper()


def track_clean(location: Location, reference: str, phone: str) -> tuple[str, str]:
    """The request's fields, checked; ValidationError with field messages otherwise."""
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    if not reference_key(reference) or len(reference) > 40:
        errors["reference"] = [_("Enter the claim or RO number from your paperwork.")]
    try:
        phone = normalize_phone((phone or "")[:40], location.country or "US")
    except ValidationError:
        phone = ""
    if not phone:
        errors["phone"] = [_("Enter the mobile number you gave the shop.")]
    if errors:
        raise ValidationError(errors)
    return reference, phone


def track_retry_after(location: Location, client: str, phone: str) -> int | None:
    """Seconds to wait when over a limit (each request counts, allowed or not)."""
    waits = [_CLIENTS.take(client, PER_CLIENT),
             _PHONES.take(f"{location.pk}:{phone}", PER_PHONE)]
    waits = [w for w in waits if w]
    return max(waits) if waits else None


def link_request_receive(*, location: Location, reference: str, phone: str) -> LinkRequest:
    with transaction.atomic():
        row = LinkRequest.objects.create(location=location, reference=reference, phone=phone)
        durable.schedule(row)
    return row


def _match(row: LinkRequest) -> Claim | None:
    from claimory.sms.selectors import open_claims_for_number  # sms builds on portal urls

    wanted = reference_key(row.reference)
    for claim in open_claims_for_number(row.location, row.phone):
        if claim.portal_revoked_at is None and wanted in (reference_key(claim.claim_number),
                                                          reference_key(claim.ro_number)):
            return claim
    return None


def link_text(claim: Claim, link: str) -> str:
    language = claim.customer.language if claim.customer.language in ("en", "es") else "en"
    with translation.override(language):
        return _("%(shop)s: here is the link to follow your repair, as you asked: %(link)s") % {
            "shop": claim.location.name, "link": link}


@durable.handler(LinkRequest)
def _link_request_run(row: LinkRequest) -> None:
    # Imported here: notifications builds on the claims services, which import portal code.
    from claimory.notifications.services import portal_link_send

    with transaction.atomic():
        claim = _match(row)
        if claim is None:
            durable.finish(row, LinkRequestState.NO_MATCH)
            return
        message = portal_link_send(claim, text_for=link_text)
        durable.finish(row, LinkRequestState.SENT if message else LinkRequestState.NOT_SENT,
                       claim=claim)
