"""The reports' filter: which location(s), which days, weekly or monthly."""

from __future__ import annotations

import datetime as dt

from django import forms

from claimory.reports.period import GRAINS, MAX_DAYS, MONTH, WEEK, Period, default_period

ALL = "all"
# Dates a report can cover: outside, the period's UTC window would overflow (a 500).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
PRESETS = {"30": 30, "90": 90, "180": 180, "365": 365}


class ReportFilter(forms.Form):
    location = forms.CharField(required=False, max_length=60)
    preset = forms.ChoiceField(required=False, choices=[("", "Custom")] + [
        (k, f"Last {v} days") for k, v in PRESETS.items()] + [("ytd", "Year to date")])
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    grain = forms.ChoiceField(required=False, choices=[("", "Automatic"), (WEEK, "By week"),
                                                       (MONTH, "By month")])

    def period(self, today: dt.date) -> Period:
        """The period asked for (call after is_valid()): a preset, explicit dates, or the
        last 90 days."""
        data = self.cleaned_data
        preset, start, end = data.get("preset"), data.get("start"), data.get("end")
        if preset == "ytd":
            period = Period(today.replace(month=1, day=1), today)
        elif preset:
            period = default_period(today, days=PRESETS[preset])
        elif start or end:
            end = end or today
            start = start or end - dt.timedelta(days=89)
            # One date given: the other is filled in, so check the pair here (a 400).
            if end < start:
                raise forms.ValidationError("The start date is after today.")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(f"Pick at most {MAX_DAYS} days.")
            period = Period(start, end)
        else:
            period = default_period(today)
        grain = data.get("grain") or (WEEK if period.days <= 120 else MONTH)
        return Period(period.start, period.end, grain)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if any(day and not EARLIEST <= day <= LATEST for day in (start, end)):
            raise forms.ValidationError(f"Pick dates from {EARLIEST.year} to {LATEST.year}.")
        if start and end and end < start:
            raise forms.ValidationError("The end date is before the start date.")
        if start and end and (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(f"Pick at most {MAX_DAYS} days.")
        if data.get("grain") and data["grain"] not in GRAINS:
            raise forms.ValidationError("Unknown grouping.")
        return data
