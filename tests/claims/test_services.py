import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from claimory.claims import tokens
from claimory.claims.customer_view import customer_claim_view
from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.selectors import claim_get_for_token
from claimory.claims.services import (
    claim_eta_set,
    claim_stage_set,
    claim_update,
    portal_token,
    portal_token_revoke,
    portal_token_rotate,
)
from tests.factories import make_claim


def test_claim_opens_at_first_stage_with_token_and_event(claim):
    assert claim.stage.slug == "pictures"
    events = list(claim.events.all())
    assert [e.type for e in events] == [EventType.CREATED]
    assert events[0].seq == 1


def test_only_token_hash_is_stored(claim):
    token = portal_token(claim)
    assert len(token) == 22 and tokens.looks_like_token(token)
    claim.refresh_from_db()
    stored = [str(getattr(claim, f.attname)) for f in claim._meta.concrete_fields]
    assert token not in stored
    assert claim.portal_token_hash == tokens.hash_token(token)
    assert claim_get_for_token(token).pk == claim.pk


def test_rotate_kills_old_link(claim, front_desk):
    old = portal_token(claim)
    new = portal_token_rotate(claim=claim, actor=front_desk)
    assert new != old
    assert claim_get_for_token(old) is None
    assert claim_get_for_token(new).pk == claim.pk


def test_revoked_link_opens_nothing(claim, front_desk):
    token = portal_token(claim)
    portal_token_revoke(claim=claim, actor=front_desk)
    assert claim_get_for_token(token) is None
    assert portal_token(claim) is None


def test_link_expires_after_delivery_window(claim, front_desk):
    token = portal_token(claim)
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert claim_get_for_token(token) is not None
    claim.delivered_at = timezone.now() - dt.timedelta(days=claim.location.portal_expiry_days + 1)
    claim.save()
    assert claim_get_for_token(token) is None


def test_stage_change_is_an_event_in_order(claim, front_desk):
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    claim_stage_set(claim=claim, stage="supp_sent", actor=front_desk)
    seqs = list(claim.events.values_list("seq", "type"))
    assert seqs == [(1, "created"), (2, "stage"), (3, "stage")]


def test_unknown_stage_is_a_clear_error(claim, front_desk):
    with pytest.raises(ValidationError) as exc:
        claim_stage_set(claim=claim, stage="paint-shop", actor=front_desk)
    assert "Unknown stage" in str(exc.value)


def test_eta_change_keeps_first_promise_and_needs_reason(claim, front_desk):
    first = claim.eta
    later = first + dt.timedelta(days=3)
    with pytest.raises(ValidationError):
        claim_eta_set(claim=claim, eta=later, actor=front_desk)
    claim_eta_set(claim=claim, eta=later, reason="Waiting on a bumper cover", actor=front_desk)
    claim.refresh_from_db()
    assert claim.eta_first_promised == first and claim.eta == later
    view = customer_claim_view(claim)
    assert view.eta_moved and view.eta_reason == "Waiting on a bumper cover"


def test_eta_in_past_rejected(location):
    with pytest.raises(ValidationError) as exc:
        make_claim(location, eta=dt.date(2020, 1, 1))
    assert "past" in str(exc.value)


def test_bad_vin_and_phone_get_plain_messages(location):
    with pytest.raises(ValidationError) as exc:
        make_claim(location, phone="12")
    assert "phone" in str(exc.value).lower()


def test_hidden_money_never_in_customer_view(claim, front_desk):
    claim_update(claim=claim, changes={"show_estimate_total": False}, actor=front_desk)
    view = customer_claim_view(claim)
    assert view.estimate_total is None and view.deductible is not None


def test_events_are_append_only(claim):
    event = ClaimEvent.objects.filter(claim=claim).first()
    event.data = {"tampered": True}
    with pytest.raises(ValueError):
        event.save()


def test_clearing_the_eta_does_not_skip_the_reason_for_a_new_date(claim, front_desk):
    first = claim.eta
    claim_eta_set(claim=claim, eta=None, reason="Waiting on the insurer", actor=front_desk)
    later = first + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as caught:
        claim_eta_set(claim=claim, eta=later, actor=front_desk)
    assert "eta_reason" in caught.value.message_dict
    claim.refresh_from_db()
    assert claim.eta is None
    claim_eta_set(claim=claim, eta=later, reason="Frame rail on order", actor=front_desk)
    claim.refresh_from_db()
    assert (claim.eta, claim.eta_first_promised, claim.eta_reason) == (
        later, first, "Frame rail on order")
    assert claim.eta_changed_at is not None  # the customer is told when it changed


def test_clearing_a_promised_eta_needs_a_reason(claim, front_desk):
    with pytest.raises(ValidationError) as caught:
        claim_eta_set(claim=claim, eta=None, actor=front_desk)
    assert "eta_reason" in caught.value.message_dict
    claim.refresh_from_db()
    assert claim.eta is not None
    claim_eta_set(claim=claim, eta=None, reason="Waiting on the insurer", actor=front_desk)
    claim.refresh_from_db()
    assert (claim.eta, claim.eta_reason, claim.eta_withdrawn) == (
        None, "Waiting on the insurer", True)
    assert claim.eta_changed_at is not None


def test_the_first_promise_needs_no_reason(claim, front_desk):
    type(claim).objects.filter(pk=claim.pk).update(eta=None, eta_first_promised=None)
    claim.refresh_from_db()
    claim_eta_set(claim=claim, eta=timezone.localdate() + dt.timedelta(days=4), actor=front_desk)
    assert claim.eta_first_promised == claim.eta
