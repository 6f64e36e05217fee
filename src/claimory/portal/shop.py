"""What the public may know about a shop: contact, address, hours and brand, ready to render.

Both the customer portal and the public shop page (/p/<slug>) read a location only through
``shop_card``, so no private location setting (portal expiry, visibility defaults, mailbox)
can reach a customer-facing template by accident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from claimory.core.phones import display_phone
from claimory.shops.models import Location
from claimory.shops.plans import Feature, has_feature
from claimory.shops.services import DAYS, location_timezone


@dataclass(frozen=True)
class HoursRow:
    days: str  # "Mon – Fri", "Saturday"
    hours: str  # "7:30 AM – 5:30 PM" or "Closed"
    closed: bool
    includes_today: bool


@dataclass(frozen=True)
class Hours:
    rows: tuple[HoursRow, ...]
    status: str  # "Open now · until 5:30 PM" / "Closed now · opens Mon 7:30 AM"
    is_open: bool
    zone: str  # "CST"


@dataclass(frozen=True)
class ShopCard:
    slug: str
    name: str
    tagline: str
    phone: str  # E.164 for tel: links
    phone_display: str
    sms: str  # E.164 for sms: links: the location's texting number, "" when it has none
    sms_display: str
    address_lines: tuple[str, ...]
    map_url: str
    logo_url: str
    brand_css_url: str
    branded: bool
    pickup_hours: Hours
    business_hours: Hours
    group_name: str = ""  # the group's co-brand (Enterprise): "Part of <group>"
    review_url: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (label, url): website and social pages


def _time_label(value: str) -> str:
    """'07:30' in the active language's clock ('7:30 AM' / '7:30')."""
    parsed = dt.datetime.strptime(value, "%H:%M").time()  # noqa: DTZ007 - a wall-clock time
    return formats.time_format(parsed, _("g:i A"))


def _span_label(span: dict | None) -> str:
    if not span:
        return _("Closed")
    return f"{_time_label(span['open'])} – {_time_label(span['close'])}"


def _group_days(hours: dict, today_index: int) -> tuple[HoursRow, ...]:
    """Consecutive days with the same hours share a row (Mon – Fri 7:30 AM – 5:30 PM)."""
    rows: list[HoursRow] = []
    start = 0
    for i in range(1, len(DAYS) + 1):
        if i < len(DAYS) and hours.get(DAYS[i]) == hours.get(DAYS[start]):
            continue
        span = hours.get(DAYS[start])
        if i - 1 == start:
            days = str(WEEKDAYS[start])
        else:
            days = f"{WEEKDAYS_ABBR[start]} – {WEEKDAYS_ABBR[i - 1]}"
        rows.append(HoursRow(days=days, hours=_span_label(span), closed=not span,
                             includes_today=start <= today_index <= i - 1))
        start = i
    return tuple(rows)


def _status(hours: dict, now: dt.datetime) -> tuple[str, bool]:
    today = hours.get(DAYS[now.weekday()])
    clock = now.strftime("%H:%M")
    if today and today["open"] <= clock < today["close"]:
        return _("Open now · until %(time)s") % {"time": _time_label(today["close"])}, True
    for ahead in range(0, 8):
        day_index = (now.weekday() + ahead) % 7
        span = hours.get(DAYS[day_index])
        if not span or (ahead == 0 and clock >= span["open"]):
            continue
        when = _time_label(span["open"])
        if ahead == 0:
            return _("Closed now · opens at %(time)s") % {"time": when}, False
        if ahead == 1:
            return _("Closed now · opens tomorrow at %(time)s") % {"time": when}, False
        return _("Closed now · opens %(day)s at %(time)s") % {
            "day": WEEKDAYS[day_index], "time": when}, False
    return _("Closed"), False


def shop_hours(location: Location, hours: dict | None, now: dt.datetime | None = None) -> Hours:
    """Hours rows plus an open/closed line, both in the shop's own time zone."""
    local_now = (now or timezone.now()).astimezone(location_timezone(location))
    clean = hours if isinstance(hours, dict) else {}
    status, is_open = _status(clean, local_now)
    return Hours(rows=_group_days(clean, local_now.weekday()), status=status, is_open=is_open,
                 zone=local_now.strftime("%Z"))


def map_url(location: Location) -> str:
    query = ", ".join(p for p in [location.name, location.address_one_line] if p)
    return "https://maps.google.com/?q=" + quote_plus(query) if location.address_one_line else ""


def _address_lines(location: Location) -> tuple[str, ...]:
    region = " ".join(p for p in [location.region, location.postal_code] if p)
    city_line = ", ".join(p for p in [location.city, region] if p)
    return tuple(p for p in [location.address_line1, location.address_line2, city_line] if p)


def logo_url(location: Location) -> str:
    """The public logo URL, versioned by the file (its name carries the content's hash)."""
    if not location.logo:
        return ""
    version = location.logo.name.rsplit("/", 1)[-1].split(".")[0]
    return f"{reverse('public:logo', args=[location.slug])}?v={version}"


def brand_css_url(location: Location) -> str:
    # The version makes a colour change show at once while browsers cache the file.
    version = int(location.updated_at.timestamp()) if location.updated_at else 0
    return f"{reverse('public:brand_css', args=[location.slug])}?v={version}"


def shop_card(location: Location, now: dt.datetime | None = None) -> ShopCard:
    """The shop as a customer sees it (expects ``location.workspace`` loaded)."""
    branded = location.workspace.has_branding
    return ShopCard(
        slug=location.slug,
        name=location.name,
        tagline=location.tagline,
        phone=location.phone,
        phone_display=display_phone(location.phone),
        # Only the texting number answers texts (a landline would not): no number, no link.
        sms=location.sms_number,
        sms_display=display_phone(location.sms_number),
        address_lines=_address_lines(location),
        map_url=map_url(location),
        logo_url=logo_url(location) if branded else "",
        brand_css_url=brand_css_url(location) if branded else "",
        branded=branded,
        pickup_hours=shop_hours(location, location.pickup_hours, now),
        business_hours=shop_hours(location, location.business_hours, now),
        group_name=location.workspace.name
        if has_feature(location.workspace, Feature.GROUP_PORTAL) else "",
        review_url=location.review_url,
        links=tuple((label, url) for label, url in (
            (_("Website"), location.website_url), ("Facebook", location.facebook_url),
            ("Instagram", location.instagram_url)) if url),
    )
