"""Appointment forms: the location's availability (Settings → Appointments) and the staff
actions on one appointment (reschedule, cancel, link to a claim)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from claimory.backoffice.forms.base import ServiceErrorsMixin


def _count(label: str, *, help_text: str = "", max_value: int = 50) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=max_value,
                              help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


SLOT_CHOICES = [(15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes"), (45, "45 minutes"),
                (60, "1 hour"), (90, "1½ hours"), (120, "2 hours")]


class AvailabilityForm(ServiceErrorsMixin, forms.Form):
    slot_minutes = forms.TypedChoiceField(label="Slot length", choices=SLOT_CHOICES, coerce=int)
    estimate_capacity = _count("Estimates per slot")
    drop_off_capacity = _count("Drop-offs per slot")
    pickup_capacity = _count("Pickups per slot")
    estimate_day_capacity = _count("Estimates per day", max_value=500,
                                   help_text="0 = no daily limit")
    drop_off_day_capacity = _count("Drop-offs per day", max_value=500,
                                   help_text="0 = no daily limit")
    pickup_day_capacity = _count("Pickups per day", max_value=500,
                                 help_text="0 = no daily limit")
    lead_minutes = forms.IntegerField(label="Earliest booking (minutes ahead)", min_value=0,
                                      max_value=60 * 24 * 14)
    window_days = forms.IntegerField(label="Latest booking (days ahead)", min_value=1,
                                     max_value=365)
    auto_confirm = forms.BooleanField(
        label="Confirm requests automatically", required=False,
        help_text="Off: each request waits for a teammate to confirm it in the calendar.")
    closed_dates = forms.CharField(
        label="Holidays (closed dates)", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-12-25\n2027-01-01"}),
        help_text="One date a line, as YYYY-MM-DD. No bookings on these days.")

    def clean_closed_dates(self) -> list[str]:
        days, bad = set(), []
        for line in self.cleaned_data["closed_dates"].replace(",", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                days.add(dt.date.fromisoformat(line).isoformat())
            except ValueError:
                bad.append(line[:20])
        if bad:
            raise ValidationError(f"Not a date (use YYYY-MM-DD): {', '.join(bad[:5])}.")
        if len(days) > 200:
            raise ValidationError("Keep it to 200 closed dates.")
        return sorted(days)


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(label="New time")  # ISO 8601 with offset, from the slot list


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason (the customer sees it)", max_length=300,
                             required=False)


class LinkClaimForm(forms.Form):
    claim = forms.IntegerField(label="Claim number (ID)", min_value=1, max_value=2**31 - 1)
