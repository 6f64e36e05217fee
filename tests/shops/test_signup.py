"""Sign-up: one service makes the workspace (trial), first location, owner and membership
together, or nothing; the public /signup page says what is wrong per field (400, never 500),
is rate-limited per client address and lands the new owner on the checklist."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from claimory.shops import signup as signup_module
from claimory.shops.models import Location, Membership, Plan, Role, SlugAlias, Workspace
from claimory.shops.plans import Standing, standing
from claimory.shops.signup import EMAIL_TAKEN, SignUp, workspace_sign_up
from claimory.shops.slugs import slug_suggest

pytestmark = pytest.mark.django_db

GOOD = {"shop_name": "Joe's Body & Paint", "name": "Joe Rivera", "email": "Joe@JoesBody.test",
        "password": "bumper-to-bumper-42", "plan": "professional", "phone": "(512) 555-0123",
        "timezone": "America/Chicago", "slug": "joes-body-paint"}


def _signup(**changes) -> SignUp:
    return SignUp(**{**GOOD, **changes})


def _counts() -> tuple[int, ...]:
    return (Workspace.objects.count(), Location.objects.count(),
            get_user_model().objects.count(), Membership.objects.count())


def test_sign_up_creates_every_row():
    user = workspace_sign_up(_signup())
    membership = Membership.objects.get(user=user)
    workspace, location = membership.workspace, Location.objects.get(slug="joes-body-paint")
    assert user.username == user.email == "joe@joesbody.test"
    assert (user.first_name, user.last_name) == ("Joe", "Rivera")
    assert user.check_password("bumper-to-bumper-42")
    assert membership.role == Role.OWNER
    assert list(membership.locations.all()) == [location]
    assert workspace.name == location.name == "Joe's Body & Paint"
    assert workspace.plan == Plan.PROFESSIONAL and standing(workspace) is Standing.TRIAL
    assert location.workspace == workspace
    assert (location.phone, location.timezone) == ("+15125550123", "America/Chicago")
    assert location.stages.count() == 8  # location_create's defaults
    assert workspace.onboarding_closed_at is None  # the checklist is offered


def test_a_failure_midway_leaves_nothing(monkeypatch):
    before = _counts()

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(signup_module.services, "membership_add", boom)
    with pytest.raises(RuntimeError):
        workspace_sign_up(_signup())
    assert _counts() == before


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"slug": "staff"}, "slug", "reserved"),
    ({"slug": "Bad_Slug!"}, "slug", "lowercase"),
    ({"password": "password"}, "password", "common"),
    ({"password": "short"}, "password", "too short"),
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"phone": "12"}, "phone", "not a valid phone number"),
    ({"phone": ""}, "phone", "phone number"),
    ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
    ({"plan": "platinum"}, "plan", "plan"),
    ({"shop_name": "   "}, "shop_name", "shop's name"),
])
def test_validation(changes, field, words):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        workspace_sign_up(_signup(**changes))
    assert words in " ".join(exc.value.message_dict[field]).lower()
    assert _counts() == before


def test_taken_slug_including_an_old_alias(location):
    with pytest.raises(ValidationError) as exc:
        workspace_sign_up(_signup(slug="northside"))
    assert "Another shop uses that address" in exc.value.message_dict["slug"][0]
    SlugAlias.objects.create(slug="old-northside", location=location)
    with pytest.raises(ValidationError) as exc:
        workspace_sign_up(_signup(slug="old-northside"))
    assert "slug" in exc.value.message_dict


def test_duplicate_email_any_case(owner):
    with pytest.raises(ValidationError) as exc:
        workspace_sign_up(_signup(email="OWNER@northside.test"))
    assert exc.value.message_dict["email"] == [EMAIL_TAKEN]


def test_slug_suggestion():
    assert slug_suggest("Joe's Body & Paint") == "joes-body-paint"
    assert slug_suggest("  Café_Collision  ") == "cafe-collision"
    assert len(slug_suggest("x" * 80)) == 50


# ---- the page ---------------------------------------------------------------------------

def test_page_offers_plans_and_trial(client):
    html = client.get("/signup").content.decode()
    assert "14-day free trial" in html and "no credit card" in html.lower()
    for name in ("Starter", "Professional", "Elite", "Enterprise"):
        assert name in html
    assert '<option value="professional" selected>' in html
    assert '<option value="America/Chicago" selected>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_login_page_links_to_signup(client):
    assert reverse("signup") in client.get(reverse("backoffice:login")).content.decode()


def test_page_signs_up_signs_in_and_opens_the_checklist(client):
    response = client.post("/signup", GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:welcome")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "0 of 6 done" in page.content.decode()


def test_slug_made_from_the_name_when_left_empty(client):
    assert client.post("/signup", {**GOOD, "slug": ""}).status_code == 302
    assert Location.objects.filter(slug="joes-body-paint").exists()


def test_bad_input_is_a_400_with_every_reason(client, owner):
    response = client.post("/signup", {**GOOD, "email": "owner@northside.test",
                                       "password": "123", "slug": "api", "name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That email already has an account — sign in or reset your password" in html
    assert "reserved" in html and "This password is too short" in html
    assert "This field is required" in html or "Enter your name" in html
    assert Workspace.objects.count() == 1  # only the fixture's


@pytest.mark.parametrize("junk", [{}, {"plan": "x" * 5000}, {"shop_name": "\x00"},
                                  {"timezone": ["a", "b"]}])
def test_garbage_never_500s(client, junk):
    response = client.post("/signup", {**GOOD, **junk} if junk else {})
    assert response.status_code == 400


def test_csrf_is_required():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/signup", GOOD).status_code == 403
    assert not Workspace.objects.exists()


def test_rate_limited_per_client_address(client, monkeypatch):
    monkeypatch.setattr(signup_module, "SIGNUPS_PER_CLIENT", 2)
    for _ in range(2):
        assert client.post("/signup", {**GOOD, "password": "1"}).status_code == 400
    response = client.post("/signup", GOOD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many sign-up attempts" in response.content.decode()
    assert not Workspace.objects.exists()
    # Another address is not affected.
    other = client.post("/signup", GOOD, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_race_for_the_address_is_a_field_error(monkeypatch):
    """Another sign-up took the address between the check and the insert."""
    from django.db import IntegrityError

    def taken(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(signup_module.services, "staff_user_create", taken)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        workspace_sign_up(_signup())
    assert "Another shop uses that address" in exc.value.message_dict["slug"][0]
    assert _counts() == before
