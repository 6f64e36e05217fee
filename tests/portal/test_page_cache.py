"""The portal page cache never serves a page older than what it shows.

Each test loads the page (so it is cached), changes one thing the customer can see, and
checks that the very next load shows the change.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from claimory.claims.services import (
    claim_eta_set,
    claim_stage_set,
    claim_update,
    portal_token,
    portal_token_revoke,
    portal_token_rotate,
)
from claimory.messaging.services import (
    conversation_mark_read,
    message_customer_seen,
    message_receive,
    message_send,
)
from claimory.portal import page_cache
from claimory.shops.models import Stage
from claimory.shops.services import location_update, stage_reorder, stage_update

pytestmark = pytest.mark.django_db


def html_of(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def section(html, name):
    return re.search(rf'<section id="{name}".*?</section>', html, re.S).group(0)


def test_an_unchanged_page_is_served_from_the_cache(client, portal_path, monkeypatch):
    # The key holds the current minute: both requests in the same one, however slow the
    # machine (a boundary between them would rightly render again).
    frozen = timezone.now()
    monkeypatch.setattr("django.utils.timezone.now", lambda: frozen)
    first = html_of(client, portal_path)
    monkeypatch.setattr("claimory.portal.views.render_portal", lambda *a, **k: "rendered")
    assert html_of(client, portal_path) == first
    assert len(page_cache.pages) == 1


def test_stage_change_shows_at_once(client, claim, front_desk, portal_path):
    assert "Pictures" in section(html_of(client, portal_path), "vehicle")
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    assert "Teardown" in section(html_of(client, portal_path), "vehicle")


def test_eta_change_shows_at_once(client, claim, front_desk, portal_path):
    html_of(client, portal_path)
    later = claim.eta + dt.timedelta(days=3)
    claim_eta_set(claim=claim, eta=later, reason="Parts delayed", actor=front_desk)
    eta = section(html_of(client, portal_path), "eta")
    assert f'datetime="{later:%Y-%m-%d}"' in eta and "Parts delayed" in eta


def test_hiding_money_takes_it_off_the_next_page(client, claim, front_desk, portal_path):
    assert "$4,250.75" in html_of(client, portal_path)
    claim_update(claim=claim, changes={"show_estimate_total": False}, actor=front_desk)
    assert "4,250.75" not in html_of(client, portal_path)


def test_new_shop_message_shows_at_once(client, claim, front_desk, portal_path):
    html_of(client, portal_path)
    message_send(claim=claim, body="Your bumper arrived", actor=front_desk)
    assert "Your bumper arrived" in html_of(client, portal_path)


def test_shop_reading_the_customers_message_shows_as_seen(client, claim, portal_path):
    message_receive(claim=claim, body="When is it ready?")
    assert "Seen by the shop" not in html_of(client, portal_path)
    conversation_mark_read(claim=claim)  # a staff-only event; the message rows change
    assert "Seen by the shop" in html_of(client, portal_path)


def test_customer_seeing_a_reply_changes_nothing_stale(client, claim, front_desk, portal_path):
    reply = message_send(claim=claim, body="Ready Friday", actor=front_desk)
    html_of(client, portal_path)
    message_customer_seen(claim=claim, up_to_message_id=reply.pk)
    assert "Ready Friday" in html_of(client, portal_path)


def test_stage_rename_shows_at_once(client, claim, portal_path):
    html_of(client, portal_path)
    stage_update(stage=claim.stage, changes={"name": "Photos and damage check"})
    assert "Photos and damage check" in section(html_of(client, portal_path), "stages")


def test_stage_reorder_shows_at_once(client, claim, location, portal_path):
    html_of(client, portal_path)
    slugs = list(Stage.objects.filter(location=location).order_by("position")
                 .values_list("slug", flat=True))
    stage_reorder(location=location, slugs=[slugs[1], slugs[0], *slugs[2:]])
    names = re.findall(r'<span class="step-name">([^<]+)</span>', html_of(client, portal_path))
    assert names[:2] == ["Estimate", "Pictures"]


def test_language_switch_and_back(client, claim, portal_path):
    assert '<html lang="en">' in html_of(client, portal_path)
    spanish = html_of(client, portal_path, lang="es")
    assert '<html lang="es">' in spanish and f'action="{portal_path}/messages?lang=es"' in spanish
    english = html_of(client, portal_path)
    assert '<html lang="en">' in english and f'action="{portal_path}/messages"' in english


def test_customer_language_change_shows_at_once(client, claim, portal_path):
    html_of(client, portal_path)
    claim.customer.language = "es"
    claim.customer.save()
    assert '<html lang="es">' in html_of(client, portal_path)


def test_location_edit_shows_at_once(client, location, portal_path):
    html_of(client, portal_path)
    location_update(location=location, changes={"phone": "(512) 555-0123",
                                                 "name": "Northside Body Works"})
    html = html_of(client, portal_path)
    assert 'href="tel:+15125550123"' in html and "Northside Body Works" in html


def test_open_now_follows_the_clock(client, location, portal_path, monkeypatch):
    location_update(location=location, changes={"timezone": "America/Chicago"})
    tuesday_10am = dt.datetime(2031, 5, 13, 15, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: tuesday_10am)
    assert "Open now" in section(html_of(client, portal_path), "hours")
    monkeypatch.setattr(timezone, "now", lambda: tuesday_10am + dt.timedelta(hours=8))
    assert "Closed now" in section(html_of(client, portal_path), "hours")


def test_revoked_link_is_refused_even_when_cached(client, claim, portal_path):
    html_of(client, portal_path)
    portal_token_revoke(claim=claim)
    assert client.get(portal_path).status_code == 404


def test_rotated_link_gets_its_own_page(client, claim, portal_path):
    html_of(client, portal_path)
    new_path = f"/c/{portal_token_rotate(claim=claim)}"
    assert client.get(portal_path).status_code == 404
    assert f'action="{new_path}/messages"' in html_of(client, new_path)


def test_expired_link_is_refused_even_when_cached(client, claim, front_desk, portal_path):
    html_of(client, portal_path)
    claim.delivered_at = timezone.now() - dt.timedelta(days=claim.location.portal_expiry_days + 1)
    claim.save()
    assert client.get(portal_path).status_code == 404


def test_sent_note_and_form_errors_never_enter_the_cache(client, claim, portal_path):
    message_receive(claim=claim, body="Hello")
    assert 'class="sent-note"' in html_of(client, portal_path, sent="1")
    assert client.post(f"{portal_path}/messages", {"body": ""}).status_code == 400
    html = html_of(client, portal_path)
    assert 'class="sent-note"' not in html and 'aria-invalid="true"' not in html


def test_other_claims_never_share_a_page(client, claim, other_claim, portal_path):
    assert "Northside Collision" in html_of(client, portal_path)
    other = html_of(client, f"/c/{portal_token(other_claim)}")
    assert f'action="{portal_path}/messages"' not in other


def test_cache_is_bounded():
    cache = page_cache.PageCache(max_entries=2)
    for n in range(3):
        cache.put(n, b"page")
    assert len(cache) == 2 and cache.get(0) is None and cache.get(2).body == b"page"
