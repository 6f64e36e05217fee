"""Settings → Texting number: search available numbers, pick one, or enter the shop's own."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin, text
from claimory.core.phones import display_phone
from claimory.shops.models import Location


class NumberSearchForm(ServiceErrorsMixin, forms.Form):
    area_code = text("Area code", max_length=3, inputmode="numeric", placeholder="512",
                     autocomplete="off")
    city = text("City", max_length=100, placeholder="Austin")
    region = text("State", max_length=2, placeholder="TX")


class NumberPickForm(forms.Form):
    phone_number = forms.CharField(max_length=20, widget=forms.HiddenInput)


class TextingNumberForm(ServiceErrorsMixin, forms.Form):
    sms_number = forms.CharField(
        label="Texting number", required=False, max_length=30,
        help_text="A number on the shop's own Telnyx account that can text (10DLC-registered).",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    messaging_profile_id = text("Messaging profile id", max_length=64, autocomplete="off",
                                spellcheck="false")
    messaging_profile_id.help_text = ("From Telnyx → Messaging → this location's profile. "
                                      "One profile per location: STOP applies per profile.")

    @classmethod
    def for_location(cls, location: Location, data=None) -> TextingNumberForm:
        return cls(data, initial={"sms_number": display_phone(location.sms_number),
                                  "messaging_profile_id": location.messaging_profile_id})
