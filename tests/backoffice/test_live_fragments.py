"""Fragments the live script swaps in: one board card, the claim page's changing parts."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.services import claim_stage_set
from claimory.messaging.services import message_receive


def test_board_card_fragment_is_the_card_the_board_draws(desk_client, claim, front_desk):
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    response = desk_client.get(reverse("backoffice:board_card", args=[claim.pk]))
    html = response.content.decode()
    assert html.startswith(f'<li class="bcard" data-claim-id="{claim.pk}" '
                           'data-card-stage="teardown"')
    assert '<option value="teardown" selected>' in html
    assert html.rstrip().endswith("</li>") and "<html" not in html
    assert 'name="next" value="/staff/board"' in html


def test_board_card_of_a_group_returns_to_that_locations_board(owner_client, south_claim,
                                                               claim):
    html = owner_client.get(reverse("backoffice:board_card", args=[south_claim.pk])).content
    assert b'name="next" value="/staff/board?location=southside"' in html


def test_board_card_of_a_claim_off_the_board_is_204(desk_client, claim):
    Claim.objects.filter(pk=claim.pk).update(delivered_at=timezone.now() - dt.timedelta(days=30))
    assert desk_client.get(reverse("backoffice:board_card", args=[claim.pk])).status_code == 204
    Claim.objects.filter(pk=claim.pk).update(delivered_at=None, archived=True)
    assert desk_client.get(reverse("backoffice:board_card", args=[claim.pk])).status_code == 204


def test_claim_live_fragment_holds_every_live_region(desk_client, claim):
    message_receive(claim=claim, body="Hello from the portal")
    html = desk_client.get(reverse("backoffice:claim_live", args=[claim.pk])).content.decode()
    for region in ("claim-progress", "claim-eta", "thread-live", "timeline-count",
                   "timeline-log"):
        assert f'id="{region}" data-live-region' in html
    assert "Hello from the portal" in html and "<html" not in html
    # Forms inside a swapped region still send the user back to the claim page.
    assert f'name="next" value="/staff/claims/{claim.pk}"' in html


def test_claim_page_regions_match_the_fragment(desk_client, claim):
    page = desk_client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    for region in ("claim-progress", "claim-eta", "thread-live", "timeline-count",
                   "timeline-log"):
        assert f'id="{region}" data-live-region' in page
    assert f'data-claim-page="{claim.pk}"' in page
    assert 'src="/static/backoffice/live.js"' in page
