"""Opening a claim at intake."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, Customer, EventType, Vehicle
from claimory.claims.services.inputs import ClaimInput
from claimory.claims.services.portal_links import mint_token
from claimory.claims.services.validation import claim_validate
from claimory.shops.models import Location
from claimory.shops.permissions import authorize
from claimory.shops.plans import require_open


@transaction.atomic
def claim_create(
    *, location: Location, data: ClaimInput, actor: Any = None, channel: str = Channel.STAFF,
    actor_label: str = "", announce: bool = True,
) -> Claim:
    """Open a claim: customer, vehicle, first stage, a fresh portal token and the first event.

    ``announce=False``: no "we have your car" text (an online appointment request opens the
    claim before the car is there; the appointment tells the customer instead)."""
    authorize(actor, "claim.create", location)
    require_open(location.workspace)
    clean = claim_validate(location, data)
    now = timezone.now()
    cust = clean["customer"]
    customer = Customer.objects.create(
        location=location,
        **cust,
        sms_opt_in_at=now if cust["sms_opt_in"] else None,
        email_opt_in_at=now if cust["email_opt_in"] else None,
    )
    vehicle = Vehicle.objects.create(location=location, **clean["vehicle"])
    claim = Claim.objects.create(
        location=location,
        customer=customer,
        vehicle=vehicle,
        claim_number=data.claim_number.strip()[:40],
        ro_number=data.ro_number.strip()[:40],
        carrier=data.carrier.strip()[:80],
        adjuster_name=data.adjuster_name.strip()[:120],
        adjuster_phone=clean["adjuster_phone"],
        adjuster_email=data.adjuster_email.strip(),
        deductible=clean["deductible"],
        estimate_total=clean["estimate_total"],
        rental_days_covered=data.rental_days_covered,
        eta=data.eta,
        eta_first_promised=data.eta,
        stage=clean["stage"],
        stage_entered_at=now,
        internal_notes=data.internal_notes,
    )
    mint_token(claim)
    claim.save(update_fields=["portal_token_hash", "portal_token_salt", "portal_token_issued_at"])
    event_record(
        claim=claim, type=EventType.CREATED, actor=actor, actor_label=actor_label,
        channel=channel, customer_visible=True,
        data={"stage": claim.stage.slug, "eta": data.eta.isoformat() if data.eta else None},
    )
    if customer.sms_opt_in and customer.phone:
        consent_given_at_intake(claim=claim, actor=actor, actor_label=actor_label,
                                channel=channel)
    # Imported here: the notifications app builds on the claims services.
    from claimory.notifications.models import Trigger
    from claimory.notifications.services import notify

    if announce:
        notify(claim, Trigger.RECEIVED, actor=actor)
    return claim


def consent_given_at_intake(*, claim: Claim, actor: Any, actor_label: str, channel: str) -> None:
    """The customer agreed to texts when the claim was opened: into the consent ledger, with
    who recorded it and how (the intake form's checkbox or the API's ``sms_opt_in``)."""
    from claimory.sms.consent import consent_record
    from claimory.sms.models import Consent, ConsentMethod

    api = channel == Channel.API
    consent_record(
        location=claim.location, phone=claim.customer.phone, status=Consent.OPTED_IN,
        method=ConsentMethod.API if api else ConsentMethod.INTAKE,
        evidence=("POST /api/v1/claims with customer.sms_opt_in = true" if api
                  else "Intake form: “Text updates (SMS)” checked"),
        actor=actor, actor_label=actor_label, claim=claim, claim_event=False)
