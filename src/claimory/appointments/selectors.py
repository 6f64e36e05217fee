"""What the claim's portal shows of its appointments (covered by the page cache key: every
change to an appointment tied to a claim records an ``appointment`` event)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from claimory.appointments.models import ACTIVE, Appointment
from claimory.appointments.services import appointment_token, kinds_for_claim
from claimory.claims.models import Claim


@dataclass(frozen=True)
class PortalAppointments:
    upcoming: list[tuple[Appointment, str]]  # (appointment, its customer link)
    can_book: bool


def portal_appointments(claim: Claim) -> PortalAppointments:
    rows = list(Appointment.objects.filter(claim=claim, status__in=ACTIVE,
                                           end__gte=timezone.now()).order_by("start")[:5])
    # A row booked before customer links existed has none: listed without a link.
    return PortalAppointments([(row, f"/a/{token}" if (token := appointment_token(row)) else "")
                               for row in rows],
                              bool(kinds_for_claim(claim)))
