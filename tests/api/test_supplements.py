"""/api/v1/claims/<id>/supplements: record, list and decide supplements; the portal follows."""

from __future__ import annotations

import datetime as dt

from claimory.claims.models import EventType
from claimory.claims.services.validation import location_today
from claimory.money.models import Supplement


def test_record_then_approve_writes_events_the_customer_sees(api, claim):
    response = api.post(f"/api/v1/claims/{claim.pk}/supplements", {"amount": "840.50"})
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 1 and body["status"] == "pending" and body["amount"] == "840.50"
    assert body["sent_on"] == location_today(claim.location).isoformat()
    decided = api.patch(f"/api/v1/claims/{claim.pk}/supplements/1", {"status": "approved"})
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved" and decided.json()["decided_on"]
    events = claim.events.filter(type=EventType.SUPPLEMENT).order_by("seq")
    assert [e.channel for e in events] == ["api", "api"]
    assert all(e.customer_visible for e in events)
    listed = api.get(f"/api/v1/claims/{claim.pk}/supplements").json()
    assert [(s["number"], s["status"]) for s in listed] == [(1, "approved")]


def test_numbers_only_move_forward_and_bad_input_is_422(api, claim):
    assert api.post(f"/api/v1/claims/{claim.pk}/supplements",
                    {"amount": 100, "number": 2}).status_code == 201
    assert api.post(f"/api/v1/claims/{claim.pk}/supplements",
                    {"amount": 50, "number": 1}).status_code == 409
    ahead = (location_today(claim.location) + dt.timedelta(days=9)).isoformat()
    for body in ({"amount": -5}, {"amount": "lots"}, {"amount": 10, "sent_on": ahead},
                 {"amount": 10, "colour": "red"}):
        response = api.post(f"/api/v1/claims/{claim.pk}/supplements", body)
        assert response.status_code in (400, 422), body
        assert response.json()["error"]["message"]
    bad = api.patch(f"/api/v1/claims/{claim.pk}/supplements/2", {"status": "maybe"})
    assert bad.status_code == 422
    assert Supplement.objects.filter(claim=claim).count() == 1
    assert api.patch(f"/api/v1/claims/{claim.pk}/supplements/7",
                     {"status": "approved"}).status_code == 404


def test_retry_with_the_same_key_records_one_supplement(api, claim):
    headers = {"Idempotency-Key": "supp-retry-1"}
    first = api.post(f"/api/v1/claims/{claim.pk}/supplements", {"amount": 300}, headers=headers)
    again = api.post(f"/api/v1/claims/{claim.pk}/supplements", {"amount": 300}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Supplement.objects.filter(claim=claim).count() == 1


def test_another_shops_claim_is_404(api, other_claim):
    assert api.get(f"/api/v1/claims/{other_claim.pk}/supplements").status_code == 404
    assert api.post(f"/api/v1/claims/{other_claim.pk}/supplements",
                    {"amount": 1}).status_code == 404
    assert not Supplement.objects.filter(claim=other_claim).exists()


def test_state_conflicts_are_409_and_dates_out_of_range_422(api, claim):
    today = location_today(claim.location)
    api.post(f"/api/v1/claims/{claim.pk}/supplements",
             {"amount": 10, "sent_on": (today - dt.timedelta(days=3)).isoformat()})
    before_sent = api.patch(f"/api/v1/claims/{claim.pk}/supplements/1", {
        "status": "approved", "decided_on": (today - dt.timedelta(days=5)).isoformat()})
    assert before_sent.status_code == 409
    assert "before the date it was sent" in before_sent.json()["error"]["message"]
    pending_with_date = api.patch(f"/api/v1/claims/{claim.pk}/supplements/1",
                                  {"decided_on": today.isoformat()})
    assert pending_with_date.status_code == 409
    future = api.patch(f"/api/v1/claims/{claim.pk}/supplements/1", {
        "status": "approved", "decided_on": (today + dt.timedelta(days=2)).isoformat()})
    assert future.status_code == 422 and "decided_on" in future.json()["error"]["fields"]
    assert Supplement.objects.get(claim=claim).status == "pending"
