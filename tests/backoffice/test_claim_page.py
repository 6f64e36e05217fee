import datetime as dt

from django.urls import reverse
from django.utils import timezone

from claimory.claims.models import EventType
from claimory.claims.services import (
    claim_eta_set,
    claim_note_add,
    claim_stage_set,
    claim_update,
    portal_token,
)


def page(client, claim, **params):
    return client.get(reverse("backoffice:claim", args=[claim.pk]), params)


def test_claim_page_shows_essentials(desk_client, claim):
    response = page(desk_client, claim)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Maria Lopez", "2019 Honda Accord", claim.ro_number, claim.claim_number,
                 "State Farm", "(512) 555-0142", claim.vehicle.vin, "$4,250.75", "$500.00",
                 'id="thread"'):
        assert text in html
    assert reverse("printables:work_order", args=[claim.pk]) in html
    assert reverse("printables:work_order_pdf", args=[claim.pk]) in html
    assert reverse("backoffice:claim_edit", args=[claim.pk]) in html


def test_money_badges_say_what_the_customer_sees(desk_client, claim, front_desk):
    claim_update(claim=claim, changes={"show_deductible": False}, actor=front_desk)
    html = page(desk_client, claim).content.decode()
    money = html[html.find('id="money-title"'):html.find('id="eta-title"')]
    assert "Customer sees" in money and "shop default" in money
    assert "Hidden from customer" in money and "set on this claim" in money


def test_portal_link_is_shown_and_copyable(desk_client, claim):
    html = page(desk_client, claim).content.decode()
    assert f"/c/{portal_token(claim)}" in html
    assert 'data-copy="portal-url"' in html
    assert "<svg" in html
    assert reverse("backoffice:portal_rotate", args=[claim.pk]) in html
    assert reverse("backoffice:portal_revoke", args=[claim.pk]) in html


def test_timeline_lists_every_event_newest_first_with_notes_marked_internal(desk_client, claim,
                                                                            front_desk):
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    claim_note_add(claim=claim, body="Adjuster wants photos of the frame", actor=front_desk)
    html = page(desk_client, claim).content.decode()
    timeline = html[html.find('class="timeline"'):]
    assert timeline.index("Internal note") < timeline.index("Moved to Estimate") \
        < timeline.index("Claim opened")
    assert "Adjuster wants photos of the frame" in timeline
    assert 'badge--internal">Internal' in timeline
    assert "Frank Staff" in timeline and "Back office" in timeline


def test_eta_history_keeps_first_promise_and_reason(desk_client, claim, front_desk):
    first = claim.eta
    claim_eta_set(claim=claim, eta=first + dt.timedelta(days=4), reason="Bumper back-ordered",
                  actor=front_desk)
    html = page(desk_client, claim).content.decode()
    assert "First promised" in html
    assert "Bumper back-ordered" in html
    assert "ETA moved to" in html


def test_past_due_eta_is_flagged(desk_client, claim):
    type(claim).objects.filter(pk=claim.pk).update(
        eta=timezone.now().date() - dt.timedelta(days=2))
    assert "Past due" in page(desk_client, claim).content.decode()


def test_add_internal_note(desk_client, claim, front_desk):
    response = desk_client.post(reverse("backoffice:claim_note", args=[claim.pk]),
                                {"body": "Called the adjuster, waiting on callback"})
    assert response.status_code == 302
    note = claim.events.get(type=EventType.NOTE)
    assert note.data["body"] == "Called the adjuster, waiting on callback"
    assert note.actor == front_desk and not note.customer_visible


def test_empty_note_is_refused_next_to_the_box(desk_client, claim):
    response = desk_client.post(reverse("backoffice:claim_note", args=[claim.pk]), {"body": " "})
    assert response.status_code == 400
    assert 'id="id_body_errors"' in response.content.decode()
    assert not claim.events.filter(type=EventType.NOTE).exists()


def test_note_endpoint_wants_post(desk_client, claim):
    assert desk_client.get(reverse("backoffice:claim_note", args=[claim.pk])).status_code == 405


def test_claim_page_stage_select_moves_the_car(desk_client, claim):
    url = reverse("backoffice:claim", args=[claim.pk])
    response = desk_client.post(reverse("backoffice:claim_stage", args=[claim.pk]),
                                {"stage": "teardown", "next": url})
    assert response["Location"] == url
    claim.refresh_from_db()
    assert claim.stage.slug == "teardown"


def test_claim_page_query_count_is_fixed(desk_client, claim, front_desk,
                                         django_assert_num_queries):
    page(desk_client, claim)
    # + badge (2), thread (2), teammates (2), drafts (1), simulated phone (2),
    # consent history (1), supplements (1), documents (1), photos (1),
    # email: messages, participants, mailbox, email drafts (4), survey (1),
    # the top bar's location picker (1)
    with django_assert_num_queries(24):
        page(desk_client, claim)
    for i in range(5):
        claim_note_add(claim=claim, body=f"note {i}", actor=front_desk)
    # + badge (2), thread (2), teammates (2), drafts (1), simulated phone (2),
    # consent history (1), supplements (1), documents (1), photos (1),
    # email: messages, participants, mailbox, email drafts (4), survey (1),
    # the top bar's location picker (1)
    with django_assert_num_queries(24):
        page(desk_client, claim)
