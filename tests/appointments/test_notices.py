"""The customer hears about their appointment on their channels (text, email with a .ics),
and gets one reminder the day before — never for a cancelled or moved appointment. The feed
and the attachment parse with the icalendar library and show the right local times across
the DST change."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from claimory.appointments.ics import appointment_ics, calendar_ics
from claimory.appointments.models import (
    Appointment,
    AppointmentReminder,
    Availability,
    ReminderState,
)
from claimory.appointments.services import (
    Request,
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_reschedule,
    availability_for,
)
from claimory.claims.models import Channel, ClaimEvent, Customer
from claimory.core import durable
from claimory.messaging.models import Delivery, Message
from tests.appointments.test_booking import TZ, next_weekday_at
from tests.mail.smtp_sink import (  # noqa: F401 - the smtp_sink fixture
    make_mailbox,
    smtp_sink_fixture,
)

pytestmark = pytest.mark.django_db


def book(location, start, claim=None, kind="drop_off"):
    return appointment_book(location=location, request=Request(
        kind=kind, start=start, name="Maria Lopez", phone="+15125550142", claim=claim))


@pytest.fixture
def reachable(texting, claim):
    """A customer who agreed to texts and email, at a shop with a number and a mailbox."""
    make_mailbox(texting)
    Customer.objects.filter(pk=claim.customer_id).update(email_opt_in=True, sms_opt_in=True,
                                                         email="maria@example.test")
    claim.customer.refresh_from_db()
    return claim


def _appointment_messages(claim):
    return list(Message.objects.filter(claim=claim, event__data__trigger__startswith=
                                       "appointment:").order_by("pk"))


def test_request_confirm_move_cancel_each_tell_the_customer(location, reachable):
    row = book(location, next_weekday_at(10, days=4), claim=reachable)
    appointment_confirm(appointment=row)
    appointment_reschedule(appointment=row, start=next_weekday_at(14, days=4))
    appointment_cancel(appointment=row, reason="Parts are late")
    messages = _appointment_messages(reachable)
    assert [m.event.data["trigger"] for m in messages] == [
        "appointment:requested", "appointment:confirmed", "appointment:rescheduled",
        "appointment:cancelled"]
    assert "got your request" in messages[0].body and "/a/" in messages[0].body
    assert "is now on" in messages[2].body
    for message in messages:
        channels = set(Delivery.objects.filter(message=message).values_list("channel",
                                                                             flat=True))
        assert channels == {Channel.SMS, Channel.EMAIL}
        assert message.email_files[0]["name"] == "appointment.ics"


def test_no_channel_no_text(location, claim):
    Customer.objects.filter(pk=claim.customer_id).update(sms_opt_in=False, email_opt_in=False)
    claim.customer.refresh_from_db()
    book(location, next_weekday_at(10), claim=claim)
    assert not _appointment_messages(claim)


def test_spanish_customer_gets_spanish_words(location, reachable):
    Customer.objects.filter(pk=reachable.customer_id).update(language="es")
    reachable.customer.refresh_from_db()
    book(location, next_weekday_at(10), claim=reachable)
    assert "recibió su solicitud" in _appointment_messages(reachable)[0].body


def test_the_email_carries_a_valid_ics_with_a_stable_uid(location, reachable, smtp_sink,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = book(location, next_weekday_at(10, days=4), claim=reachable)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=row, start=next_weekday_at(11, days=4))
    mails = smtp_sink.messages()
    assert len(mails) == 2
    events = []
    for mail in mails:
        parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1 and parts[0].get_filename() == "appointment.ics"
        assert parts[0].get_param("method") == "PUBLISH"
        cal = icalendar.Calendar.from_ical(parts[0].get_content())
        assert str(cal["METHOD"]) == "PUBLISH"
        vevents = cal.walk("VEVENT")
        assert len(vevents) == 1
        events.append(vevents[0])
    assert str(events[0]["UID"]) == str(events[1]["UID"]) == f"appointment-{row.pk}@" + \
        str(events[0]["UID"]).split("@", 1)[1]
    assert int(events[0]["SEQUENCE"]) == 0 and int(events[1]["SEQUENCE"]) == 1
    assert events[1].decoded("DTSTART").astimezone(TZ) == next_weekday_at(11, days=4)
    assert str(events[0]["STATUS"]) == "TENTATIVE"


def _dst_pair(location):
    """10:00 local a week before and a week after the spring change (2027-03-14)."""
    before = dt.datetime(2027, 3, 5, 10, 0, tzinfo=TZ)
    after = dt.datetime(2027, 3, 15, 10, 0, tzinfo=TZ)
    return [Appointment.objects.create(location=location, kind="estimate", start=start,
                                       end=start + dt.timedelta(minutes=30), seat=0,
                                       customer_name=name, status="confirmed")
            for start, name in ((before, "Before"), (after, "After"))]


def test_the_feed_parses_and_keeps_local_time_across_dst(location):
    _dst_pair(location)
    token = availability_for(location).calendar_token
    feed = Client().get(f"/calendar/{token}.ics").content
    cal = icalendar.Calendar.from_ical(feed)
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}
    assert set(starts) == {"Estimate: Before", "Estimate: After"}
    for start in starts.values():
        local = start.astimezone(TZ)
        assert (local.hour, local.minute) == (10, 0)
    # UTC offsets differ by the hour the clocks moved.
    assert starts["Estimate: Before"].hour == 16 and starts["Estimate: After"].hour == 15
    assert not calendar_ics(location, "x").count("\r\n\r\n")


def test_the_attachment_keeps_local_time_across_dst(location):
    for row in _dst_pair(location):
        cal = icalendar.Calendar.from_ical(appointment_ics(row, "claimory.test", "https://x/a/t"))
        (event,) = cal.walk("VEVENT")
        assert event.decoded("DTSTART").astimezone(TZ).hour == 10
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=30)
        assert str(event["STATUS"]) == "CONFIRMED"


# ---- the reminder --------------------------------------------------------------------------

def _run_reminders(monkeypatch, at: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at)
    for pk in AppointmentReminder.objects.values_list("pk", flat=True):
        durable.run_work.call("appointments.appointmentreminder", pk)
    monkeypatch.undo()


def _reminders(claim):
    return [m for m in _appointment_messages(claim)
            if m.event.data["trigger"] == "appointment:reminder"]


def test_one_reminder_the_day_before_and_only_once(location, reachable, monkeypatch):
    Availability.objects.create(location=location, auto_confirm=True)
    row = book(location, next_weekday_at(10, days=4), claim=reachable)
    (reminder,) = AppointmentReminder.objects.filter(appointment=row)
    assert reminder.due_at == row.start - dt.timedelta(hours=24)
    _run_reminders(monkeypatch, row.start - dt.timedelta(hours=30))  # not due yet
    assert not _reminders(reachable)
    _run_reminders(monkeypatch, row.start - dt.timedelta(hours=23))
    _run_reminders(monkeypatch, row.start - dt.timedelta(hours=22))  # again: idempotent
    assert len(_reminders(reachable)) == 1
    assert "is tomorrow" in _reminders(reachable)[0].body
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert ClaimEvent.objects.filter(claim=reachable, data__action="reminded").count() == 1


def test_no_reminder_for_a_cancelled_appointment(location, reachable, monkeypatch):
    row = book(location, next_weekday_at(10, days=4), claim=reachable)
    appointment_confirm(appointment=row)
    (reminder,) = AppointmentReminder.objects.filter(appointment=row)
    appointment_cancel(appointment=row, reason="Sold the car")
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SKIPPED
    # Even if the work row runs anyway (queued before the cancel), nothing is sent.
    AppointmentReminder.objects.filter(pk=reminder.pk).update(state=ReminderState.PENDING)
    _run_reminders(monkeypatch, row.start - dt.timedelta(hours=12))
    assert not _reminders(reachable)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SKIPPED and reminder.outcome == "Cancelled"


def test_a_moved_appointment_is_reminded_once_at_its_new_time(location, reachable,
                                                              monkeypatch):
    row = book(location, next_weekday_at(10, days=4), claim=reachable)
    appointment_confirm(appointment=row)
    old = AppointmentReminder.objects.get(appointment=row)
    appointment_reschedule(appointment=row, start=next_weekday_at(10, days=6))
    row.refresh_from_db()
    old.refresh_from_db()
    assert old.state == ReminderState.SKIPPED
    new = AppointmentReminder.objects.get(appointment=row, state=ReminderState.PENDING)
    assert new.start == row.start
    # The old row, run at its old time, sends nothing: the appointment moved.
    AppointmentReminder.objects.filter(pk=old.pk).update(state=ReminderState.PENDING)
    _run_reminders(monkeypatch, old.start - dt.timedelta(hours=12))
    assert not _reminders(reachable)
    old.refresh_from_db()
    assert old.outcome == "Rescheduled"
    _run_reminders(monkeypatch, row.start - dt.timedelta(hours=12))
    assert len(_reminders(reachable)) == 1


def test_a_requested_appointment_gets_no_reminder_row(location, reachable):
    row = book(location, next_weekday_at(10, days=4), claim=reachable)
    assert not AppointmentReminder.objects.filter(appointment=row).exists()


def test_reminder_work_is_in_the_callers_transaction(location, reachable):
    with pytest.raises(RuntimeError), transaction.atomic():
        row = book(location, next_weekday_at(10, days=4), claim=reachable)
        appointment_confirm(appointment=row)
        raise RuntimeError("rolled back")
    assert not AppointmentReminder.objects.exists() and not Appointment.objects.exists()
