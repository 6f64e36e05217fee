"""The "Get started" checklist at /staff/welcome: each step's state read from the real rows.

Nothing here is ticked by hand except the two things no row shows: that the default hours
are right (``Location.hours_confirmed_at``) and that a printout was opened
(``Workspace.first_printed_at``, set by the print views with one cheap UPDATE).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from claimory.shops.models import Location, Membership, Workspace, default_hours

DEFAULT_BRAND_COLOR = Location._meta.get_field("brand_color").default


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str
    done: bool
    url: str | None  # where it is done; None when this role can't go there
    action: str
    optional: bool = False


def hours_set(location: Location) -> bool:
    return location.hours_confirmed_at is not None or location.business_hours != default_hours()


def branded(location: Location) -> bool:
    return bool(location.logo) or bool(location.tagline) or \
        location.brand_color.lower() != DEFAULT_BRAND_COLOR


def checklist(workspace: Workspace, location: Location, *, can_texting: bool) -> list[Step]:
    from claimory.claims.models import Claim  # claims builds on shops

    settings_url = f"{reverse('backoffice:settings_location')}?location={location.slug}"
    latest = (Claim.objects.filter(location__workspace=workspace).order_by("-created_at")
              .only("pk").first())
    starter = not workspace.has_branding
    return [
        Step("hours", "Set your opening hours",
             "Customers see them on their page, and texts wait for them.",
             hours_set(location), f"{settings_url}#business_hours", "Set hours"),
        Step("branding", "Add your branding",
             "Your colour and tagline on the customer's page, printouts and emails." + (
                 " On Starter, customers see a clean neutral theme with your shop's name; "
                 "your colours show from Professional." if starter else ""),
             branded(location), f"{settings_url}#branding", "Add branding"),
        Step("team", "Invite your team",
             "Front desk, production and technicians each get their own sign-in.",
             Membership.objects.filter(workspace=workspace).count() > 1,
             reverse("backoffice:settings_team"), "Invite staff"),
        Step("texting", "Get a texting number",
             "Text customers their updates from your shop's own number.",
             bool(location.sms_number),
             f"{reverse('backoffice:settings_texting')}?location={location.slug}"
             if can_texting else None, "Set up texting", optional=True),
        Step("claim", "Open your first claim",
             "A customer, a car and an insurer: about a minute.",
             latest is not None, reverse("backoffice:claim_new"), "Open a claim"),
        Step("print", "Print its QR code",
             "The work order carries a QR code: the customer scans it to follow the repair.",
             workspace.first_printed_at is not None,
             reverse("printables:work_order", args=[latest.pk]) if latest else None,
             "Print the work order"),
    ]


def next_step(steps: list[Step]) -> Step | None:
    """The first required step not done: the page makes its button the primary one."""
    return next((s for s in steps if not s.done and not s.optional and s.url), None)


def finished(steps: list[Step]) -> bool:
    return all(step.done for step in steps if not step.optional)


def hours_confirm(location: Location) -> None:
    if location.hours_confirmed_at is None:
        location.hours_confirmed_at = timezone.now()
        location.save(update_fields=["hours_confirmed_at", "updated_at"])


def onboarding_close(workspace: Workspace) -> None:
    """Hide the checklist (finished, or "I'll do this later"); it stays at /staff/welcome."""
    Workspace.objects.filter(pk=workspace.pk, onboarding_closed_at__isnull=True).update(
        onboarding_closed_at=timezone.now())


def onboarding_reopen(workspace: Workspace) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(onboarding_closed_at=None)


def printed(workspace_id: int) -> None:
    """Called by the print views: one UPDATE, and only the first time matches a row."""
    Workspace.objects.filter(pk=workspace_id, first_printed_at__isnull=True).update(
        first_printed_at=timezone.now())
