"""Workspaces, locations, stages, staff memberships and API keys: everything that writes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from claimory.core.phones import normalize_phone
from claimory.core.text import has_visible_text
from claimory.shops.models import (
    ApiKey,
    Location,
    Membership,
    Plan,
    Role,
    SlugAlias,
    Stage,
    Workspace,
)
from claimory.shops.permissions import authorize
from claimory.shops.stages import DEFAULT_STAGES

API_KEY_PREFIX = "clm_"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@transaction.atomic
def workspace_create(*, name: str, plan: str = "starter", trial: bool = True) -> Workspace:
    """A new workspace on a free trial of ``plan`` (no card), or with the plan chosen."""
    from claimory.shops.plans import TRIAL_DAYS  # plans imports the models this module uses

    now = timezone.now()
    return Workspace.objects.create(
        name=name, plan=plan,
        trial_ends_at=now + dt.timedelta(days=TRIAL_DAYS) if trial else None,
        subscribed_at=None if trial else now)


@transaction.atomic
def workspace_plan_choose(*, workspace: Workspace, plan: str, actor: Any = None) -> Workspace:
    """Choose (or change) the plan. Ends the trial as a paying workspace; a downgrade keeps
    everything (a logo stays stored, just not shown, until the plan includes it again)."""
    authorize(actor, "billing.manage")
    if plan not in Plan.values:
        raise ValidationError({"plan": [f"Choose one of: {', '.join(Plan.labels)}."]})
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    workspace.plan = plan
    workspace.subscribed_at = workspace.subscribed_at or timezone.now()
    workspace.save(update_fields=["plan", "subscribed_at", "updated_at"])
    return workspace


@transaction.atomic
def location_create(*, workspace: Workspace, slug: str, name: str, **fields: Any) -> Location:
    """A new shop with the eight default stages (renamable and reorderable afterwards)."""
    location = Location(workspace=workspace, slug=slug, name=name, **fields)
    location.full_clean()
    if SlugAlias.objects.filter(slug=slug).exists():  # another shop's old address redirects
        raise ValidationError({"slug": ["Another shop uses that address. Pick another."]})
    location.save()
    Stage.objects.bulk_create(
        Stage(location=location, position=i, slug=s.slug, name=s.name, name_es=s.name_es,
              explanation_en=s.explanation_en, explanation_es=s.explanation_es,
              is_delivery=s.is_delivery)
        for i, s in enumerate(DEFAULT_STAGES)
    )
    # Imported here: notifications builds on shops. Default texts start as drafts.
    from claimory.notifications.services import templates_seed

    templates_seed(location)
    return location


def validate_hours(value: Any, field_name: str) -> dict:
    """Hours are {"mon": {"open": "HH:MM", "close": "HH:MM"} | None, ...}."""
    if not isinstance(value, dict):
        raise ValidationError({field_name: ["Hours must be an object keyed by mon…sun."]})
    out: dict[str, Any] = {}
    for day in DAYS:
        span = value.get(day)
        if span in (None, {}, ""):
            out[day] = None
            continue
        if not isinstance(span, dict) or not {"open", "close"} <= set(span):
            raise ValidationError({field_name: [f"{day}: give open and close, or null if closed."]})
        try:
            opens = timezone.datetime.strptime(str(span["open"]), "%H:%M").time()
            closes = timezone.datetime.strptime(str(span["close"]), "%H:%M").time()
        except ValueError as exc:
            raise ValidationError({field_name: [f"{day}: use 24-hour times like 07:30."]}) from exc
        if closes <= opens:
            raise ValidationError({field_name: [f"{day}: closing time must be after opening."]})
        out[day] = {"open": opens.strftime("%H:%M"), "close": closes.strftime("%H:%M")}
    extra = set(value) - set(DAYS)
    if extra:
        raise ValidationError({field_name: [f"Unknown day(s): {', '.join(sorted(extra))}."]})
    return out


LOCATION_EDITABLE = (
    "name", "phone", "sms_number", "email", "address_line1", "address_line2", "city", "region",
    "postal_code", "timezone", "business_hours", "pickup_hours", "brand_color", "tagline",
    "show_estimate_total", "show_deductible", "portal_expiry_days",
    "messaging_profile_id", "sms_quiet_start", "sms_quiet_end", "tone",
    "survey_enabled", "survey_delay_hours", "survey_expiry_days", "review_url",
    "website_url", "facebook_url", "instagram_url",
)
PROFILE_ID = re.compile(r"^[A-Za-z0-9-]{0,64}$")


@transaction.atomic
def location_update(*, location: Location, changes: dict[str, Any], actor: Any = None
                    ) -> Location:
    """Validate and apply location settings; raises ValidationError({field: [...]})."""
    authorize(actor, "settings.location", location)
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - set(LOCATION_EDITABLE)
    if unknown:
        errors["__all__"] = [f"These fields cannot be changed: {', '.join(sorted(unknown))}."]
    clean = dict(changes)
    for phone_field in ("phone", "sms_number"):
        if phone_field in clean:
            try:
                clean[phone_field] = normalize_phone(clean[phone_field] or "",
                                                     location.country or "US")
            except ValidationError as exc:
                errors.setdefault(phone_field, []).extend(exc.messages)
    for time_field in ("sms_quiet_start", "sms_quiet_end"):
        if time_field in clean and not isinstance(clean[time_field], dt.time):
            try:
                clean[time_field] = dt.time.fromisoformat(str(clean[time_field]))
            except ValueError:
                errors.setdefault(time_field, []).append("Use a 24-hour time like 21:00.")
    if "messaging_profile_id" in clean:
        clean["messaging_profile_id"] = str(clean["messaging_profile_id"] or "").strip()
        if not PROFILE_ID.match(clean["messaging_profile_id"]):
            errors.setdefault("messaging_profile_id", []).append(
                "Paste the messaging profile's id from the Telnyx portal (letters, digits, -).")
    if "name" in clean and not has_visible_text(clean["name"]):
        errors.setdefault("name", []).append("Enter the location's name.")
    if "timezone" in clean and clean["timezone"] not in available_timezones():
        errors.setdefault("timezone", []).append(
            "Unknown time zone. Use a name like America/Chicago.")
    for hours_field in ("business_hours", "pickup_hours"):
        if hours_field in clean:
            try:
                clean[hours_field] = validate_hours(clean[hours_field], hours_field)
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    errors.setdefault(key, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    for name, value in clean.items():
        setattr(location, name, value)
    location.full_clean(exclude=["logo", "workspace"])
    location.save()
    return location


def location_timezone(location: Location) -> ZoneInfo:
    try:
        return ZoneInfo(location.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


@transaction.atomic
def membership_add(*, user, workspace: Workspace, role: str = Role.FRONT_DESK,
                   locations: list[Location] | None = None) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": role}
    )
    if locations is not None:
        membership.locations.set(locations)
    return membership


def staff_user_create(*, email: str, password: str, first_name: str = "", last_name: str = ""):
    User = get_user_model()
    user = User.objects.create_user(username=email.lower(), email=email.lower(), password=password,
                                    first_name=first_name, last_name=last_name)
    return user


# ---- stages -------------------------------------------------------------------------------

@transaction.atomic
def stage_update(*, stage: Stage, changes: dict[str, Any], actor: Any = None) -> Stage:
    authorize(actor, "settings.stages", stage.location)
    allowed = {"name", "name_es", "explanation_en", "explanation_es"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({"__all__": [f"Cannot change: {', '.join(sorted(unknown))}."]})
    for name, value in changes.items():
        setattr(stage, name, (value or "").strip())
    if not has_visible_text(stage.name):
        raise ValidationError({"name": ["A stage needs a name."]})
    stage.save()
    return stage


@transaction.atomic
def stage_reorder(*, location: Location, slugs: list[str], actor: Any = None) -> None:
    """Set the board's column order; ``slugs`` must list every stage of the location once."""
    authorize(actor, "settings.stages", location)
    stages = {s.slug: s for s in Stage.objects.select_for_update().filter(location=location)}
    if sorted(slugs) != sorted(stages):
        raise ValidationError({"stages": ["List every stage exactly once."]})
    for position, slug in enumerate(slugs):
        stage = stages[slug]
        if stage.position != position:
            stage.position = position
            stage.save(update_fields=["position", "updated_at"])


