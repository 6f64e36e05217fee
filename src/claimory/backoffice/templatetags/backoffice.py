"""Template helpers for staff pages: phones, money, days in stage, ETA state, form inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.forms import BoundField
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.services import location_today
from claimory.core.phones import display_phone

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
def eta_past_due(claim: Claim) -> bool:
    """Not delivered and the ETA is before today in the shop's own time zone."""
    return bool(claim.eta and claim.delivered_at is None
                and claim.eta < location_today(claim.location))


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
