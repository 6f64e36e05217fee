"""Appointments end to end without a browser: daily caps, holidays, the staff calendar and
actions (tenancy, roles, bad input), the customer's request forms and their own link."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from claimory.appointments.models import Appointment, Availability, Status
from claimory.appointments.services import (
    BookingRefused,
    Request,
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_reschedule,
    appointment_token,
    availability_for,
    free_slots,
)
from claimory.claims.models import Claim, ClaimEvent
from claimory.claims.services import portal_token
from claimory.photos.models import Photo
from claimory.shops.models import Role
from claimory.shops.services import apikey_create
from tests.api.conftest import ApiClient
from tests.appointments.test_booking import TZ, body, next_weekday_at
from tests.factories import make_staff
from tests.photos.samples import jpeg_with_gps

pytestmark = pytest.mark.django_db


def book(location, start, kind="drop_off", claim=None, name="Ana Ruiz"):
    return appointment_book(location=location, request=Request(
        kind=kind, start=start, name=name, phone="+15125550142", claim=claim))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---- rules ---------------------------------------------------------------------------------

def test_a_daily_cap_refuses_the_next_booking_that_day_only(location):
    Availability.objects.create(location=location, drop_off_day_capacity=2)
    book(location, next_weekday_at(9))
    book(location, next_weekday_at(13))
    with pytest.raises(BookingRefused) as refused:
        book(location, next_weekday_at(15))  # a free slot, but the day is full
    assert refused.value.code == "day_full"
    book(location, next_weekday_at(15), kind="pickup")  # another kind has its own cap
    later = next_weekday_at(9, days=next_weekday_at(9).weekday() == 4 and 4 or 5)
    book(location, later)  # another day
    day = next_weekday_at(9).date()
    assert all(d.day != day for d in free_slots(location, "drop_off", days=10))


def test_a_cancelled_booking_gives_its_day_seat_back(location):
    Availability.objects.create(location=location, drop_off_day_capacity=1)
    first = book(location, next_weekday_at(9))
    with pytest.raises(BookingRefused):
        book(location, next_weekday_at(10))
    appointment_cancel(appointment=first, reason="Changed plans")
    assert book(location, next_weekday_at(10)).day_seat == 0


def test_a_holiday_is_refused_as_closed(location):
    start = next_weekday_at(10)
    Availability.objects.create(location=location, closed_dates=[start.date().isoformat()])
    api = ApiClient(apikey_create(location=location, name="Booking")[1])
    answer = api.post("/api/v1/appointments", body(start))
    assert answer.status_code == 409
    assert json.loads(answer.content)["error"]["code"] == "closed"
    assert all(d.day != start.date() for d in free_slots(location, "estimate", days=10))


def test_free_slots_step_by_real_minutes_on_a_dst_day(location):
    # Sunday 2027-03-14 is the spring-forward day in Chicago; open it for the test.
    location.business_hours = {**location.business_hours, "sun": {"open": "01:00",
                                                                  "close": "04:00"}}
    location.save(update_fields=["business_hours"])
    from claimory.appointments.services import day_slots

    slots = day_slots(location, availability_for(location), dt.date(2027, 3, 14))
    local = [s.astimezone(TZ).strftime("%H:%M") for s in slots]
    # 02:00–02:59 does not exist that night: 01:00 + 2 real hours is 04:00 local.
    assert local == ["01:00", "01:30", "03:00", "03:30"]


def test_reschedule_goes_through_the_seats_and_bumps_the_sequence(location):
    Availability.objects.create(location=location, drop_off_capacity=1)
    taken = book(location, next_weekday_at(11))
    row = book(location, next_weekday_at(10))
    with pytest.raises(BookingRefused) as refused:
        appointment_reschedule(appointment=row, start=taken.start)
    assert refused.value.code == "full"
    row.refresh_from_db()
    assert row.start == next_weekday_at(10) and row.sequence == 0
    appointment_reschedule(appointment=row, start=next_weekday_at(12))
    row.refresh_from_db()
    assert row.start == next_weekday_at(12) and row.sequence == 1
    book(location, next_weekday_at(10))  # the old seat is free again


# ---- staff ---------------------------------------------------------------------------------

def test_calendar_lists_by_kind_with_places_used_and_left(location, owner, claim):
    Availability.objects.create(location=location, drop_off_day_capacity=5)
    book(location, next_weekday_at(10), claim=claim)
    page = logged_in(owner).get(reverse("backoffice:appointments"),
                                {"day": next_weekday_at(10).date().isoformat(), "view": "day"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ana Ruiz" in html and "1 booked · 4 left" in html
    assert "Waiting for confirmation" in html
    week = logged_in(owner).get(reverse("backoffice:appointments"),
                                {"day": "not-a-date", "view": "week"})
    assert week.status_code == 200


def test_staff_confirm_reschedule_cancel_and_link(location, front_desk, claim):
    row = book(location, next_weekday_at(10))
    staff = logged_in(front_desk)
    assert staff.get(reverse("backoffice:appointment", args=[row.pk])).status_code == 200
    staff.post(reverse("backoffice:appointment_link", args=[row.pk]), {"claim": claim.pk})
    row.refresh_from_db()
    assert row.claim == claim
    assert staff.post(reverse("backoffice:appointment_confirm",
                              args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.status == Status.CONFIRMED
    # Confirming twice is a clear 409, not a 500.
    assert staff.post(reverse("backoffice:appointment_confirm",
                              args=[row.pk])).status_code == 409
    new = next_weekday_at(14)
    assert staff.post(reverse("backoffice:appointment_reschedule", args=[row.pk]),
                      {"start": new.isoformat()}).status_code == 302
    row.refresh_from_db()
    assert row.start == new and row.sequence == 1
    assert staff.post(reverse("backoffice:appointment_cancel", args=[row.pk]),
                      {"reason": "Parts are late"}).status_code == 302
    row.refresh_from_db()
    assert row.status == Status.CANCELLED and row.cancel_reason == "Parts are late"
    actions = [e.data["action"] for e in ClaimEvent.objects.filter(
        claim=claim, type="appointment").order_by("seq")]
    assert actions == ["linked", "confirmed", "rescheduled", "cancelled"]
    timeline = staff.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert "Appointment confirmed" in timeline and "Appointment rescheduled" in timeline
    assert all(e.customer_visible for e in ClaimEvent.objects.filter(type="appointment"))


@pytest.mark.parametrize("data", [{"start": "tomorrow"}, {"start": "2026-01-01T10:00"}, {}])
def test_staff_reschedule_bad_input_is_4xx(location, front_desk, data):
    row = book(location, next_weekday_at(10))
    answer = logged_in(front_desk).post(reverse("backoffice:appointment_reschedule",
                                                args=[row.pk]), data)
    assert answer.status_code in (400, 409)


def test_staff_reschedule_to_a_closed_time_is_409(location, front_desk):
    row = book(location, next_weekday_at(10))
    answer = logged_in(front_desk).post(reverse("backoffice:appointment_reschedule",
                                                args=[row.pk]),
                                        {"start": next_weekday_at(6).isoformat()})
    assert answer.status_code == 409 and "closed" in answer.content.decode()


def test_link_to_a_claim_of_another_shop_is_404(location, front_desk, other_claim):
    row = book(location, next_weekday_at(10))
    answer = logged_in(front_desk).post(reverse("backoffice:appointment_link", args=[row.pk]),
                                        {"claim": other_claim.pk})
    assert answer.status_code == 404
    row.refresh_from_db()
    assert row.claim is None


def test_another_tenants_appointment_is_404(location, other_location, outsider):
    row = book(location, next_weekday_at(10))
    boss = logged_in(outsider)
    assert boss.get(reverse("backoffice:appointment", args=[row.pk])).status_code == 404
    for name in ("appointment_confirm", "appointment_cancel"):
        assert boss.post(reverse(f"backoffice:{name}", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.status == Status.REQUESTED
    # The calendar of their own shop does not list ours.
    html = boss.get(reverse("backoffice:appointments"), {
        "day": row.start.date().isoformat(), "view": "day"}).content.decode()
    assert "Ana Ruiz" not in html
    assert boss.get(reverse("backoffice:appointments"),
                    {"location": location.slug}).status_code == 404


def test_roles(location, technician, front_desk, workspace):
    assert logged_in(technician).get(reverse("backoffice:appointments")).status_code == 403
    desk = logged_in(front_desk)
    assert desk.get(reverse("backoffice:appointments")).status_code == 200
    assert desk.get(reverse("backoffice:settings_appointments")).status_code == 403
    manager = make_staff(workspace, Role.MANAGER, email="m@northside.test")
    assert logged_in(manager).get(reverse("backoffice:settings_appointments")).status_code \
        == 200


# ---- settings ----------------------------------------------------------------------------

def _settings_form(**changes):
    return {"slot_minutes": "30", "estimate_capacity": "1", "drop_off_capacity": "2",
            "pickup_capacity": "2", "estimate_day_capacity": "0",
            "drop_off_day_capacity": "0", "pickup_day_capacity": "0", "lead_minutes": "120",
            "window_days": "60", "closed_dates": "", **changes}


def test_settings_save_and_show_the_feed(location, owner):
    client = logged_in(owner)
    page = client.get(reverse("backoffice:settings_appointments"))
    html = page.content.decode()
    assert page.status_code == 200 and "/calendar/" in html and "Google Calendar" in html
    answer = client.post(reverse("backoffice:appointment_settings_save", args=["northside"]),
                         _settings_form(slot_minutes="60", pickup_day_capacity="6",
                                        auto_confirm="on",
                                        closed_dates="2030-12-25\n2030-01-01\n2030-12-25"))
    assert answer.status_code == 302
    rules = Availability.objects.get(location=location)
    assert rules.slot_minutes == 60 and rules.pickup_day_capacity == 6 and rules.auto_confirm
    assert rules.closed_dates == ["2030-01-01", "2030-12-25"]


@pytest.mark.parametrize("changes", [{"closed_dates": "Christmas"}, {"slot_minutes": "7"},
                                     {"estimate_capacity": "-1"}, {"window_days": "0"},
                                     {"lead_minutes": "x"}])
def test_settings_bad_input_is_400(location, owner, changes):
    answer = logged_in(owner).post(reverse("backoffice:appointment_settings_save",
                                           args=["northside"]), _settings_form(**changes))
    assert answer.status_code == 400
    assert not Availability.objects.filter(location=location, slot_minutes=7).exists()


def test_a_new_calendar_secret_retires_the_old_feed(location, owner):
    old = availability_for(location).calendar_token
    assert Client().get(f"/calendar/{old}.ics").status_code == 200
    logged_in(owner).post(reverse("backoffice:calendar_secret_rotate", args=["northside"]))
    new = Availability.objects.get(location=location).calendar_token
    assert new != old
    assert Client().get(f"/calendar/{old}.ics").status_code == 404
    assert Client().get(f"/calendar/{new}.ics").status_code == 200


# ---- the public form ---------------------------------------------------------------------

def _slot_values(html: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', html)


def _public_post(client, slug, start, **changes):
    data = {"kind": "estimate", "start": start, "name": "Dana Cole", "phone": "512 555 0177",
            "email": "dana@example.test", "year": "2020", "make": "Toyota",
            "model": "Camry", "sms_opt_in": "on", "note": "Rear bumper", **changes}
    return client.post(f"/p/{slug}/appointment", data)


def test_a_new_customer_requests_an_estimate_with_a_photo(location):
    client = Client()
    page = client.get("/p/northside/appointment?kind=estimate")
    assert page.status_code == 200
    start = _slot_values(page.content.decode())[0]
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = "damage.jpg"
    answer = _public_post(client, "northside", start, photos=[photo])
    assert answer.status_code == 302 and answer["Location"].startswith("/a/")
    row = Appointment.objects.get()
    assert row.kind == "estimate" and row.source == "web" and row.vehicle == "2020 Toyota Camry"
    claim = row.claim
    assert claim.customer.name == "Dana Cole" and claim.customer.phone == "+15125550177"
    assert claim.customer.sms_opt_in and claim.vehicle.make == "Toyota"
    assert Photo.objects.filter(claim=claim, kind="damage").count() == 1
    mine = client.get(answer["Location"])
    assert mine.status_code == 200 and "waiting for the shop" in mine.content.decode()


@pytest.mark.parametrize("changes,status", [
    ({"name": ""}, 400), ({"phone": "12"}, 400), ({"start": "soon"}, 400),
    ({"kind": "oil_change"}, 400), ({"year": "1800"}, 400), ({"email": "nope"}, 400),
    ({"start": "2020-01-06T10:00:00-06:00"}, 409),
])
def test_public_form_bad_input_is_4xx_and_opens_nothing(location, changes, status):
    client = Client()
    start = _slot_values(client.get("/p/northside/appointment").content.decode())[0]
    answer = _public_post(client, "northside", changes.pop("start", start), **changes)
    assert answer.status_code == status
    assert 'role="alert"' in answer.content.decode() or "field-error" in \
        answer.content.decode()
    assert not Claim.objects.exists() and not Appointment.objects.exists()


def test_public_form_refuses_a_file_that_is_not_a_photo(location):
    client = Client()
    start = _slot_values(client.get("/p/northside/appointment").content.decode())[0]
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "damage.jpg"
    answer = _public_post(client, "northside", start, photos=[fake])
    assert answer.status_code == 400 and "was not sent" in answer.content.decode()
    assert not Claim.objects.exists()


def test_public_form_is_rate_limited(location, settings):
    client = Client()
    for _ in range(5):
        assert _public_post(client, "northside", "bad").status_code == 400
    answer = _public_post(client, "northside", "bad")
    assert answer.status_code == 429 and answer["Retry-After"]


def test_public_form_of_an_unknown_shop_is_404(db):
    assert Client().get("/p/nowhere/appointment").status_code == 404


# ---- the portal form, the customer's link ------------------------------------------------

def test_portal_request_prefills_the_customer_and_offers_claim_kinds(claim):
    client = Client()
    path = f"/c/{portal_token(claim)}/appointment"
    page = client.get(path + "?kind=pickup")
    html = page.content.decode()
    assert page.status_code == 200 and claim.customer.name in html
    assert "Pickup" in html and "Estimate" not in html  # the claim has an estimate
    start = _slot_values(html)[0]
    answer = client.post(path, {"kind": "pickup", "start": start})
    assert answer.status_code == 302
    row = Appointment.objects.get()
    assert row.claim == claim and row.customer_name == claim.customer.name
    assert ClaimEvent.objects.filter(claim=claim, type="appointment",
                                     data__action="requested").exists()
    assert client.post(path, {"kind": "estimate", "start": start}).status_code == 400
    assert Appointment.objects.count() == 1
    assert Client().get("/c/" + "x" * 22 + "/appointment").status_code == 404


def test_customer_link_moves_and_cancels(location, claim):
    row = book(location, next_weekday_at(10), claim=claim)
    token = appointment_token(row)
    client = Client()
    page = client.get(f"/a/{token}")
    assert page.status_code == 200 and "Need another time?" in page.content.decode()
    new = next_weekday_at(15)
    assert client.post(f"/a/{token}/move", {"start": new.isoformat()}).status_code == 302
    row.refresh_from_db()
    assert row.start == new and row.sequence == 1
    assert client.post(f"/a/{token}/move", {"start": "later"}).status_code == 400
    assert client.post(f"/a/{token}/cancel", {"reason": "Sold the car"}).status_code == 302
    row.refresh_from_db()
    assert row.status == Status.CANCELLED and row.cancel_reason == "Sold the car"
    assert client.post(f"/a/{token}/move", {"start": new.isoformat()}).status_code == 409
    assert "Cancelled" in client.get(f"/a/{token}").content.decode()


def test_a_wrong_customer_link_is_the_uniform_404(location):
    book(location, next_weekday_at(10))
    client = Client()
    for token in ("x" * 22, "short", "A" * 200):
        assert client.get(f"/a/{token}").status_code == 404
        assert client.post(f"/a/{token}/cancel").status_code == 404
    assert not Appointment.objects.filter(status="cancelled").exists()


def test_the_token_is_stored_hashed(location):
    row = book(location, next_weekday_at(10))
    token = appointment_token(row)
    assert token and token not in row.token_hash and len(row.token_hash) == 64
    assert not Appointment.objects.filter(token_hash=token).exists()


def test_confirm_by_service_checks_the_actor(location, technician):
    from django.core.exceptions import PermissionDenied

    row = book(location, next_weekday_at(10))
    with pytest.raises(PermissionDenied):
        appointment_confirm(appointment=row, actor=technician)


def test_the_demo_seeds_requested_and_confirmed_appointments(location):
    from claimory import demo

    demo._seed_appointments(location)
    demo._seed_appointments(location)  # once
    statuses = set(Appointment.objects.filter(location=location)
                   .values_list("status", flat=True))
    assert statuses == {"requested", "confirmed"}
    assert Appointment.objects.filter(location=location).count() == len(demo.APPOINTMENTS)


def test_posts_from_another_site_are_refused(location, claim):
    row = book(location, next_weekday_at(10), claim=claim)
    token = appointment_token(row)
    evil = {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"}
    client = Client()
    assert client.post(f"/a/{token}/cancel", **evil).status_code == 403
    assert client.post("/p/northside/appointment", {}, **evil).status_code == 403
    assert client.post(f"/c/{portal_token(claim)}/appointment", {}, **evil).status_code == 403
    row.refresh_from_db()
    assert row.status == Status.REQUESTED
    # Our own page's posts say "Origin: null" (no-referrer) and go through.
    assert client.post(f"/a/{token}/cancel", HTTP_ORIGIN="null").status_code == 302


def test_the_public_form_speaks_spanish(location):
    html = Client().get("/p/northside/appointment?lang=es").content.decode()
    assert "Reservar una visita" in html and "Elija una hora" in html
    assert '<html lang="es">' in html


def test_the_shop_page_links_to_booking(location):
    html = Client().get("/p/northside").content.decode()
    assert 'href="/p/northside/appointment"' in html and "Book a visit" in html


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "9999-12-29"])
def test_staff_calendar_far_dates_are_not_a_500(location, front_desk, day):
    for view in ("day", "week"):
        answer = logged_in(front_desk).get(reverse("backoffice:appointments"),
                                           {"day": day, "view": view})
        assert answer.status_code == 200


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=9999-12-31", "from=0001-01-01",
                                   "to=0001-01-01"])
def test_api_list_far_dates_are_not_a_500(location, query):
    api = ApiClient(apikey_create(location=location, name="Booking")[1])
    answer = api.get(f"/api/v1/appointments?{query}")
    assert answer.status_code in (200, 422)


def test_customer_moves_are_rate_limited_so_a_link_cannot_pump_texts(location, claim):
    # Every move texts the customer: a script flipping between two slots must not send
    # hundreds of texts on the shop's bill.
    row = book(location, next_weekday_at(10), claim=claim)
    token = appointment_token(row)
    client = Client()
    times = [next_weekday_at(14), next_weekday_at(15)]
    for n in range(5):
        answer = client.post(f"/a/{token}/move", {"start": times[n % 2].isoformat()})
        assert answer.status_code == 302
    answer = client.post(f"/a/{token}/move", {"start": times[1].isoformat()})
    assert answer.status_code == 429 and answer["Retry-After"]
    row.refresh_from_db()
    assert row.start == times[0] and row.sequence == 5


def test_portal_requests_are_rate_limited_per_claim(claim):
    # A portal link could otherwise book every free slot (and text the customer each time).
    client = Client()
    path = f"/c/{portal_token(claim)}/appointment"
    starts = _slot_values(client.get(path + "?kind=pickup").content.decode())
    for start in starts[:5]:
        assert client.post(path, {"kind": "pickup", "start": start}).status_code == 302
    answer = client.post(path, {"kind": "pickup", "start": starts[5]})
    assert answer.status_code == 429 and answer["Retry-After"]
    assert Appointment.objects.count() == 5
