"""Template filters that format dates and money for the portal in the active language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext, pgettext

register = template.Library()


def _date(value: dt.date | dt.datetime | None, fmt: str, fmt_with_year: str) -> str:
    if value is None or value == "":
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    # The year only when it is not this year: "Friday, May 16" reads better than with 2025.
    chosen = fmt if day.year == timezone.localdate().year else fmt_with_year
    return dateformat.format(value, chosen)


@register.filter(expects_localtime=True)
def long_date(value):
    """'Friday, May 16' / 'viernes 16 de mayo'."""
    return _date(value, pgettext("long date format", "l, F j"),
                 pgettext("long date format with year", "l, F j, Y"))


@register.filter(expects_localtime=True)
def short_date(value):
    """'May 16' / '16 may'."""
    return _date(value, pgettext("short date format", "M j"),
                 pgettext("short date format with year", "M j, Y"))


@register.filter
def money(value):
    """'$4,250.75' — US dollars, grouped the way US customers read them in either language."""
    if value is None or value == "":
        return ""
    return f"${Decimal(value):,.2f}"


@register.filter(expects_localtime=True)
def message_time(value):
    """'2:14 PM' today, 'May 16, 2:14 PM' before, with the year when it is not this year."""
    if not isinstance(value, dt.datetime):
        return ""
    clock = dateformat.format(value, gettext("g:i A"))
    if value.date() == timezone.localdate():
        return clock
    return pgettext("message day and time", "%(day)s, %(time)s") % {
        "day": short_date(value), "time": clock}
