import datetime as dt

from django.utils import translation

from claimory.portal.shop import map_url, shop_hours
from claimory.shops.models import default_hours

CHICAGO_TUESDAY_10AM = dt.datetime(2025, 5, 13, 15, 0, tzinfo=dt.UTC)  # 10:00 CDT
CHICAGO_FRIDAY_9PM = dt.datetime(2025, 5, 17, 2, 0, tzinfo=dt.UTC)  # Fri 21:00 CDT


def test_hours_group_equal_days_and_mark_today(location):
    hours = shop_hours(location, default_hours(), CHICAGO_TUESDAY_10AM)
    assert [(r.days, r.hours, r.includes_today) for r in hours.rows] == [
        ("Mon – Fri", "7:30 AM – 5:30 PM", True),
        ("Saturday", "9:00 AM – 12:00 PM", False),
        ("Sunday", "Closed", False),
    ]
    assert hours.is_open and hours.status == "Open now · until 5:30 PM"
    assert hours.zone == "CDT"


def test_hours_status_uses_the_shops_time_zone(location):
    hours = shop_hours(location, default_hours(), CHICAGO_FRIDAY_9PM)
    assert not hours.is_open
    assert hours.status == "Closed now · opens tomorrow at 9:00 AM"


def test_hours_status_skips_closed_days(location):
    saturday_1pm = dt.datetime(2025, 5, 17, 18, 0, tzinfo=dt.UTC)
    assert shop_hours(location, default_hours(), saturday_1pm).status == \
        "Closed now · opens Monday at 7:30 AM"


def test_hours_in_spanish(location):
    with translation.override("es"):
        hours = shop_hours(location, default_hours(), CHICAGO_TUESDAY_10AM)
    assert hours.rows[0].days == "lun – vie" and hours.rows[2].hours == "Cerrado"
    assert hours.status.startswith("Abierto ahora")


def test_missing_or_broken_hours_do_not_crash(location):
    assert shop_hours(location, None, CHICAGO_TUESDAY_10AM).status == "Closed"
    assert len(shop_hours(location, {}, CHICAGO_TUESDAY_10AM).rows) == 1


def test_no_map_link_without_an_address(location):
    location.address_line1 = location.city = location.region = location.postal_code = ""
    assert map_url(location) == ""
