import datetime as dt
import json
import re

from django.urls import reverse
from django.utils import timezone

from claimory.claims.models import Claim, EventType
from claimory.claims.services import claim_stage_set
from tests.factories import make_claim

BOARD = reverse("backoffice:board")


def column_html(html: str, slug: str) -> str:
    start = html.index(f'data-stage="{slug}"')
    end = html.find("<section", start)
    return html[start:end if end != -1 else len(html)]


def test_board_has_a_column_per_stage_in_order_with_cards(desk_client, claim, location):
    response = desk_client.get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    slugs = re.findall(r'<section class="column" data-stage="([\w-]+)"', html)
    assert slugs == list(location.stages.order_by("position").values_list("slug", flat=True))
    pictures = column_html(html, "pictures")
    assert f'data-claim-id="{claim.pk}"' in pictures
    for text in ("2019 Honda Accord", "Maria Lopez", claim.ro_number, "today", "ETA"):
        assert text in pictures
    assert "board.js" in html and "<kbd>Space</kbd>" in html
    assert 'aria-live="assertive"' in html


def test_past_due_card_is_marked(desk_client, claim):
    Claim.objects.filter(pk=claim.pk).update(eta=timezone.now().date() - dt.timedelta(days=3))
    html = desk_client.get(BOARD).content.decode()
    assert "bcard--late" in html and "past due" in html


def test_move_endpoint_answers_json_and_records_the_event(desk_client, claim, front_desk):
    response = desk_client.post(reverse("backoffice:claim_stage", args=[claim.pk]),
                                {"stage": "teardown"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    assert json.loads(response.content) == {"claim_id": claim.pk, "stage": "teardown",
                                            "stage_name": "Teardown"}
    event = claim.events.get(type=EventType.STAGE)
    assert event.data["from"] == "pictures" and event.data["to"] == "teardown"
    assert event.actor == front_desk and event.customer_visible


def test_no_js_select_moves_the_car_and_returns_to_the_board(desk_client, claim):
    html = desk_client.get(BOARD).content.decode()
    card = html[html.index(f'data-claim-id="{claim.pk}"'):]
    assert '<select id="move-' in card and ">Move</button>" in card
    response = desk_client.post(reverse("backoffice:claim_stage", args=[claim.pk]),
                                {"stage": "estimate", "next": BOARD})
    assert response.status_code == 302 and response["Location"] == BOARD
    after = desk_client.get(BOARD).content.decode()
    assert f'data-claim-id="{claim.pk}"' in column_html(after, "estimate")
    assert "moved to Estimate" in after


def test_move_to_unknown_stage_is_a_400(desk_client, claim):
    response = desk_client.post(reverse("backoffice:claim_stage", args=[claim.pk]),
                                {"stage": "paint"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400
    assert "Unknown stage" in json.loads(response.content)["error"]
    response = desk_client.post(reverse("backoffice:claim_stage", args=[claim.pk]), {},
                                HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400
    assert not claim.events.filter(type=EventType.STAGE).exists()


def test_move_ignores_an_offsite_next(desk_client, claim):
    response = desk_client.post(reverse("backoffice:claim_stage", args=[claim.pk]),
                                {"stage": "estimate", "next": "https://evil.example/"})
    assert response["Location"] == reverse("backoffice:claim", args=[claim.pk])


def test_move_endpoint_wants_post(desk_client, claim):
    assert desk_client.get(reverse("backoffice:claim_stage", args=[claim.pk])).status_code == 405


def test_owner_switches_location(owner_client, claim, south_claim):
    north = owner_client.get(BOARD, {"location": "northside"}).content.decode()
    south = owner_client.get(BOARD, {"location": "southside"}).content.decode()
    assert f'data-claim-id="{claim.pk}"' in north
    assert f'data-claim-id="{south_claim.pk}"' not in north
    assert f'data-claim-id="{south_claim.pk}"' in south
    assert 'id="board-location"' in north


def test_long_delivered_cars_leave_the_board(desk_client, claim, front_desk):
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert f'data-claim-id="{claim.pk}"' in desk_client.get(BOARD).content.decode()
    Claim.objects.filter(pk=claim.pk).update(delivered_at=timezone.now() - dt.timedelta(days=30))
    assert f'data-claim-id="{claim.pk}"' not in desk_client.get(BOARD).content.decode()


def test_board_query_count_does_not_grow_with_cards(desk_client, location, front_desk,
                                                   django_assert_num_queries):
    make_claim(location, actor=front_desk)
    desk_client.get(BOARD)
    with django_assert_num_queries(8):  # + the nav inbox badge, the location picker
        desk_client.get(BOARD)
    for stage in ("estimate", "teardown", "started", "delivered"):
        make_claim(location, actor=front_desk, stage=stage)
    with django_assert_num_queries(8):  # + the nav inbox badge, the location picker
        desk_client.get(BOARD)


def test_board_script_is_served(client, db):
    response = client.get("/static/backoffice/board.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"X-Requested-With" in body
