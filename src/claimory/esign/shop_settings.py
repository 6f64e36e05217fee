"""A location's e-signature settings: its document texts back to the default, the texted
code before signing, and when to remind. (Saving a text is services.template_save.)"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from claimory.esign.models import DocumentTemplate, Kind
from claimory.shops.models import Location
from claimory.shops.permissions import authorize

MAX_REMINDER_HOURS = 168  # a week; 0 sends no reminders


def template_reset(*, location: Location, kind: str, actor: Any = None) -> None:
    """Forget the location's own text for ``kind``: the default applies to the next sending
    (documents already sent keep the text they were frozen with)."""
    authorize(actor, "documents.templates", location)
    if kind not in Kind.values:
        raise ValidationError({"kind": [f"Unknown document kind “{kind}”."]})
    DocumentTemplate.objects.filter(location=location, kind=kind).delete()


@transaction.atomic
def esign_settings_save(*, location: Location, sms_code: bool, reminder_hours: Any,
                        actor: Any = None) -> Location:
    """Whether customers confirm a texted code before signing, and the hours before the
    first reminder (0 for none)."""
    authorize(actor, "documents.templates", location)
    try:
        hours = int(reminder_hours)
    except (TypeError, ValueError):
        hours = -1
    if not 0 <= hours <= MAX_REMINDER_HOURS:
        raise ValidationError({"reminder_hours": [
            f"Enter a number of hours from 0 (no reminders) to {MAX_REMINDER_HOURS}."]})
    location.esign_sms_code, location.esign_reminder_hours = bool(sms_code), hours
    location.save(update_fields=["esign_sms_code", "esign_reminder_hours", "updated_at"])
    return location
