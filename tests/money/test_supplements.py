"""Supplement services: numbering, validation, decisions, idempotent re-records, events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.services import location_today
from claimory.money.models import Supplement
from claimory.money.supplements import (
    supplement_add,
    supplement_change,
    supplement_decide,
    supplement_record,
)
from claimory.shops.permissions import RoleDenied

pytestmark = pytest.mark.django_db


def supplement_events(claim):
    return list(ClaimEvent.objects.filter(claim=claim, type=EventType.SUPPLEMENT).order_by("seq"))


def test_adding_numbers_from_one_and_records_a_customer_visible_event(claim, front_desk):
    today = location_today(claim.location)
    first = supplement_add(claim=claim, amount="$1,250.00", actor=front_desk)
    second = supplement_add(claim=claim, amount="310.5", sent_on=today, actor=front_desk)
    assert (first.number, second.number) == (1, 2)
    assert first.amount == Decimal("1250.00") and first.status == "pending"
    assert first.sent_on == today
    event = supplement_events(claim)[-1]
    assert event.customer_visible
    assert event.data == {"supplement_id": second.pk, "number": 2, "amount": "310.50",
                          "status": "pending", "sent_on": today.isoformat(),
                          "decided_on": None, "carrier": "State Farm"}


def test_numbers_only_move_forward(claim, front_desk):
    supplement_add(claim=claim, amount="100", number=3, actor=front_desk)
    with pytest.raises(ValidationError) as exc:
        supplement_add(claim=claim, amount="100", number=2, actor=front_desk)
    assert "use 4 or higher" in str(exc.value)
    with pytest.raises(ValidationError):
        supplement_add(claim=claim, amount="100", number=3, actor=front_desk)
    assert supplement_add(claim=claim, amount="100", actor=front_desk).number == 4


@pytest.mark.parametrize("amount", ["", None, "abc", "-5", "99999999", "NaN", "Infinity"])
def test_bad_amounts_are_refused(claim, front_desk, amount):
    with pytest.raises(ValidationError) as exc:
        supplement_add(claim=claim, amount=amount, actor=front_desk)
    assert "amount" in exc.value.message_dict
    assert not Supplement.objects.exists() and not supplement_events(claim)


def test_sent_date_cannot_be_in_the_future_or_ancient(claim, front_desk):
    today = location_today(claim.location)
    for day in (today + dt.timedelta(days=1), today - dt.timedelta(days=800)):
        with pytest.raises(ValidationError) as exc:
            supplement_add(claim=claim, amount="10", sent_on=day, actor=front_desk)
        assert "sent_on" in exc.value.message_dict


def test_approving_sets_the_decision_date_and_says_what_it_was(claim, front_desk):
    today = location_today(claim.location)
    supp = supplement_add(claim=claim, amount="800", sent_on=today - dt.timedelta(days=2),
                          actor=front_desk)
    supplement_decide(supplement=supp, status="approved", actor=front_desk)
    supp.refresh_from_db()
    assert supp.status == "approved" and supp.decided_on == today
    event = supplement_events(claim)[-1]
    assert event.data["previous_status"] == "pending" and event.data["status"] == "approved"
    assert event.data["decided_on"] == today.isoformat()


def test_decision_date_rules(claim, front_desk):
    today = location_today(claim.location)
    supp = supplement_add(claim=claim, amount="800", sent_on=today - dt.timedelta(days=2),
                          actor=front_desk)
    for day, words in ((today - dt.timedelta(days=3), "before the date it was sent"),
                       (today + dt.timedelta(days=1), "in the future")):
        with pytest.raises(ValidationError) as exc:
            supplement_decide(supplement=supp, status="denied", decided_on=day, actor=front_desk)
        assert words in str(exc.value)
    with pytest.raises(ValidationError):
        supplement_decide(supplement=supp, status="maybe", actor=front_desk)
    supp.refresh_from_db()
    assert supp.status == "pending" and len(supplement_events(claim)) == 1


def test_reopening_clears_the_decision_and_a_repeat_writes_nothing(claim, front_desk):
    supp = supplement_add(claim=claim, amount="800", actor=front_desk)
    supplement_decide(supplement=supp, status="denied", actor=front_desk)
    supplement_decide(supplement=supp, status="denied", actor=front_desk)
    assert len(supplement_events(claim)) == 2
    supplement_decide(supplement=supp, status="pending", actor=front_desk)
    supp.refresh_from_db()
    assert supp.status == "pending" and supp.decided_on is None
    assert len(supplement_events(claim)) == 3


def test_amount_fix_keeps_the_decision(claim, front_desk):
    supp = supplement_add(claim=claim, amount="800", actor=front_desk)
    supplement_decide(supplement=supp, status="approved", actor=front_desk)
    decided = supp.decided_on
    supplement_change(supplement=supp, amount="825", actor=front_desk)
    supp.refresh_from_db()
    assert supp.amount == Decimal("825.00") and supp.status == "approved"
    assert supp.decided_on == decided


def test_record_is_idempotent_for_the_import(claim):
    supp, action = supplement_record(claim=claim, number=1, amount="1200.00")
    assert action == "created" and supp.source == "import"
    again, action = supplement_record(claim=claim, number=1, amount="1,200")
    assert action == "unchanged" and again.pk == supp.pk
    assert len(supplement_events(claim)) == 1
    _, action = supplement_record(claim=claim, number=1, amount="1300")
    assert action == "updated" and len(supplement_events(claim)) == 2
    _, action = supplement_record(claim=claim, number=2, amount="50")
    assert action == "created" and Supplement.objects.filter(claim=claim).count() == 2


def test_roles_without_money_are_refused(claim, production, technician):
    for who in (production, technician):
        with pytest.raises(RoleDenied):
            supplement_add(claim=claim, amount="10", actor=who)
    supp = supplement_add(claim=claim, amount="10")
    with pytest.raises(RoleDenied):
        supplement_decide(supplement=supp, status="approved", actor=production)


def test_another_shops_staff_cannot_touch_our_supplements(claim, outsider):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        supplement_add(claim=claim, amount="10", actor=outsider)
