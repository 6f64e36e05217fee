"""Notification settings forms: which events text customers, quiet hours, a template's text."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin
from claimory.notifications.selectors import TriggerRow
from claimory.notifications.wording import MAX_BODY, template_errors


def rule_field_name(trigger: str) -> str:
    return "rule-" + trigger.replace(":", "-")


class RulesForm(forms.Form):
    """One checkbox per trigger of the location (stages in board order, then the rest)."""

    def __init__(self, data=None, *, rows: list[TriggerRow]):
        super().__init__(data)
        self.rows = rows
        for row in rows:
            self.fields[rule_field_name(row.trigger)] = forms.BooleanField(
                label=row.label, required=False, initial=row.enabled, help_text=row.help)

    def enabled(self) -> dict[str, bool]:
        return {row.trigger: self.cleaned_data[rule_field_name(row.trigger)] for row in self.rows}


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"},
                                                               format="%H:%M"))


class QuietHoursForm(ServiceErrorsMixin, forms.Form):
    start = _time("Quiet from")
    end = _time("Until")


class TemplateForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Text", max_length=MAX_BODY + 200, strip=False,
        widget=forms.Textarea(attrs={"rows": 5}))

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        errors = template_errors(body)
        if errors:
            raise forms.ValidationError(errors)
        return body
