"""The public sign-up form and the team forms (Settings → Team)."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin
from claimory.shops.models import Role
from claimory.shops.plans import PLANS
from claimory.shops.signup import DEFAULT_PLAN, DEFAULT_TIMEZONE, TIMEZONES


def _plan_choices() -> list[tuple[str, str]]:
    # Short enough for a 390 px select; the help text says "per location".
    return [(info.plan, f"{info.name} — ${info.price}/mo"
             if info.price is not None else f"{info.name} — priced with your group")
            for info in PLANS.values()]


class SignUpForm(ServiceErrorsMixin, forms.Form):
    """Shapes the input; shops.signup checks it (one set of rules, one set of messages)."""

    shop_name = forms.CharField(label="Shop name", max_length=120, widget=forms.TextInput(
        attrs={"autocomplete": "organization", "autofocus": True}))
    name = forms.CharField(label="Your name", max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label="Work email", max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}))
    password = forms.CharField(
        label="Password", max_length=128, strip=False,
        help_text="At least 8 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    plan = forms.ChoiceField(label="Plan to try", choices=_plan_choices, initial=DEFAULT_PLAN,
                             help_text="Prices per location per month. 14-day free trial, no "
                                       "credit card; change plan any time. Every plan has the "
                                       "whole customer experience.")
    phone = forms.CharField(label="Shop phone", max_length=40, widget=forms.TextInput(
        attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
    timezone = forms.ChoiceField(label="Time zone", initial=DEFAULT_TIMEZONE,
                                 choices=[(k, f"{v} ({k})") for k, v in TIMEZONES.items()])
    slug = forms.CharField(
        label="Public page address", max_length=50,
        help_text="Lowercase letters, digits and dashes. Your shop's page and QR codes use it; "
                  "you can change it later.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false",
                                      "pattern": "[a-z0-9][a-z0-9-]*"}))


class InviteForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}))
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.FRONT_DESK)
    locations = forms.MultipleChoiceField(
        label="Works at", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Owners and managers see every location.")

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].choices = [(str(loc.pk), loc.name) for loc in locations]
        if len(locations) == 1 and not self.is_bound:
            self.initial["locations"] = [str(locations[0].pk)]


class MemberForm(InviteForm):
    """Changing a teammate: role and locations only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["name"]
        del self.fields["email"]
