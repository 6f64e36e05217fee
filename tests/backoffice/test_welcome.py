"""The "Get started" checklist: every step's state comes from real rows, the nav offers it
until it is finished or hidden, and opening any claim's printout ticks "print its QR"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from claimory.shops.models import Role, Workspace
from claimory.shops.onboarding import checklist
from claimory.shops.services import location_update
from tests.factories import make_claim, make_staff

WELCOME = "/staff/welcome"


def _done(workspace, location) -> dict[str, bool]:
    workspace.refresh_from_db()
    location.refresh_from_db()
    return {s.key: s.done for s in checklist(workspace, location, can_texting=True)}


@pytest.fixture
def fresh(workspace, location, owner):
    """A shop that has just signed up: only the owner, nothing set."""
    return workspace


def test_each_step_follows_the_real_state(fresh, location, owner, owner_client):
    workspace = fresh
    assert _done(workspace, location) == {"hours": False, "branding": False, "team": False,
                                          "texting": False, "claim": False, "print": False}
    assert "0 of 6 done" in owner_client.get(WELCOME).content.decode()
    # (a) hours: changed, or the defaults confirmed.
    owner_client.post(reverse("backoffice:welcome_hours"), {"location": location.slug})
    assert _done(workspace, location)["hours"]
    location.hours_confirmed_at = None
    location.save()
    hours = {**location.business_hours, "sat": None}
    location_update(location=location, changes={"business_hours": hours})
    assert _done(workspace, location)["hours"]
    # (b) branding
    location_update(location=location, changes={"tagline": "Straight since 1988"})
    assert _done(workspace, location)["branding"]
    # (c) team
    make_staff(workspace, Role.FRONT_DESK, [location], email="new@northside.test")
    assert _done(workspace, location)["team"]
    # (d) texting
    location_update(location=location, changes={"sms_number": "+15125550199"})
    assert _done(workspace, location)["texting"]
    # (e) a claim, (f) its printout opened
    claim = make_claim(location, actor=owner)
    assert _done(workspace, location)["claim"]
    assert not _done(workspace, location)["print"]
    html = owner_client.get(WELCOME).content.decode()
    assert "5 of 6 done" in html
    assert reverse("printables:work_order", args=[claim.pk]) in html
    printed = owner_client.get(reverse("printables:work_order", args=[claim.pk]))
    assert printed.status_code == 200 and "<svg" in printed.content.decode()
    assert _done(workspace, location)["print"]
    html = owner_client.get(WELCOME).content.decode()
    assert "6 of 6 done" in html and "you're set up" in html
    workspace.refresh_from_db()
    assert workspace.onboarding_closed_at is not None  # the nav stops offering it


def test_printing_is_recorded_once(fresh, location, owner, owner_client):
    claim = make_claim(location, actor=owner)
    owner_client.get(reverse("printables:work_order_pdf", args=[claim.pk]))
    first = Workspace.objects.get(pk=fresh.pk).first_printed_at
    assert first is not None
    owner_client.get(reverse("printables:card", args=[claim.pk]))
    assert Workspace.objects.get(pk=fresh.pk).first_printed_at == first


def test_another_shops_print_does_not_count(fresh, location, owner, outsider, other_claim):
    from django.test import Client

    client = Client()
    client.force_login(owner)
    assert client.get(reverse("printables:work_order", args=[other_claim.pk])
                      ).status_code == 404
    assert _done(fresh, location)["print"] is False
    assert Workspace.objects.get(pk=other_claim.location.workspace_id).first_printed_at is None


def test_nav_offers_it_until_hidden(fresh, owner_client, desk_client):
    html = owner_client.get("/staff/").content.decode()
    assert re.search(r'href="/staff/welcome"[^>]*>Get started', html)
    assert "Get started" not in desk_client.get("/staff/").content.decode()
    assert owner_client.post(reverse("backoffice:welcome_hide")).status_code == 302
    html = owner_client.get("/staff/").content.decode()
    assert 'class="nav__start"' not in html
    assert owner_client.get(WELCOME).status_code == 200  # still there, from Settings


def test_existing_shops_are_not_nagged(db):
    """The migration closed onboarding for shops made before it; new ones start open."""
    from claimory.shops.services import workspace_create

    assert workspace_create(name="New").onboarding_closed_at is None


def test_front_desk_and_technicians_are_refused(desk_client):
    assert desk_client.get(WELCOME).status_code == 403
    assert desk_client.post(reverse("backoffice:welcome_hide")).status_code == 403


def test_starter_shows_the_neutral_theme_note(location, owner_client, workspace):
    workspace.plan = "starter"
    workspace.save()
    html = owner_client.get(WELCOME).content.decode()
    assert "clean neutral theme" in html


def test_texting_step_for_a_manager_has_no_link(workspace, location):
    from django.test import Client

    manager = make_staff(workspace, Role.MANAGER, email="m@northside.test")
    client = Client()
    client.force_login(manager)
    html = client.get(WELCOME).content.decode()
    assert "The owner sets up the texting number" in html
    assert reverse("backoffice:settings_texting") not in html.split('id="step-texting"')[1
                                                                                        ][:800]
