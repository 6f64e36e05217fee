"""Telling the customer about their appointment: requested, confirmed, moved, cancelled, and
the day-before reminder. Through the claim's outbox (notifications.services.notify_text):
texts where the customer agreed to texts, email where they agreed to email, the email with
the appointment's .ics. The customer asked for these, so no template approval is needed;
the wording is fixed here, in the customer's language."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from claimory.appointments.ics import appointment_ics
from claimory.appointments.models import (
    Appointment,
    AppointmentReminder,
    ReminderState,
    Status,
)
from claimory.core import durable
from claimory.core.origin import base_host
from claimory.shops.services import location_timezone

WORDS = {
    "en": {
        "requested": "Hi {first}, {shop} got your request for a {kind} on {when}. We'll "
                     "confirm it soon. See, change or cancel it: {link}",
        "confirmed": "Hi {first}, your {kind} at {shop} is confirmed for {when}. Change or "
                     "cancel: {link}",
        "rescheduled": "Hi {first}, your {kind} at {shop} is now on {when}. Change or "
                       "cancel: {link}",
        "cancelled": "Hi {first}, your {kind} at {shop} on {when} is cancelled.",
        "reminder": "Reminder: your {kind} at {shop} is tomorrow, {when}. Change or "
                    "cancel: {link}",
    },
    "es": {
        "requested": "Hola {first}, {shop} recibió su solicitud de {kind} para el {when}. "
                     "La confirmaremos pronto. Véala, cámbiela o cancélela: {link}",
        "confirmed": "Hola {first}, su {kind} en {shop} está confirmada para el {when}. "
                     "Cambiar o cancelar: {link}",
        "rescheduled": "Hola {first}, su {kind} en {shop} ahora es el {when}. Cambiar o "
                       "cancelar: {link}",
        "cancelled": "Hola {first}, su {kind} en {shop} del {when} está cancelada.",
        "reminder": "Recordatorio: su {kind} en {shop} es mañana, {when}. Cambiar o "
                    "cancelar: {link}",
    },
}
KIND_WORDS = {"en": {"estimate": "estimate", "drop_off": "drop-off", "pickup": "pickup"},
              "es": {"estimate": "cita de presupuesto", "drop_off": "entrega del vehículo",
                     "pickup": "recogida del vehículo"}}
_MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre")
_DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def when_words(row: Appointment, language: str) -> str:
    local = row.start.astimezone(location_timezone(row.location))
    if language == "es":
        return (f"{_DAYS_ES[local.weekday()]} {local.day} de {_MONTHS_ES[local.month - 1]} "
                f"a las {local:%H:%M}")
    hour = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%A, %B} {local.day} at {hour}"


def notice_text(row: Appointment, action: str, language: str) -> str:
    from claimory.appointments.services import appointment_url

    language = language if language in WORDS else "en"
    return WORDS[language][action].format(
        first=(row.customer_name.split() or [""])[0], shop=row.location.name,
        kind=KIND_WORDS[language][row.kind], when=when_words(row, language),
        link=appointment_url(row))


def notice(row: Appointment, action: str, *, actor: Any = None):
    """Queue the news on the customer's channels (inside the caller's transaction). Only an
    appointment tied to a claim has a customer with channels and consent on file."""
    from claimory.appointments.services import appointment_url
    from claimory.notifications.services import notify_text

    claim = row.claim
    if claim is None:
        return None
    ics = appointment_ics(row, base_host(), appointment_url(row))
    files = [{"name": "appointment.ics", "type": "text/calendar", "method": "PUBLISH",
              "text": ics}]
    return notify_text(claim, f"appointment:{action}",
                       notice_text(row, action, claim.customer.language),
                       template=f"appointment/{action}", actor=actor, email_files=files)


@durable.handler(AppointmentReminder)
def reminder_send(reminder: AppointmentReminder) -> None:
    """The day before: sent once, and only if the appointment is still confirmed for the
    same time (the lock makes a cancel at that very moment wait for us, or win)."""
    from claimory.appointments.services import _event

    with transaction.atomic():
        row = (Appointment.objects.select_for_update(of=("self",))
               .select_related("location", "claim__customer", "claim__location")
               .get(pk=reminder.appointment_id))
        why = ""
        if row.status == Status.CANCELLED:
            why = "Cancelled"
        elif row.start != reminder.start:
            why = "Rescheduled"
        elif row.status != Status.CONFIRMED:
            why = "Not confirmed"
        elif row.claim is None:
            why = "No customer channel"
        if why:
            durable.finish(reminder, ReminderState.SKIPPED, outcome=why)
            return
        notice(row, "reminder")
        _event(row, "reminded", actor_label=row.location.name, channel="system")
        durable.finish(reminder, ReminderState.SENT, outcome=f"Sent {timezone.now():%c}")
