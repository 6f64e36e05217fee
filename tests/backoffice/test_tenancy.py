"""Every staff URL that names a claim or a location: other shops get 404, never a hint."""

import pytest
from django.urls import reverse

from claimory.claims.models import ClaimEvent
from claimory.messaging.models import Conversation
from claimory.messaging.services import message_receive

CLAIM_GETS = ["backoffice:claim", "backoffice:claim_edit", "backoffice:claim_live",
              "backoffice:board_card"]
CLAIM_POSTS = {
    "backoffice:claim_edit": {"customer_name": "Hijack"},
    "backoffice:claim_stage": {"stage": "delivered"},
    "backoffice:claim_note": {"body": "snooping"},
    "backoffice:portal_rotate": {},
    "backoffice:portal_revoke": {},
    "backoffice:thread_reply": {"body": "snooping"},
    "backoffice:thread_read": {},
    "backoffice:thread_done": {},
    "backoffice:thread_assign": {"assignee": ""},
}


@pytest.mark.parametrize("name", CLAIM_GETS)
def test_outsider_gets_404_for_our_claim_pages(outsider_client, claim, name):
    assert outsider_client.get(reverse(name, args=[claim.pk])).status_code == 404


@pytest.mark.parametrize("name, data", CLAIM_POSTS.items())
def test_outsider_gets_404_for_every_claim_action(outsider_client, claim, name, data):
    message_receive(claim=claim, body="Private question")
    before = ClaimEvent.objects.filter(claim=claim).count()
    assert outsider_client.post(reverse(name, args=[claim.pk]), data).status_code == 404
    assert ClaimEvent.objects.filter(claim=claim).count() == before
    conversation = Conversation.objects.get(claim=claim)
    assert conversation.is_waiting and conversation.unread_count == 1


@pytest.mark.parametrize("name", CLAIM_GETS)
def test_front_desk_of_one_location_cannot_open_another_locations_claim(desk_client,
                                                                        south_claim, name):
    assert desk_client.get(reverse(name, args=[south_claim.pk])).status_code == 404


@pytest.mark.parametrize("name, data", CLAIM_POSTS.items())
def test_front_desk_cannot_act_on_another_locations_claim(desk_client, south_claim, name, data):
    assert desk_client.post(reverse(name, args=[south_claim.pk]), data).status_code == 404


def test_missing_claim_id_is_404(desk_client):
    assert desk_client.get(reverse("backoffice:claim", args=[999999])).status_code == 404
    assert desk_client.get("/staff/claims/not-a-number").status_code == 404


def test_board_of_another_workspace_or_location_is_404(outsider_client, desk_client, location,
                                                       southside):
    board = reverse("backoffice:board")
    assert outsider_client.get(board, {"location": "northside"}).status_code == 404
    assert desk_client.get(board, {"location": "southside"}).status_code == 404
    assert desk_client.get(board, {"location": "no-such-shop"}).status_code == 404


def test_settings_of_another_workspace_are_404(outsider_client, location):
    stage_args = ["northside", "pictures"]
    assert outsider_client.get(reverse("backoffice:settings_stages"),
                               {"location": "northside"}).status_code == 404
    assert outsider_client.get(reverse("backoffice:settings_location"),
                               {"location": "northside"}).status_code == 404
    assert outsider_client.post(reverse("backoffice:settings_location") + "?location=northside",
                                {"name": "Pwned"}).status_code == 404
    assert outsider_client.post(reverse("backoffice:stage_edit", args=stage_args),
                                {"stage-pictures-name": "Pwned"}).status_code == 404
    assert outsider_client.post(reverse("backoffice:stage_move", args=stage_args),
                                {"direction": "down"}).status_code == 404
    assert outsider_client.post(reverse("backoffice:stage_new", args=["northside"]),
                                {"new-name": "Pwned"}).status_code == 404
    location.refresh_from_db()
    assert location.name == "Northside Collision"
    assert not location.stages.filter(name="Pwned").exists()
