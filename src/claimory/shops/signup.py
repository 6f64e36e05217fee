"""A shop signs itself up: workspace (on a 14-day trial), first location, owner — at once.

``workspace_sign_up`` checks everything first and says what is wrong per field, then writes
every row in one transaction, so a failure half-way (or a race for the same address or
email) leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from claimory.core.phones import normalize_phone
from claimory.core.rate_window import FixedWindow
from claimory.core.text import has_visible_text
from claimory.shops import services
from claimory.shops.models import Plan, Role
from claimory.shops.plans import PLANS
from claimory.shops.slugs import slug_check_new

# Time zones offered on the form (US and Canada shops); the location's settings take any.
TIMEZONES: dict[str, str] = {
    "America/New_York": "Eastern",
    "America/Chicago": "Central",
    "America/Denver": "Mountain",
    "America/Phoenix": "Mountain, no DST (Arizona)",
    "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
    "America/Halifax": "Atlantic",
    "America/Puerto_Rico": "Puerto Rico",
}
DEFAULT_TIMEZONE = "America/Chicago"
DEFAULT_PLAN = Plan.PROFESSIONAL

EMAIL_TAKEN = "That email already has an account — sign in or reset your password."
SIGNUPS_PER_CLIENT = 10  # sign-up attempts (typos included) per client address per hour
_CLIENTS = FixedWindow("signup-ip", 3600)


@dataclass(frozen=True)
class SignUp:
    shop_name: str
    name: str
    email: str
    password: str
    plan: str
    phone: str
    timezone: str
    slug: str


def signup_retry_after(client: str) -> int | None:
    """Seconds to wait when this address tried too often (every attempt counts)."""
    return _CLIENTS.take(client, SIGNUPS_PER_CLIENT)


def email_taken(email: str) -> bool:
    User = get_user_model()
    return User.objects.filter(username=email).exists() or \
        User.objects.filter(email__iexact=email).exists()


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:150], last.strip()[:150]


def signup_clean(data: SignUp) -> SignUp:
    """The sign-up, normalized, or ValidationError({field: [messages]}) naming every problem."""
    errors: dict[str, list[str]] = {}
    shop_name = " ".join((data.shop_name or "").split())
    if not has_visible_text(shop_name) or len(shop_name) > 120:
        errors["shop_name"] = ["Enter your shop's name (up to 120 characters)."]
    name = " ".join((data.name or "").split())
    if not has_visible_text(name) or len(name) > 150:
        errors["name"] = ["Enter your name."]
    email = (data.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address, like you@yourshop.com."]
    else:
        if email_taken(email):
            errors["email"] = [EMAIL_TAKEN]
    first, last = _split_name(name)
    User = get_user_model()
    try:
        validate_password(data.password or "", User(username=email, email=email,
                                                     first_name=first, last_name=last))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if data.plan not in PLANS:
        errors["plan"] = ["Choose a plan to try."]
    try:
        phone = normalize_phone((data.phone or "")[:40], "US")
    except ValidationError as exc:
        errors["phone"] = list(exc.messages)
    else:
        if not phone:
            errors["phone"] = ["Enter the shop's phone number."]
    if data.timezone not in TIMEZONES:
        errors["timezone"] = ["Choose your shop's time zone."]
    try:
        slug = slug_check_new(data.slug)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        slug = ""
    if errors:
        raise ValidationError(errors)
    return SignUp(shop_name=shop_name, name=name, email=email, password=data.password,
                  plan=data.plan, phone=phone, timezone=data.timezone, slug=slug)


def workspace_sign_up(data: SignUp):
    """Create the workspace (trial of the chosen plan), its first location, the owner's user
    and membership, all or nothing. Returns the new user (to sign in)."""
    clean = signup_clean(data)
    first, last = _split_name(clean.name)
    try:
        with transaction.atomic():
            workspace = services.workspace_create(name=clean.shop_name, plan=clean.plan,
                                                  trial=True)
            location = services.location_create(
                workspace=workspace, slug=clean.slug, name=clean.shop_name, phone=clean.phone,
                timezone=clean.timezone, email=clean.email)
            user = services.staff_user_create(email=clean.email, password=clean.password,
                                              first_name=first, last_name=last)
            services.membership_add(user=user, workspace=workspace, role=Role.OWNER,
                                    locations=[location])
    except IntegrityError:
        # Someone took the address or the email between the check and the insert.
        if email_taken(clean.email):
            raise ValidationError({"email": [EMAIL_TAKEN]}) from None
        raise ValidationError({"slug": ["Another shop uses that address. Pick another."]}
                              ) from None
    except ValidationError as exc:  # location_create's own checks (a race on the slug)
        if hasattr(exc, "error_dict") and "slug" in exc.error_dict:
            raise ValidationError({"slug": ["Another shop uses that address. Pick another."]}
                                  ) from None
        raise
    return user

