"""Customer and vehicle inputs shared by intake and edit, and their service dataclasses."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import text
from claimory.claims.models import Language
from claimory.claims.services import CustomerInput, VehicleInput

SMS_CONSENT = (
    "The customer agreed to receive text messages about this repair at this number. "
    "Message and data rates may apply; they can reply STOP at any time to opt out."
)
EMAIL_CONSENT = (
    "The customer agreed to receive email updates about this repair at this address, "
    "and can ask us to stop at any time."
)


class CustomerVehicleFields(forms.Form):
    # Not required here: the service words the message, alongside its other checks.
    customer_name = text("Customer name", max_length=120, autocomplete="off",
                         **{"aria-required": "true"})
    customer_phone = forms.CharField(
        label="Mobile phone", required=False, max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off",
                                      "placeholder": "(512) 555-0100"}))
    customer_email = forms.CharField(
        label="Email", required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    customer_language = forms.ChoiceField(label="Preferred language", choices=Language.choices,
                                          initial=Language.ENGLISH)
    customer_sms_opt_in = forms.BooleanField(label="Text updates (SMS)", required=False,
                                             help_text=SMS_CONSENT)
    customer_email_opt_in = forms.BooleanField(label="Email updates", required=False,
                                               help_text=EMAIL_CONSENT)
    vehicle_year = forms.IntegerField(
        label="Year", required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "2021"}))
    vehicle_make = text("Make", max_length=40, placeholder="Honda")
    vehicle_model = text("Model", max_length=60, placeholder="Accord")
    vehicle_vin = text("VIN", max_length=20, spellcheck="false", autocapitalize="characters",
                       placeholder="17 characters", **{"class": "mono"})
    vehicle_color = text("Color", max_length=40)
    vehicle_plate = text("Plate", max_length=12, autocapitalize="characters",
                         **{"class": "mono"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_name"].show_required = True

    def customer_input(self) -> CustomerInput:
        data = self.cleaned_data
        return CustomerInput(
            name=data.get("customer_name", ""), phone=data.get("customer_phone", ""),
            email=data.get("customer_email", ""),
            language=data.get("customer_language") or Language.ENGLISH,
            sms_opt_in=bool(data.get("customer_sms_opt_in")),
            email_opt_in=bool(data.get("customer_email_opt_in")),
        )

    def vehicle_input(self) -> VehicleInput:
        data = self.cleaned_data
        return VehicleInput(
            year=data.get("vehicle_year"), make=data.get("vehicle_make", ""),
            model=data.get("vehicle_model", ""), vin=data.get("vehicle_vin", ""),
            color=data.get("vehicle_color", ""), plate=data.get("vehicle_plate", ""),
        )
