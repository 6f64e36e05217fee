"""Reminding the customer of a document still unsigned (durable work, core/durable.py).

The first reminder is scheduled when the document is sent, ``esign_reminder_hours`` later;
each one that goes out schedules the next at twice the wait, up to ``REMINDERS``. A document
signed or void by then is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from claimory.core import durable
from claimory.esign.models import Action, Reminder, ReminderState
from claimory.esign.services import REMINDERS, audit, document_event


@durable.handler(Reminder)
def reminder_run(reminder: Reminder) -> None:
    from claimory.notifications.models import Trigger
    from claimory.notifications.services import notify

    with transaction.atomic():
        held = Reminder.objects.select_for_update().filter(
            pk=reminder.pk, state=ReminderState.WORKING, attempts=reminder.attempts).exists()
        if not held:
            return
        document = reminder.document
        document.refresh_from_db()
        if not document.open:
            durable.finish(reminder, ReminderState.SKIPPED)
            return
        notify(document.claim, Trigger.DOCUMENT)
        audit(document, Action.REMINDED, number=reminder.number)
        document_event(document, "reminded", channel="system", customer_visible=False)
        durable.finish(reminder, ReminderState.SENT)
        hours = document.claim.location.esign_reminder_hours
        if hours and reminder.number < REMINDERS:
            following = Reminder.objects.create(document=document, number=reminder.number + 1)
            durable.schedule(following, at=timezone.now() + dt.timedelta(
                hours=hours * 2 * reminder.number))
