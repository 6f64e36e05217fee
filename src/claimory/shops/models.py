"""Workspaces (the paying customer), their locations (shops), staff memberships and stages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.core.durable import Durable
from claimory.core.models import BaseModel

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use lowercase letters, digits and dashes (e.g. northside-collision)."),
)
hex_color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a color like #1d4ed8."))
# A link customers open: only web addresses (no ftp:, javascript: or the like).
review_url_validator = URLValidator(schemes=["http", "https"],
                                    message=_("Paste the full web address, starting with https://"))


class Plan(models.TextChoices):
    STARTER = "starter", "Starter"
    PROFESSIONAL = "professional", "Professional"
    ELITE = "elite", "Elite"
    ENTERPRISE = "enterprise", "Enterprise"


class Workspace(BaseModel):
    name = models.CharField(max_length=120)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.STARTER)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    # When a plan was chosen (billing follows); None while on trial. See shops/plans.py.
    subscribed_at = models.DateTimeField(null=True, blank=True)
    # Onboarding (shops/onboarding.py): the first printout of any claim, and when the
    # "Get started" checklist was finished or hidden (None: the nav still offers it).
    first_printed_at = models.DateTimeField(null=True, blank=True)
    onboarding_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_branding(self) -> bool:
        """Logo and colours are a Professional-and-above feature (PRODUCT.md §14)."""
        from claimory.shops.plans import Feature, has_feature  # plans imports this module

        return has_feature(self, Feature.BRANDING)


def default_hours() -> dict:
    weekdays = {"open": "07:30", "close": "17:30"}
    return {
        "mon": weekdays, "tue": weekdays, "wed": weekdays, "thu": weekdays, "fri": weekdays,
        "sat": {"open": "09:00", "close": "12:00"}, "sun": None,
    }


class Location(BaseModel):
    """One shop. Everything a customer sees about 'the shop' comes from here."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="locations")
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +15125550100")
    sms_number = models.CharField(max_length=20, blank=True, help_text="Telnyx number, E.164")
    email = models.EmailField(blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    timezone = models.CharField(max_length=64, default="America/Chicago")
    business_hours = models.JSONField(default=default_hours, blank=True)
    pickup_hours = models.JSONField(default=default_hours, blank=True)
    # The owner said the default hours are right (onboarding's "hours set" step).
    hours_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Branding (shown on Professional and above).
    logo = models.ImageField(upload_to="logos/", blank=True)
    brand_color = models.CharField(max_length=7, default="#1d4ed8",
                                   validators=[hex_color_validator])
    tagline = models.CharField(max_length=160, blank=True)
    # What the customer may see by default; each claim can override (None = use default).
    show_estimate_total = models.BooleanField(default=True)
    show_deductible = models.BooleanField(default=True)
    # Portal links stop working this many days after the car is delivered.
    portal_expiry_days = models.PositiveIntegerField(default=30)
    # Texting (claimory.sms). Telnyx applies STOP per messaging profile, so each location
    # has its own profile; its number is ``sms_number``.
    messaging_profile_id = models.CharField(max_length=64, blank=True)
    # Automated texts wait outside these local times (TCPA-style quiet hours).
    sms_quiet_start = models.TimeField(default=dt.time(21, 0))
    sms_quiet_end = models.TimeField(default=dt.time(8, 0))
    # How the shop sounds: AI drafts follow it (plus recent approved messages as examples).
    tone = models.TextField(blank=True, default="Friendly, plain and brief. First names. "
                            "No jargon, no exclamation marks.")
    # E-signature: a one-time code texted to the phone on file before signing, and how long
    # an unsigned document waits before the customer is reminded (0: never).
    esign_sms_code = models.BooleanField(default=False)
    esign_reminder_hours = models.PositiveSmallIntegerField(default=24)
    # Post-repair survey (claimory.survey): invited this long after delivery, answerable for
    # ``survey_expiry_days`` after the invitation. Every respondent is offered ``review_url``
    # (never only the happy ones: see README, "Post-repair survey").
    survey_enabled = models.BooleanField(default=True)
    survey_delay_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 14)])
    survey_expiry_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(90)])
    review_url = models.URLField(max_length=500, blank=True, validators=[review_url_validator],
                                 help_text="The shop's public review link (e.g. Google's "
                                           "“write a review” URL)")
    # Where else customers find the shop (the public page links them).
    website_url = models.URLField(max_length=300, blank=True, validators=[review_url_validator])
    facebook_url = models.URLField(max_length=300, blank=True, validators=[review_url_validator])
    instagram_url = models.URLField(max_length=300, blank=True,
                                    validators=[review_url_validator])

    class Meta(BaseModel.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_one_line(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city]
        tail = " ".join(p for p in [self.region, self.postal_code] if p)
        return ", ".join(p for p in [*parts, tail] if p)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    FRONT_DESK = "front_desk", _("Front desk")
    PRODUCTION = "production", _("Production")
    TECHNICIAN = "technician", _("Technician")


class Membership(BaseModel):
    """A staff user's role in one workspace and the locations they work at.

    Owners and managers see every location of the workspace; other roles only theirs.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.FRONT_DESK)
    locations = models.ManyToManyField(Location, blank=True, related_name="memberships")

    class Meta(BaseModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_ws")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.workspace}"

    @property
    def sees_all_locations(self) -> bool:
        return self.role in (Role.OWNER, Role.MANAGER)


class Stage(BaseModel):
    """One column of a location's production board and one step of the portal timeline."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="stages")
    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=60)
    name_es = models.CharField(max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    explanation_en = models.TextField(blank=True)
    explanation_es = models.TextField(blank=True)
    # The car is handed back: starts the portal-expiry clock.
    is_delivery = models.BooleanField(default=False)

    class Meta(BaseModel.Meta):
        ordering = ["location_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["location", "slug"], name="stage_slug_per_location")
        ]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_es if language == "es" and self.name_es else self.name

    def explanation(self, language: str) -> str:
        return self.explanation_es if language == "es" and self.explanation_es \
            else self.explanation_en


class ApiKey(BaseModel):
    """A revocable API key acting for one location; only its SHA-256 is stored."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80, default="API key")
    prefix = models.CharField(max_length=12, help_text="First characters, to tell keys apart")
    key_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.location.slug})"


class SlugAlias(BaseModel):
    """A public-page address a location used before: /p/<old> redirects to the new one for
    good (flyers and links already out there keep working), and no other shop can take it."""

    slug = models.SlugField(max_length=50, unique=True)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self) -> str:
        return f"{self.slug} → {self.location_id}"


class LogoJobState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    WORKING = "working", _("Processing")
    DONE = "done", _("Done")
    SUPERSEDED = "superseded", _("Replaced by a newer upload")
    FAILED = "failed", _("Failed")


class LogoJob(Durable, BaseModel):
    """An uploaded logo waiting to be cleaned and resized (shops/branding.py). The upload is
    kept here until the worker has written the location's logo from it."""

    PENDING = (LogoJobState.PENDING,)
    WORKING = LogoJobState.WORKING
    RELATED = ("location", "location__workspace")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="logo_jobs")
    source = models.FileField(upload_to="logo-uploads/", blank=True)
    state = models.CharField(max_length=10, choices=LogoJobState.choices,
                             default=LogoJobState.PENDING)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"logo for {self.location_id} ({self.state})"


class InviteEmailState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    WORKING = "working", _("Sending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not needed")
    FAILED = "failed", _("Failed")


class InviteEmail(Durable, BaseModel):
    """One invitation email to a teammate (shops/team.py), sent by the worker: a slow or
    refusing mail server never holds up the page, and a refusal is retried."""

    PENDING = (InviteEmailState.PENDING,)
    WORKING = InviteEmailState.WORKING
    RELATED = ("membership", "membership__user", "membership__workspace", "inviter")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="invite_emails")
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=InviteEmailState.choices,
                             default=InviteEmailState.PENDING)

    def __str__(self) -> str:
        return f"invite email for {self.membership_id} ({self.state})"
