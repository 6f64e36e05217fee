from django.urls import reverse

from claimory.claims.models import EventType
from claimory.claims.selectors import claim_get_for_token
from claimory.claims.services import portal_token


def test_rotate_issues_a_new_link_and_kills_the_old(desk_client, claim, front_desk):
    old = portal_token(claim)
    response = desk_client.post(reverse("backoffice:portal_rotate", args=[claim.pk]))
    assert response.status_code == 302
    claim.refresh_from_db()
    new = portal_token(claim)
    assert new and new != old
    assert claim_get_for_token(old) is None
    event = claim.events.filter(type=EventType.PORTAL).get()
    assert event.data == {"action": "rotated"} and event.actor == front_desk
    html = desk_client.get(response["Location"]).content.decode()
    assert f"/c/{new}" in html and "reprint the work order" in html


def test_revoke_shows_revoked_and_offers_a_new_link(desk_client, claim):
    old = portal_token(claim)
    desk_client.post(reverse("backoffice:portal_revoke", args=[claim.pk]))
    claim.refresh_from_db()
    assert portal_token(claim) is None and claim_get_for_token(old) is None
    html = desk_client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert "Revoked" in html
    assert f"/c/{old}" not in html
    assert "Issue a new link" in html


def test_rotate_and_revoke_need_a_post_and_a_confirm_step(desk_client, claim):
    for name in ("backoffice:portal_rotate", "backoffice:portal_revoke"):
        assert desk_client.get(reverse(name, args=[claim.pk])).status_code == 405
    html = desk_client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert html.count('<details class="confirm">') == 2
    assert "Yes, revoke the link" in html


def test_rotate_needs_csrf(client, front_desk, claim):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(front_desk)
    response = strict.post(reverse("backoffice:portal_rotate", args=[claim.pk]))
    assert response.status_code == 403
    claim.refresh_from_db()
    assert not claim.events.filter(type=EventType.PORTAL).exists()
