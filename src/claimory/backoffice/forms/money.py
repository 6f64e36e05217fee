"""Money forms: a new supplement, a supplement decision, a carrier's rental rule."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin, date, money, text
from claimory.money.models import RentalRule, SupplementStatus


class SupplementForm(ServiceErrorsMixin, forms.Form):
    amount = money("Amount")
    sent_on = date("Sent to the carrier", help_text="Leave empty for today.")
    note = forms.CharField(label="Internal note", required=False, max_length=500,
                           help_text="Staff only.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "supp")
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = True
        self.fields["amount"].error_messages["required"] = "Enter the supplement amount."


class SupplementDecisionForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(choices=SupplementStatus.choices)
    decided_on = date("Decided on")


class RentalRuleForm(ServiceErrorsMixin, forms.Form):
    KINDS = (("days", "A number of days"), ("daily_limit", "Days, with a daily limit"),
             ("hours", "Days from labour hours"))

    carrier = text("Insurance carrier", required=True, max_length=80, list="carrier-list",
                   autocomplete="off")
    kind = forms.ChoiceField(label="How the carrier counts", choices=KINDS, initial="days",
                             widget=forms.RadioSelect)
    days_allowed = forms.IntegerField(label="Days allowed", required=False, min_value=0,
                                      max_value=365,
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    daily_limit = money("Daily limit ($)")
    hours_per_day = forms.DecimalField(
        label="Labour hours per rental day", required=False, min_value=0, max_digits=5,
        decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
        help_text="Days = labour hours ÷ this, rounded up.")
    min_days = forms.IntegerField(label="At least (days)", required=False, min_value=0,
                                  max_value=365)
    max_days = forms.IntegerField(label="At most (days)", required=False, min_value=0,
                                  max_value=365)
    count_weekends = forms.BooleanField(
        label="Weekends count as rental days", required=False, initial=True,
        help_text="Untick when the carrier pays weekdays only.")

    @classmethod
    def for_rule(cls, rule: RentalRule, data=None) -> RentalRuleForm:
        initial = {name: getattr(rule, name) for name in (
            "carrier", "days_allowed", "daily_limit", "hours_per_day", "min_days", "max_days",
            "count_weekends")}
        initial["kind"] = rule.kind
        return cls(data, initial=initial, prefix=f"rule-{rule.pk}")

    def values(self) -> dict:
        """What the service takes: only the fields of the chosen way of counting."""
        data = self.cleaned_data
        kind = data.get("kind") or "days"
        values = {"carrier": data.get("carrier", ""), "count_weekends": data.get("count_weekends")}
        if kind == "hours":
            values.update(hours_per_day=data.get("hours_per_day"), min_days=data.get("min_days"),
                          max_days=data.get("max_days"))
            if values["hours_per_day"] is None:
                values["hours_per_day"] = ""  # refused by the service with its message
        else:
            values["days_allowed"] = data.get("days_allowed")
            if kind == "daily_limit":
                values["daily_limit"] = data.get("daily_limit") or ""
        return values
