"""Required text must be visible, and dates must fall in a sane window (QA findings)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from claimory.claims.services import (
    CustomerInput,
    claim_eta_set,
    claim_note_add,
    claim_update,
    customer_update,
)
from claimory.claims.services.validation import location_today
from claimory.messaging.services import message_receive, message_send
from claimory.shops.services import location_update
from tests.factories import make_claim

INVISIBLE = ["\u200b", "\u200b\u200b", "\ufeff\u2060", "\u3164", "\u115f\u1160 ", "\u200d\n"]


def _days(location, n: int) -> dt.date:
    return location_today(location) + dt.timedelta(days=n)


@pytest.mark.parametrize("reason", INVISIBLE)
def test_a_moved_eta_needs_a_reason_the_customer_can_read(claim, front_desk, reason):
    with pytest.raises(ValidationError) as caught:
        claim_eta_set(claim=claim, eta=claim.eta + dt.timedelta(days=2), reason=reason,
                      actor=front_desk)
    assert "Say why the date moved" in caught.value.message_dict["eta_reason"][0]
    claim.refresh_from_db()
    assert claim.eta_reason == ""


@pytest.mark.parametrize("body", INVISIBLE)
def test_invisible_messages_and_notes_are_refused(claim, front_desk, owner, body):
    with pytest.raises(ValidationError) as sent:
        message_send(claim=claim, body=body, actor=front_desk)
    with pytest.raises(ValidationError) as received:
        message_receive(claim=claim, body=body)
    with pytest.raises(ValidationError) as noted:
        claim_note_add(claim=claim, body=body, actor=owner)
    assert sent.value.message_dict == {"body": ["Write a message first."]}
    assert received.value.message_dict == {"body": ["Write a message first."]}
    assert noted.value.message_dict == {"body": ["Write the note first."]}
    assert not claim.messages.exists()


def test_text_with_something_visible_still_goes_through(claim, front_desk):
    message = message_send(claim=claim, body="\u200bOK\u200b", actor=front_desk)
    assert message.body == "\u200bOK\u200b"


@pytest.mark.parametrize("name", INVISIBLE)
def test_customer_and_location_names_must_be_visible(location, claim, owner, name):
    with pytest.raises(ValidationError) as intake:
        make_claim(location, name=name)
    assert "customer.name" in intake.value.message_dict
    with pytest.raises(ValidationError) as edit:
        customer_update(claim=claim, data=CustomerInput(name=name, phone="(512) 555-0100"),
                        actor=owner)
    assert "customer.name" in edit.value.message_dict
    with pytest.raises(ValidationError) as loc:
        location_update(location=location, changes={"name": name}, actor=owner)
    assert loc.value.message_dict["name"] == ["Enter the location's name."]


def test_eta_has_an_upper_bound_two_years_ahead(location, claim, front_desk):
    last = _days(location, 730)
    claim_eta_set(claim=claim, eta=last, reason="Backordered frame", actor=front_desk)
    with pytest.raises(ValidationError) as caught:
        claim_eta_set(claim=claim, eta=last + dt.timedelta(days=1), reason="Later",
                      actor=front_desk)
    assert "more than two years away" in caught.value.message_dict["eta"][0]
    with pytest.raises(ValidationError) as far:
        make_claim(location, eta=dt.date(9999, 12, 31))
    assert "eta" in far.value.message_dict


@pytest.mark.parametrize("start", [dt.date(1, 1, 1), dt.date(9999, 12, 31), -731, 366])
def test_rental_start_outside_two_years_back_to_one_ahead_is_refused(location, claim, owner,
                                                                     start):
    if isinstance(start, int):
        start = _days(location, start)
    with pytest.raises(ValidationError) as caught:
        claim_update(claim=claim, changes={"rental_start": start, "rental_days_covered": 30},
                     actor=owner)
    assert list(caught.value.message_dict) == ["rental_start"]
    assert "two years back to one year ahead" in caught.value.message_dict["rental_start"][0]
    claim.refresh_from_db()
    assert claim.rental_start is None


@pytest.mark.parametrize("days", [-730, 0, 365])
def test_rental_start_inside_the_window_is_kept(location, claim, owner, days):
    start = _days(location, days)
    claim_update(claim=claim, changes={"rental_start": start}, actor=owner)
    claim.refresh_from_db()
    assert claim.rental_start == start


@pytest.mark.parametrize("days", [-1, 366, 32767, True, "30"])
def test_rental_days_covered_is_0_to_365(location, claim, owner, days):
    with pytest.raises(ValidationError) as caught:
        claim_update(claim=claim, changes={"rental_days_covered": days}, actor=owner)
    assert caught.value.message_dict["rental_days_covered"] == [
        "Rental days covered must be a whole number from 0 to 365."]
    with pytest.raises(ValidationError):
        make_claim(location, rental_days_covered=days)


@pytest.mark.parametrize("days", [0, 365, None])
def test_rental_days_covered_in_range_is_kept(claim, owner, days):
    claim_update(claim=claim, changes={"rental_days_covered": days}, actor=owner)
    claim.refresh_from_db()
    assert claim.rental_days_covered == days
