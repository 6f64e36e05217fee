"""The location's appointments as an RFC 5545 calendar (a feed Google or Outlook subscribes
to). Times are UTC (``Z``), so every calendar shows the right local time across DST."""

from __future__ import annotations

import datetime as dt

from claimory.appointments.models import ACTIVE, Appointment
from claimory.shops.models import Location


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next with a leading space (§3.1)."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > 75:
            out.append(current)
            current = " " + ch
        else:
            current += ch
    out.append(current)
    return out


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(location: Location, host: str) -> str:
    now = _stamp(dt.datetime.now(dt.UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Claimory//Appointments//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(location.name)} appointments"]
    rows = Appointment.objects.filter(location=location, status__in=ACTIVE).order_by("start")
    for row in rows:
        summary = f"{row.get_kind_display()}: {row.customer_name}"
        details = ", ".join(p for p in (row.phone, row.email) if p)
        lines += ["BEGIN:VEVENT", f"UID:appointment-{row.pk}@{host}", f"DTSTAMP:{now}",
                  f"DTSTART:{_stamp(row.start)}", f"DTEND:{_stamp(row.end)}",
                  f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(details)}",
                  f"STATUS:{'CONFIRMED' if row.status == 'confirmed' else 'TENTATIVE'}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))


def appointment_ics(row: Appointment, host: str, link: str = "") -> str:
    """One appointment for the customer's calendar (the email's .ics attachment): a single
    VEVENT whose UID stays the same for the appointment's life, so a later copy (moved:
    higher SEQUENCE; cancelled: STATUS:CANCELLED) updates the same calendar entry."""
    location = row.location
    status = {"confirmed": "CONFIRMED", "cancelled": "CANCELLED"}.get(row.status, "TENTATIVE")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Claimory//Appointments//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "BEGIN:VEVENT", f"UID:appointment-{row.pk}@{host}",
             f"SEQUENCE:{row.sequence}", f"DTSTAMP:{_stamp(dt.datetime.now(dt.UTC))}",
             f"DTSTART:{_stamp(row.start)}", f"DTEND:{_stamp(row.end)}",
             f"SUMMARY:{_escape(f'{row.get_kind_display()} at {location.name}')}",
             f"STATUS:{status}"]
    address = getattr(location, "address_one_line", "")
    if address:
        lines.append(f"LOCATION:{_escape(address)}")
    if link:
        lines += [f"DESCRIPTION:{_escape(f'Change or cancel: {link}')}", f"URL:{link}"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))
