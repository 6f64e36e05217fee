"""Plans, the trial and what each plan includes — the one place that answers "may this
workspace use X?".

Every customer-experience feature (portal, texting, email, e-signature, photos, estimates,
appointments, survey, reports) is on every plan: a shop never has to pay more to keep its
customers informed. Plans tier up presentation and scale only — the shop's own branding on
Professional and above, group reports across locations on Elite and above, a group
co-branded portal on Enterprise.

A new workspace starts a 14-day trial of the plan it chose, without a card. When the trial
ends without a plan being chosen, nothing is deleted and nothing a customer already has stops
working (portal links, messages, signing, texts about open repairs); the shop can read,
answer and export everything, but can't open new claims until it chooses a plan.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from claimory.shops.models import Plan, Workspace

TRIAL_DAYS = 14
WARN_DAYS = 3  # the back office starts counting down this many days before the trial ends


class Feature(enum.StrEnum):
    BRANDING = "branding"  # logo, colours, tagline on the portal, printables, emails, page
    GROUP_REPORTS = "group_reports"  # reports across every location of the workspace
    GROUP_PORTAL = "group_portal"  # the group's co-brand on the portal and public page


FEATURE_NAMES = {
    Feature.BRANDING: "Your logo, colours and tagline on the portal, printouts and emails",
    Feature.GROUP_REPORTS: "Reports across all your locations",
    Feature.GROUP_PORTAL: "Your group's co-brand on every location's portal",
}


@dataclass(frozen=True)
class PlanInfo:
    plan: str
    name: str
    price: int | None  # US dollars per location per month; None: priced with the group
    features: frozenset[Feature]
    blurb: str


PLANS: dict[str, PlanInfo] = {info.plan: info for info in (
    PlanInfo(Plan.STARTER, "Starter", 49, frozenset(),
             "Everything your customers see, in a clean neutral theme with your shop's name."),
    PlanInfo(Plan.PROFESSIONAL, "Professional", 129, frozenset({Feature.BRANDING}),
             "Everything in Starter, carrying your logo and colours."),
    PlanInfo(Plan.ELITE, "Elite", 199, frozenset({Feature.BRANDING, Feature.GROUP_REPORTS}),
             "Everything in Professional, with reports across your locations."),
    PlanInfo(Plan.ENTERPRISE, "Enterprise", None,
             frozenset({Feature.BRANDING, Feature.GROUP_REPORTS, Feature.GROUP_PORTAL}),
             "For groups: a co-branded portal across every location. Priced with you."),
)}


class Standing(enum.StrEnum):
    TRIAL = "trial"
    ACTIVE = "active"
    ENDED = "ended"  # the trial ran out before a plan was chosen


def plan_info(workspace: Workspace) -> PlanInfo:
    return PLANS.get(workspace.plan, PLANS[Plan.STARTER])


def has_feature(workspace: Workspace, feature: Feature) -> bool:
    """What the plan includes. A trial gets its plan's features; so does an ended trial —
    it keeps looking the way the customer last saw it."""
    return feature in plan_info(workspace).features


def standing(workspace: Workspace, now: dt.datetime | None = None) -> Standing:
    """Chosen a plan (or made before trials existed, with no end): active; else on trial
    until ``trial_ends_at``, then ended."""
    if workspace.subscribed_at is not None or workspace.trial_ends_at is None:
        return Standing.ACTIVE
    return Standing.TRIAL if (now or timezone.now()) < workspace.trial_ends_at \
        else Standing.ENDED


def trial_days_left(workspace: Workspace, now: dt.datetime | None = None) -> int:
    """Whole days left, rounded up (ends later today: 1); 0 once ended or when not on trial."""
    if standing(workspace, now) is not Standing.TRIAL:
        return 0
    seconds = (workspace.trial_ends_at - (now or timezone.now())).total_seconds()
    return max(1, math.ceil(seconds / 86400))


class PlanRequired(PermissionDenied):
    """The trial ended: the action needs a plan chosen first (an API answers 402)."""


def require_open(workspace: Workspace) -> None:
    """Refuse new work (opening claims) once the trial ended; reading, answering customers
    and everything already under way carry on."""
    if standing(workspace) is Standing.ENDED:
        ended = timezone.localdate(workspace.trial_ends_at)
        raise PlanRequired(f"The free trial ended on {ended:%B} {ended.day}. Your data is all "
                           f"here; choose a plan in Settings → Plan to open new claims.")


@dataclass(frozen=True)
class PlanStatus:
    """What the back office's banner and the Plan page show."""

    name: str
    standing: Standing
    days_left: int
    ends_on: dt.date | None

    @property
    def warn(self) -> bool:
        return self.standing is Standing.ENDED or (
            self.standing is Standing.TRIAL and self.days_left <= WARN_DAYS)


def plan_status(workspace: Workspace, now: dt.datetime | None = None) -> PlanStatus:
    ends = workspace.trial_ends_at
    return PlanStatus(plan_info(workspace).name, standing(workspace, now),
                      trial_days_left(workspace, now),
                      timezone.localdate(ends) if ends else None)
