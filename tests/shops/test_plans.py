"""Plans and the trial: what each plan includes, the trial's clock, and what ending it does
(new claims refused with a reason; nothing lost, customers' links keep working)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.services import ClaimInput, CustomerInput, VehicleInput, claim_create
from claimory.claims.services.portal_links import portal_token
from claimory.shops.models import Plan, Role
from claimory.shops.plans import (
    PLANS,
    Feature,
    PlanRequired,
    Standing,
    has_feature,
    plan_status,
    standing,
    trial_days_left,
)
from claimory.shops.services import apikey_create, workspace_create, workspace_plan_choose
from tests.api.conftest import ApiClient
from tests.factories import make_staff


def _input() -> ClaimInput:
    return ClaimInput(customer=CustomerInput(name="Ana Ruiz", phone="+15125550142"),
                      vehicle=VehicleInput(year=2021, make="Honda", model="Civic"))


def _end_trial(workspace) -> None:
    workspace.trial_ends_at = timezone.now() - dt.timedelta(hours=1)
    workspace.subscribed_at = None
    workspace.save()


@pytest.mark.parametrize("plan,branding,group_reports,group_portal", [
    (Plan.STARTER, False, False, False),
    (Plan.PROFESSIONAL, True, False, False),
    (Plan.ELITE, True, True, False),
    (Plan.ENTERPRISE, True, True, True),
])
@pytest.mark.django_db
def test_entitlements_per_plan(plan, branding, group_reports, group_portal):
    workspace = workspace_create(name="Shop", plan=plan)
    assert has_feature(workspace, Feature.BRANDING) is branding
    assert workspace.has_branding is branding
    assert has_feature(workspace, Feature.GROUP_REPORTS) is group_reports
    assert has_feature(workspace, Feature.GROUP_PORTAL) is group_portal


def test_plans_tier_up_and_are_priced_per_location():
    ordered = list(PLANS.values())
    for lower, higher in zip(ordered, ordered[1:], strict=False):
        assert lower.features <= higher.features, (lower.name, higher.name)
    assert (PLANS[Plan.STARTER].price, PLANS[Plan.PROFESSIONAL].price) == (49, 129)


@pytest.mark.django_db
def test_a_new_workspace_is_on_a_14_day_trial_without_a_card():
    workspace = workspace_create(name="Shop", plan=Plan.PROFESSIONAL)
    now = timezone.now()
    assert standing(workspace, now) is Standing.TRIAL
    assert trial_days_left(workspace, now) == 14
    assert trial_days_left(workspace, workspace.trial_ends_at - dt.timedelta(hours=2)) == 1
    assert standing(workspace, workspace.trial_ends_at) is Standing.ENDED
    assert trial_days_left(workspace, workspace.trial_ends_at) == 0
    status = plan_status(workspace, workspace.trial_ends_at - dt.timedelta(days=2))
    assert status.warn and status.days_left == 2 and status.name == "Professional"
    assert not plan_status(workspace, now).warn


@pytest.mark.django_db
def test_workspaces_from_before_trials_and_paying_ones_are_active():
    legacy = workspace_create(name="Old", trial=False)
    assert standing(legacy) is Standing.ACTIVE
    legacy.subscribed_at = None
    legacy.trial_ends_at = None  # made before trials existed
    assert standing(legacy) is Standing.ACTIVE


@pytest.mark.django_db
def test_after_the_trial_new_claims_are_refused_and_nothing_is_lost(workspace, location,
                                                                    claim):
    _end_trial(workspace)
    location.refresh_from_db()
    with pytest.raises(PlanRequired, match="choose a plan"):
        claim_create(location=location, data=_input())
    assert Claim.objects.filter(location=location).count() == 1
    # The customer's portal still opens.
    assert Client().get(f"/c/{portal_token(claim)}").status_code == 200


@pytest.mark.django_db
def test_choosing_a_plan_ends_the_trial_and_claims_open_again(workspace, location, owner):
    _end_trial(workspace)
    workspace = workspace_plan_choose(workspace=workspace, plan=Plan.STARTER, actor=owner)
    assert standing(workspace) is Standing.ACTIVE and workspace.plan == Plan.STARTER
    location.refresh_from_db()
    assert claim_create(location=location, data=_input()).pk


@pytest.mark.django_db
def test_the_api_answers_402_after_the_trial(workspace, location):
    api = ApiClient(apikey_create(location=location, name="DMS")[1])
    _end_trial(workspace)
    answer = api.post("/api/v1/claims", {
        "customer": {"name": "Ana Ruiz", "phone": "+15125550142"},
        "vehicle": {"year": 2021, "make": "Honda", "model": "Civic"}})
    assert answer.status_code == 402
    assert json.loads(answer.content)["error"]["code"] == "plan_required"
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_the_back_office_counts_down_and_explains_the_end(workspace, location, owner):
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("backoffice:claims")).content.decode()
    assert "Free trial of Professional: 14 days left." in page
    _end_trial(workspace)
    page = client.get(reverse("backoffice:claim_new")).content.decode()
    assert "new claims can't be opened until a plan is chosen" in page
    assert reverse("backoffice:settings_plan") in page
    refused = client.post(reverse("backoffice:claim_new"), {"location": location.slug})
    assert refused.status_code in (400, 403)


@pytest.mark.django_db
def test_owner_chooses_a_plan_on_the_plan_page(workspace, location, owner):
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("backoffice:settings_plan")).content.decode()
    assert "$129" in page and "Choose Elite" in page
    answer = client.post(reverse("backoffice:settings_plan_choose"), {"plan": "elite"})
    assert answer.status_code == 302
    workspace.refresh_from_db()
    assert workspace.plan == Plan.ELITE and workspace.subscribed_at is not None
    page = client.get(reverse("backoffice:claims")).content.decode()
    assert "Free trial" not in page


@pytest.mark.django_db
def test_a_bad_plan_name_changes_nothing(workspace, location, owner):
    client = Client()
    client.force_login(owner)
    client.post(reverse("backoffice:settings_plan_choose"), {"plan": "platinum"})
    workspace.refresh_from_db()
    assert workspace.plan == Plan.PROFESSIONAL and workspace.subscribed_at is None


@pytest.mark.django_db
def test_a_manager_sees_the_plans_but_cannot_choose(workspace, location):
    client = Client()
    client.force_login(make_staff(workspace, Role.MANAGER, email="m@northside.test"))
    page = client.get(reverse("backoffice:settings_plan")).content.decode()
    assert "Only the workspace owner can change the plan." in page
    assert "Choose Elite" not in page
    assert client.post(reverse("backoffice:settings_plan_choose"),
                       {"plan": "elite"}).status_code == 403


@pytest.mark.django_db
def test_a_downgrade_keeps_the_branding_stored(workspace, location, owner):
    location.tagline = "Family-run since 1989"
    location.save()
    workspace_plan_choose(workspace=workspace, plan=Plan.STARTER, actor=owner)
    location.refresh_from_db()
    assert location.tagline == "Family-run since 1989"
    assert not location.workspace.has_branding
