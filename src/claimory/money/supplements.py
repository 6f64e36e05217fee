"""Supplements: record one, decide it, or (for the estimate import) say "supplement N is $X".

Every change writes its Supplement row and a customer-visible SUPPLEMENT event in one
transaction; open portals re-render their money block from the event (the pill flips live).
The event's public keys carry no amount: the portal shows amounts only through its allow-list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.claims.services.validation import location_today, money_parse
from claimory.money.models import Supplement, SupplementSource, SupplementStatus
from claimory.shops.permissions import authorize

SENT_ON_MAX_BACK = dt.timedelta(days=730)
NUMBER_MAX = 99  # estimating systems number supplements S01…S99
NOTE_MAX = 500


def _lock_claim(claim: Claim) -> None:
    """Take the claim's row lock (PostgreSQL) so two writers never pick the same number;
    on SQLite the write transaction is already exclusive and the unique constraint backs it."""
    Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk", flat=True).get()


def _amount(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        errors.setdefault("amount", []).append("Enter the supplement amount, like 1250.00.")
        return None
    return money_parse(value, "amount", errors)


def _sent_on_check(claim: Claim, sent_on: dt.date, errors: dict[str, list[str]]) -> None:
    today = location_today(claim.location)
    if sent_on > today:
        errors.setdefault("sent_on", []).append(
            f"The date sent can't be in the future (today is {today.isoformat()}).")
    elif sent_on < today - SENT_ON_MAX_BACK:
        errors.setdefault("sent_on", []).append("The date sent is more than two years ago.")


def _decided_on_check(claim: Claim, sent_on: dt.date, decided_on: dt.date,
                      errors: dict[str, list[str]]) -> None:
    today = location_today(claim.location)
    if decided_on < sent_on:
        errors.setdefault("decided_on", []).append(
            f"The decision date can't be before the date it was sent ({sent_on.isoformat()}).")
    elif decided_on > today:
        errors.setdefault("decided_on", []).append(
            f"The decision date can't be in the future (today is {today.isoformat()}).")


def _record_event(supplement: Supplement, *, actor: Any, actor_label: str, channel: str,
                  previous_status: str = "") -> None:
    data: dict[str, Any] = {
        "supplement_id": supplement.pk,
        "number": supplement.number,
        "amount": f"{supplement.amount:.2f}",
        "status": supplement.status,
        "sent_on": supplement.sent_on.isoformat(),
        "decided_on": supplement.decided_on.isoformat() if supplement.decided_on else None,
        "carrier": supplement.claim.carrier,
    }
    if previous_status:
        data["previous_status"] = previous_status
    event_record(claim=supplement.claim, type=EventType.SUPPLEMENT, data=data, actor=actor,
                 actor_label=actor_label, channel=channel, customer_visible=True)


def next_number(claim: Claim) -> int:
    highest = Supplement.objects.filter(claim=claim).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


@transaction.atomic
def supplement_add(
    *, claim: Claim, amount: Any, sent_on: dt.date | None = None, number: int | None = None,
    note: str = "", source: str = SupplementSource.STAFF, actor: Any = None,
    actor_label: str = "", channel: str = Channel.STAFF,
) -> Supplement:
    """Record a supplement sent to the carrier (status pending).

    ``number`` defaults to the next one; a given number must be above every existing one
    (numbers only move forward). ``sent_on`` defaults to today in the location's time zone
    and may not be in the future. Needs claim.money_edit for a staff actor.
    """
    authorize(actor, "claim.money_edit", claim.location)
    _lock_claim(claim)
    errors: dict[str, list[str]] = {}
    clean_amount = _amount(amount, errors)
    sent_on = sent_on or location_today(claim.location)
    _sent_on_check(claim, sent_on, errors)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(f"Keep the note under {NOTE_MAX} characters.")
    if source not in SupplementSource.values:
        errors.setdefault("source", []).append("Unknown source.")
    lowest = next_number(claim)
    if number is None:
        number = lowest
    elif isinstance(number, bool) or not isinstance(number, int) or number < lowest:
        errors.setdefault("number", []).append(
            f"Supplement numbers only move forward: use {lowest} or higher.")
    if isinstance(number, int) and number > NUMBER_MAX:
        errors.setdefault("number", []).append(f"Supplement numbers go up to {NUMBER_MAX}.")
    if errors:
        raise ValidationError(errors)
    assert clean_amount is not None  # noqa: S101 - _amount reported the error otherwise
    supplement = Supplement.objects.create(claim=claim, number=number, amount=clean_amount,
                                           sent_on=sent_on, note=note, source=source)
    _record_event(supplement, actor=actor, actor_label=actor_label, channel=channel)
    return supplement


@transaction.atomic
def supplement_change(
    *, supplement: Supplement, status: str | None = None, decided_on: dt.date | None = None,
    amount: Any = None, actor: Any = None, actor_label: str = "",
    channel: str = Channel.STAFF,
) -> Supplement:
    """Change a supplement's status (with its decision date) and/or amount.

    Approved or denied needs a decision date (default: today in the location's time zone)
    that is neither before the date sent nor in the future; back to pending clears it.
    Nothing changed: no write, no event. Needs claim.money_edit for a staff actor.
    """
    claim = supplement.claim
    authorize(actor, "claim.money_edit", claim.location)
    _lock_claim(claim)
    errors: dict[str, list[str]] = {}
    new_status = supplement.status if status is None else status
    if new_status not in SupplementStatus.values:
        errors.setdefault("status", []).append("Status must be pending, approved or denied.")
    new_amount = supplement.amount if amount in (None, "") else money_parse(amount, "amount",
                                                                             errors)
    if new_status == SupplementStatus.PENDING:
        if decided_on is not None:
            errors.setdefault("decided_on", []).append(
                "A pending supplement has no decision date.")
        new_decided = None
    else:
        if decided_on is not None:
            new_decided = decided_on
        elif new_status == supplement.status and supplement.decided_on:
            new_decided = supplement.decided_on  # an amount fix keeps the decision's date
        else:
            new_decided = location_today(claim.location)
        _decided_on_check(claim, supplement.sent_on, new_decided, errors)
    if errors:
        raise ValidationError(errors)
    previous = supplement.status
    changed = [name for name, value in (("status", new_status), ("decided_on", new_decided),
                                        ("amount", new_amount))
               if getattr(supplement, name) != value]
    if not changed:
        return supplement
    supplement.status, supplement.decided_on = new_status, new_decided
    supplement.amount = new_amount
    supplement.save(update_fields=[*changed, "updated_at"])
    _record_event(supplement, actor=actor, actor_label=actor_label, channel=channel,
                  previous_status=previous if previous != new_status else "")
    return supplement


def supplement_decide(*, supplement: Supplement, status: str, decided_on: dt.date | None = None,
                      actor: Any = None, actor_label: str = "",
                      channel: str = Channel.STAFF) -> Supplement:
    """Approve, deny or reopen a supplement (see ``supplement_change``)."""
    return supplement_change(supplement=supplement, status=status, decided_on=decided_on,
                             actor=actor, actor_label=actor_label, channel=channel)


@transaction.atomic
def supplement_record(
    *, claim: Claim, number: int, amount: Any, sent_on: dt.date | None = None,
    source: str = SupplementSource.IMPORT, actor: Any = None, actor_label: str = "",
    channel: str = Channel.SYSTEM,
) -> tuple[Supplement, str]:
    """"Supplement ``number`` of this claim is ``amount``": for imports, idempotent.

    Returns the row and what happened: "created" (a new, pending supplement), "updated"
    (the amount changed; its status is kept) or "unchanged" (same number and amount: no
    write, no event). A new number must still be above every existing one.
    """
    existing = Supplement.objects.filter(claim=claim, number=number).first()
    if existing is None:
        created = supplement_add(claim=claim, number=number, amount=amount, sent_on=sent_on,
                                 source=source, actor=actor, actor_label=actor_label,
                                 channel=channel)
        return created, "created"
    errors: dict[str, list[str]] = {}
    clean = _amount(amount, errors)
    if errors:
        raise ValidationError(errors)
    if clean == existing.amount:
        return existing, "unchanged"
    existing.claim = claim
    supplement_change(supplement=existing, amount=clean, actor=actor, actor_label=actor_label,
                      channel=channel)
    return existing, "updated"
