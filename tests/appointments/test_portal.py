"""The claim's portal shows its appointments and a link to book one; the cached page never
shows a stale appointment (every change records an ``appointment`` event)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from claimory.appointments.services import (
    Request,
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_link_claim,
    appointment_reschedule,
    appointment_token,
)
from claimory.claims.services import claim_stage_set, portal_token
from claimory.portal import page_cache
from tests.appointments.test_booking import next_weekday_at

pytestmark = pytest.mark.django_db


def section(client, claim) -> str:
    html = client.get(f"/c/{portal_token(claim)}").content.decode()
    found = re.search(r'<section id="appointments".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_portal_links_to_booking_and_lists_appointments(claim):
    client = Client()
    html = section(client, claim)
    assert f"/c/{portal_token(claim)}/appointment" in html
    row = appointment_book(location=claim.location, request=Request(
        kind="pickup", start=next_weekday_at(16), name="Maria", claim=claim))
    html = section(client, claim)
    assert "Pickup" in html and f"/a/{appointment_token(row)}" in html
    assert "Waiting for the shop to confirm" in html


def test_the_cached_page_is_never_stale_about_appointments(claim, front_desk):
    client = Client()
    row = appointment_book(location=claim.location, request=Request(
        kind="drop_off", start=next_weekday_at(10), name="Maria", claim=claim))
    assert "Waiting for the shop" in section(client, claim)
    assert len(page_cache.pages) == 1  # cached
    appointment_confirm(appointment=row, actor=front_desk)
    assert "Confirmed" in section(client, claim)
    appointment_reschedule(appointment=row, start=next_weekday_at(13), actor=front_desk)
    assert "1:00 PM" in section(client, claim)
    appointment_cancel(appointment=row, actor=front_desk)
    assert "Drop-off" not in section(client, claim)


def test_linking_an_appointment_shows_on_the_cached_page(claim, front_desk, location):
    client = Client()
    row = appointment_book(location=location, request=Request(
        kind="drop_off", start=next_weekday_at(10), name="Maria"))
    assert "Drop-off" not in section(client, claim)
    appointment_link_claim(appointment=row, claim=claim, actor=front_desk)
    assert "Drop-off" in section(client, claim)


def test_a_delivered_claim_offers_no_booking(claim, front_desk):
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert "/appointment" not in section(client := Client(), claim)
    page = client.get(f"/c/{portal_token(claim)}/appointment")
    assert page.status_code == 200 and "nothing to book" in page.content.decode()
