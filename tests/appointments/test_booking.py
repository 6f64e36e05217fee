"""Booking over the API: 201 in open hours, 409 with a reason when full, closed, off-grid or
past; the last seat goes to exactly one of two racing requests; the secret calendar feed."""

from __future__ import annotations

import datetime as dt
import json
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client

from claimory.appointments.models import Appointment
from claimory.shops.services import apikey_create
from tests.api.conftest import ApiClient

TZ = ZoneInfo("America/Chicago")


def next_weekday_at(hour: int, minute: int = 0, days: int = 3) -> dt.datetime:
    """A weekday at least ``days`` ahead, at hour:minute in the shop's zone (default hours:
    weekdays 07:30–17:30)."""
    day = dt.datetime.now(TZ).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def body(start: dt.datetime, kind: str = "estimate", **extra) -> dict:
    return {"kind": kind, "start": start.isoformat(),
            "customer": {"name": "Ana Ruiz", "phone": "+15125550142",
                         "email": "ana@example.com"}, **extra}


@pytest.fixture
def api(location):
    return ApiClient(apikey_create(location=location, name="Booking")[1])


@pytest.mark.django_db
def test_booking_in_open_hours_and_the_list(api, claim):
    start = next_weekday_at(10)
    answer = api.post("/api/v1/appointments", body(start, claim_id=claim.pk))
    assert answer.status_code == 201, answer.content
    booked = json.loads(answer.content)
    assert booked["status"] == "requested" and booked["claim_id"] == claim.pk
    day = start.date().isoformat()
    listed = json.loads(api.get("/api/v1/appointments",
                                query={"from": day, "to": day}).content)
    assert [a["id"] for a in listed] == [booked["id"]]
    assert json.loads(api.get("/api/v1/appointments", query={
        "from": (start.date() + dt.timedelta(days=1)).isoformat()}).content) == []


@pytest.mark.django_db
@pytest.mark.parametrize("start,code", [
    (lambda: next_weekday_at(6), "outside_hours"),
    (lambda: next_weekday_at(17, 30), "outside_hours"),
    (lambda: next_weekday_at(10, 10), "off_grid"),
    (lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), "past"),
    (lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=90), "too_far"),
])
def test_refusals_are_409_with_a_reason(api, start, code):
    answer = api.post("/api/v1/appointments", body(start()))
    assert answer.status_code == 409
    refusal = json.loads(answer.content)
    assert refusal["reason"] and refusal["error"]["code"] == code
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_full_slot_is_409_and_another_kind_still_fits(api):
    start = next_weekday_at(11)
    assert api.post("/api/v1/appointments", body(start)).status_code == 201  # 1 estimate
    full = api.post("/api/v1/appointments", body(start))
    assert full.status_code == 409 and json.loads(full.content)["error"]["code"] == "full"
    for _ in range(2):  # two drop-off seats
        assert api.post("/api/v1/appointments", body(start, "drop_off")).status_code == 201
    assert api.post("/api/v1/appointments", body(start, "drop_off")).status_code == 409


@pytest.mark.django_db
def test_another_shops_claim_is_404(api, other_claim):
    answer = api.post("/api/v1/appointments", body(next_weekday_at(10),
                                                   claim_id=other_claim.pk))
    assert answer.status_code == 404 and not Appointment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_for_the_last_place_one_wins(location):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL (DATABASE_URL)")
    key = apikey_create(location=location, name="Race")[1]
    start = next_weekday_at(14)
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def book():
        barrier.wait()
        statuses.append(ApiClient(key).post("/api/v1/appointments", body(start)).status_code)
        connection.close()

    threads = [threading.Thread(target=book) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    assert Appointment.objects.filter(start=start).count() == 1


@pytest.mark.django_db
def test_the_secret_calendar_feed(api, location):
    start = next_weekday_at(9, 30)
    api.post("/api/v1/appointments", body(start, "pickup"))
    url = json.loads(api.get("/api/v1/location/calendar").content)["ics_url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    feed = Client().get(f"/{path}")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    text = feed.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    utc = start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{utc}" in text and "SUMMARY:Pickup: Ana Ruiz" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert Client().get("/calendar/" + "x" * 32 + ".ics").status_code == 404


@pytest.mark.django_db
def test_feed_times_are_utc_so_calendars_show_local_time_across_dst(location):
    from claimory.appointments.ics import calendar_ics

    before = dt.datetime(2027, 3, 5, 10, 0, tzinfo=TZ)  # CST, UTC-6
    after = dt.datetime(2027, 3, 15, 10, 0, tzinfo=TZ)  # CDT, UTC-5
    for n, start in enumerate((before, after)):
        Appointment.objects.create(location=location, kind="estimate", start=start,
                                   end=start + dt.timedelta(minutes=30), seat=n,
                                   customer_name="X")
    text = calendar_ics(location, "claimory.test")
    assert "DTSTART:20270305T160000Z" in text and "DTSTART:20270315T150000Z" in text


@pytest.mark.django_db
def test_a_bad_day_in_the_list_filter_is_422(api):
    assert api.get("/api/v1/appointments", query={"from": "2026-02-30"}).status_code == 422
