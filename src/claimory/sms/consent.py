"""Consent to texts: the ledger (who, when, how) and the one question every send asks."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from claimory.claims.events import actor_label_for, event_record
from claimory.claims.models import Channel, Claim, Customer, EventType
from claimory.shops.models import Location
from claimory.sms.models import Consent, ConsentMethod, ConsentRecord


def consent_latest(location: Location, phone: str) -> ConsentRecord | None:
    return (ConsentRecord.objects.filter(location=location, phone=phone)
            .order_by("-created_at", "-id").first())


_UNREAD: Any = object()


def may_text(claim: Claim, *, latest: ConsentRecord | None = _UNREAD) -> tuple[bool, str]:
    """Whether the claim's customer may be texted now, and if not, why (for staff).
    ``latest``: the number's newest ledger row when the caller has already read it."""
    customer = claim.customer
    if not customer.phone:
        return False, "No mobile number on file."
    if latest is _UNREAD:
        latest = consent_latest(claim.location, customer.phone)
    if latest is not None and latest.status == Consent.OPTED_OUT:
        return False, _opt_out_reason(latest)
    if not customer.sms_opt_in:
        return False, "The customer has not agreed to texts."
    return True, ""


def _opt_out_reason(record: ConsentRecord) -> str:
    """Why texts are off, for staff: "Opted out by texting “STOP” on Dec 1, 2026."."""
    when = f"{record.created_at:%b} {record.created_at.day}, {record.created_at.year}"
    if record.method in (ConsentMethod.KEYWORD, ConsentMethod.REPLY) and record.evidence:
        return f"Opted out by texting “{record.evidence[:80]}” on {when}."
    if record.method == ConsentMethod.CARRIER:
        return f"The carrier refused a text as opted out on {when}."
    who = f" by {record.recorded_by_label}" if record.recorded_by_label else ""
    return f"Texts turned off{who} on {when}."


# Opt-outs only the customer can undo (by texting START): the carrier blocks the number on
# the messaging profile until then, whatever a form or the API says.
CUSTOMER_OPT_OUTS = (ConsentMethod.KEYWORD, ConsentMethod.REPLY, ConsentMethod.CARRIER)
CUSTOMER_METHODS = (ConsentMethod.KEYWORD, ConsentMethod.REPLY)


def consent_lock(location: Location) -> None:
    """Serialise consent changes of one location (two STOPs processed at once must not both
    see "not yet opted out"). SQLite already runs write transactions one at a time."""
    Location.objects.select_for_update().filter(pk=location.pk).values_list("pk").first()


@transaction.atomic
def consent_record(*, location: Location, phone: str, status: str, method: str,
                   evidence: str = "", actor: Any = None, actor_label: str = "",
                   claim: Claim | None = None, claim_event: bool = True) -> ConsentRecord:
    """Append a consent change for (location, phone) and apply it to every customer with
    that number at the location. The claims whose customer it changes get a staff-only
    CONSENT event, and so does ``claim`` (the one it came through) unless ``claim_event``
    is False (intake: the claim's own opening already says it)."""
    label = actor_label or actor_label_for(actor)
    consent_lock(location)
    if status == Consent.OPTED_IN and method not in CUSTOMER_METHODS:
        latest = consent_latest(location, phone)
        if latest is not None and latest.status == Consent.OPTED_OUT \
                and latest.method in CUSTOMER_OPT_OUTS:
            return _opt_in_refused(latest, claim=claim, actor=actor, label=label)
    record = ConsentRecord.objects.create(
        location=location, phone=phone, status=status, method=method, evidence=evidence[:300],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_by_label=label, claim=claim)
    opted_in = status == Consent.OPTED_IN
    changing = Customer.objects.filter(location=location, phone=phone, sms_opt_in=not opted_in)
    changed_ids = list(changing.values_list("pk", flat=True))
    if opted_in:
        changing.update(sms_opt_in=True, sms_opt_in_at=record.created_at)
    else:
        changing.update(sms_opt_in=False)
    claims = Claim.objects.filter(location=location, customer_id__in=changed_ids, archived=False)
    if claim is not None:
        claims = claims.exclude(pk=claim.pk)
        if claim_event:
            claims = claims | Claim.objects.filter(pk=claim.pk)
    for each in claims.distinct().order_by("pk"):
        event_record(claim=each, type=EventType.CONSENT, actor=actor, actor_label=label,
                     channel=Channel.SMS if method in ("keyword", "reply", "carrier")
                     else Channel.STAFF,
                     data={"phone": phone, "status": status, "method": method,
                           "evidence": evidence[:300]})
    return record


def _opt_in_refused(latest: ConsentRecord, *, claim: Claim | None, actor: Any,
                    label: str) -> ConsentRecord:
    """A form or the API says "agreed to texts" for a number whose owner opted out by text:
    texts stay off (only the customer can undo it, by texting START) and staff see why."""
    Customer.objects.filter(location=latest.location, phone=latest.phone,
                            sms_opt_in=True).update(sms_opt_in=False)
    if claim is not None:
        claim.customer.sms_opt_in = False
        event_record(claim=claim, type=EventType.CONSENT, actor=actor, actor_label=label,
                     data={"phone": latest.phone, "status": Consent.OPTED_OUT,
                           "method": latest.method,
                           "evidence": f"{_opt_out_reason(latest)} Texts stay off until the "
                                       "customer texts START."})
    return latest
