"""POST /api/v1/claims/<id>/messages: a staff message lands on the claim and the portal thread."""

from __future__ import annotations

from claimory.claims.models import EventType
from claimory.messaging.models import Conversation
from claimory.messaging.services import message_receive


def test_api_message_lands_on_timeline_for_the_customer(api, claim):
    message_receive(claim=claim, body="Is it ready?")
    response = api.post(f"/api/v1/claims/{claim.pk}/messages", {"body": "Ready Friday at 3."})
    assert response.status_code == 201
    body = response.json()
    assert body["direction"] == "out" and body["status"] == "sent"
    event = claim.events.get(type=EventType.MESSAGE, data__direction="out")
    assert event.channel == "api" and event.customer_visible
    assert event.seq == body["event_id"]
    assert Conversation.objects.get(claim=claim).waiting_since is None
    thread = api.get(f"/api/v1/claims/{claim.pk}/messages").json()
    assert [m["body"] for m in thread] == ["Is it ready?", "Ready Friday at 3."]


def test_empty_or_oversized_message_is_422_and_nothing_stored(api, claim):
    for body in ({"body": "   "}, {"body": "x" * 2001}, {"body": 5}, {}):
        response = api.post(f"/api/v1/claims/{claim.pk}/messages", body)
        assert response.status_code in (400, 422), body
        assert "error" in response.json()
    assert not claim.events.filter(type=EventType.MESSAGE).exists()


def test_api_edits_name_the_key_on_the_timeline(api, claim):
    api.patch(f"/api/v1/claims/{claim.pk}", {"carrier": "GEICO"})
    event = claim.events.filter(type="claim").last()
    assert event.channel == "api" and event.actor_label.startswith("API key")
