"""The customer's forms: request an appointment (portal, public page), move it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from claimory.appointments.models import Kind
from claimory.core.phones import normalize_phone

MAX_PHOTOS = 5


def parse_start(value: str) -> dt.datetime:
    """A slot's start as the slot list writes it (ISO 8601 with its offset)."""
    try:
        start = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_("Pick a time from the list.")) from None
    if start.tzinfo is None:
        raise ValidationError(_("Pick a time from the list."))
    return start


class StartField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=40, error_messages={
            "required": _("Pick a time from the list.")}, **kwargs)

    def clean(self, value):
        return parse_start(super().clean(value))


class SlotForm(forms.Form):
    """Portal request and a move: the kind (portal only) and a slot."""

    kind = forms.ChoiceField(choices=Kind.choices, required=False)
    start = StartField(label=_("Time"))
    note = forms.CharField(label=_("Anything we should know? (optional)"), required=False,
                           max_length=500)


class PublicRequestForm(SlotForm):
    kind = forms.ChoiceField(label=_("What for?"), choices=Kind.choices,
                             error_messages={"required": _("Choose what the visit is for."),
                                             "invalid_choice": _("Choose what the visit is "
                                                                 "for.")})
    name = forms.CharField(label=_("Your name"), max_length=120,
                           error_messages={"required": _("Tell us your name.")})
    phone = forms.CharField(label=_("Mobile phone"), max_length=30,
                            error_messages={"required": _("We need a phone number to reach "
                                                          "you.")})
    email = forms.EmailField(label=_("Email (optional)"), required=False, max_length=254)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1950,
                              max_value=dt.datetime.now(dt.UTC).year + 2)
    make = forms.CharField(label=_("Make"), max_length=40, required=False)
    model = forms.CharField(label=_("Model"), max_length=40, required=False)
    sms_opt_in = forms.BooleanField(label=_("Text me about this appointment"), required=False)
    email_opt_in = forms.BooleanField(label=_("Email me about this appointment"),
                                      required=False)

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(_("That isn't a phone number we can call. Use the 10-digit "
                                    "number, e.g. (512) 555-0100.")) from exc

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Tell us your name."))
        return name
