"""Template helpers for staff pages: phones, money, days in stage, ETA state, form inputs,
the inbox badge and what the live script needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from claimory.backoffice.switcher import working_location
from claimory.claims.models import Claim
from claimory.claims.services import location_today
from claimory.core.phones import display_phone
from claimory.messaging.selectors import inbox_counts
from claimory.shops.selectors import locations_for_user

register = template.Library()

@register.filter
def phone(value: str) -> str:
    return display_phone(value or "")


@register.filter
def money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.2f}"


@register.filter
def days_since(value: dt.datetime | None) -> int | None:
    if value is None:
        return None
    return max(0, (timezone.now() - value).days)


@register.filter
def waited(value: dt.datetime | None) -> str:
    """How long something has waited, to the largest unit ("3 hours", "2 days")."""
    if value is None:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return "less than a minute"
    return timesince(value, depth=1)


@register.filter
def eta_past_due(claim: Claim) -> bool:
    """Not delivered and the ETA is before today in the shop's own time zone."""
    return bool(claim.eta and claim.delivered_at is None
                and claim.eta < location_today(claim.location))


@register.filter
def rental_now(claim: Claim):
    """The claim's rental coverage today (None without a rental start); the board attaches
    it for all its cards at once."""
    if not claim.rental_start:
        return None
    coverage = getattr(claim, "rental_now", None)
    if coverage is None:
        from claimory.money.rental import rental_coverage

        coverage = rental_coverage(claim, location_today(claim.location))
    return coverage


@register.simple_tag
def widget(field: BoundField, **attrs) -> str:
    """The field's input, tied to its help text and errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("backoffice/_inbox_badge.html", takes_context=True)
def inbox_badge(context) -> dict:
    return {"counts": inbox_counts(context["request"].user)}


@register.inclusion_tag("backoffice/_location_switcher.html", takes_context=True)
def location_switcher(context, place: str = "bar") -> dict:
    """The top bar's location picker, for teammates who see more than one location."""
    request = context["request"]
    if not hasattr(request, "_switcher"):  # the bar and the phone menu each show it
        locations = list(locations_for_user(request.user).order_by("name"))
        request._switcher = {"locations": locations if len(locations) > 1 else [],
                             "working": working_location(request, locations),
                             "next": request.get_full_path()}
    return {**request._switcher, "place": place}
@register.simple_tag(takes_context=True)
def follow_ups_badge(context) -> str:
    """The count of open survey follow-ups (nav), so a low score is seen at once."""
    from claimory.survey.selectors import open_follow_up_count

    count = open_follow_up_count(context["request"].user)
    if not count:
        return ""
    return format_html('<span class="nav-badge nav-badge--alert" id="follow-ups-badge">'
                       '<span aria-hidden="true">{}</span><span class="visually-hidden">: {} '
                       'open</span></span>', count, count)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def now_ms() -> int:
    """Server time in epoch ms: the live stream replays what happened after the page."""
    return int(timezone.now().timestamp() * 1000)


@register.filter
def board_order(claim: Claim) -> str:
    """A string that sorts like the board's columns (ETA, time in stage, id) for live.js."""
    eta = claim.eta.isoformat() if claim.eta else "9999-12-31"
    entered = claim.stage_entered_at.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S%f")
    return f"{eta}|{entered}|{claim.pk:012d}"
