"""Quiet hours: automated texts wait until morning in the location's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from claimory.shops.models import Location


def quiet_until(location: Location, at: dt.datetime | None = None) -> dt.datetime | None:
    """When an automated text may go out if ``at`` (default now) is inside the location's
    quiet hours; None when it may go now. Handles windows across midnight (21:00–08:00)."""
    at = at or timezone.now()
    zone = ZoneInfo(location.timezone)
    local = at.astimezone(zone)
    start, end = location.sms_quiet_start, location.sms_quiet_end
    if start == end:
        return None  # no quiet hours
    now_t = local.time()
    if start < end:
        quiet = start <= now_t < end
        release_day = local.date()
    else:
        quiet = now_t >= start or now_t < end
        release_day = local.date() + dt.timedelta(days=1) if now_t >= start else local.date()
    if not quiet:
        return None
    return dt.datetime.combine(release_day, end, tzinfo=zone)