@transaction.atomic
def stage_add(*, location: Location, name: str, slug: str = "", explanation_en: str = "",
              explanation_es: str = "", name_es: str = "", actor: Any = None) -> Stage:
    from django.utils.text import slugify

    authorize(actor, "settings.stages", location)

    slug = (slug or slugify(name).replace("-", "_"))[:40]
    if not slug:
        raise ValidationError({"name": ["A stage needs a name."]})
    if Stage.objects.filter(location=location, slug=slug).exists():
        raise ValidationError({"slug": [f"A stage “{slug}” already exists."]})
    last = Stage.objects.filter(location=location).aggregate(m=Max("position"))["m"]
    return Stage.objects.create(location=location, slug=slug, name=name.strip(), name_es=name_es,
                                explanation_en=explanation_en, explanation_es=explanation_es,
                                position=(last or 0) + 1)


# ---- API keys -----------------------------------------------------------------------------

def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, location: Location, name: str = "API key", actor: Any = None
                  ) -> tuple[ApiKey, str]:
    """Return the stored key row and the raw key, which is shown once and never stored."""
    authorize(actor, "apikey.manage", location)
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(location=location, name=name, prefix=raw[:10],
                                key_hash=_hash_key(raw))
    return key, raw


def apikey_revoke(*, key: ApiKey, actor: Any = None) -> None:
    authorize(actor, "apikey.manage", key.location)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])


def apikey_authenticate(raw: str) -> ApiKey | None:
    """The live key for ``raw``, with its location loaded; None for unknown or revoked keys."""
    if not raw or not raw.startswith(API_KEY_PREFIX) or len(raw) > 100:
        return None
    key = (ApiKey.objects.select_related("location", "location__workspace")
           .filter(key_hash=_hash_key(raw), revoked_at__isnull=True).first())
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
