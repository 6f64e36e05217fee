"""Settings forms: stages (rename, add, reorder) and the location's shop details."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin, text
from claimory.core.phones import display_phone
from claimory.shops.models import Location, Stage
from claimory.shops.services import DAYS

DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                            "Saturday", "Sunday"), strict=True))
SCHEDULES = {"business_hours": "Business hours", "pickup_hours": "Pickup hours"}


def _explanation(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=600,
                           widget=forms.Textarea(attrs={"rows": 2}))


class StageForm(ServiceErrorsMixin, forms.Form):
    name = text("Name (English)", required=True, max_length=60)
    name_es = text("Name (Spanish)", max_length=60)
    explanation_en = _explanation("What it means for the customer (English)")
    explanation_es = _explanation("What it means for the customer (Spanish)")

    @classmethod
    def for_stage(cls, stage: Stage, data=None) -> StageForm:
        initial = {n: getattr(stage, n) for n in ("name", "name_es", "explanation_en",
                                                  "explanation_es")}
        return cls(data, initial=initial, prefix=f"stage-{stage.slug}")


class StageAddForm(StageForm):
    slug = forms.SlugField(
        label="Short code", required=False, max_length=40,
        help_text="Used by the API and imports, e.g. parts_on_order. Made from the name if empty.")


class StageOrderForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(label=label, required=False,
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class LocationSettingsForm(ServiceErrorsMixin, forms.Form):
    group_error_keys = tuple(SCHEDULES)
    simple_fields = ("name", "phone", "sms_number", "email", "address_line1", "address_line2",
                     "city", "region", "postal_code", "timezone", "brand_color", "tagline",
                     "portal_expiry_days", "show_estimate_total", "show_deductible",
                     "survey_enabled", "survey_delay_hours", "survey_expiry_days", "review_url",
                     "website_url", "facebook_url", "instagram_url")

    name = text("Shop name", required=True, max_length=120)
    phone = forms.CharField(label="Shop phone", required=False, max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    sms_number = forms.CharField(
        label="SMS number", required=False, max_length=30,
        help_text="The location's Telnyx number that texts customers.",
        widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label="Shop email", required=False)
    address_line1 = text("Street address", max_length=200)
    address_line2 = text("Address line 2", max_length=200)
    city = text("City", max_length=100)
    region = text("State", max_length=50)
    postal_code = text("ZIP code", max_length=20)
    timezone = forms.ChoiceField(label="Time zone")
    brand_color = forms.CharField(label="Brand color", max_length=7,
                                  widget=forms.TextInput(attrs={"type": "color"}))
    tagline = text("Tagline", max_length=160)
    portal_expiry_days = forms.IntegerField(
        label="Portal link lasts (days after delivery)", min_value=1, max_value=365)
    show_estimate_total = forms.BooleanField(label="Show the estimate total to customers",
                                             required=False)
    show_deductible = forms.BooleanField(label="Show the deductible to customers",
                                         required=False)
    survey_enabled = forms.BooleanField(label="Send a short survey after delivery",
                                        required=False)
    survey_delay_hours = forms.IntegerField(
        label="Send it this many hours after delivery", min_value=0, max_value=24 * 14)
    survey_expiry_days = forms.IntegerField(
        label="Answers accepted for (days after it is sent)", min_value=1, max_value=90)
    review_url = forms.URLField(
        label="Public review link", required=False, max_length=500, assume_scheme="https",
        help_text="E.g. your Google Business Profile's “Ask for reviews” link. Every customer "
                  "who answers is offered it, whatever their score.",
        widget=forms.URLInput(attrs={"placeholder": "https://g.page/r/…/review"}))

    website_url = forms.URLField(label="Website", required=False, max_length=300,
                                 assume_scheme="https")
    facebook_url = forms.URLField(label="Facebook page", required=False, max_length=300,
                                  assume_scheme="https")
    instagram_url = forms.URLField(label="Instagram", required=False, max_length=300,
                                   assume_scheme="https")

    def __init__(self, data=None, *, location: Location):
        initial = {name: getattr(location, name) for name in self.simple_fields}
        initial["phone"] = display_phone(location.phone)
        initial["sms_number"] = display_phone(location.sms_number)
        super().__init__(data, initial=initial)
        zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc"))
        self.fields["timezone"].choices = [(z, z.replace("_", " ")) for z in zones]
        for schedule in SCHEDULES:
            hours = getattr(location, schedule) or {}
            for day in DAYS:
                span = hours.get(day)
                self.fields[f"{schedule}_{day}_open"] = _time_field(f"{DAY_NAMES[day]} opens")
                self.fields[f"{schedule}_{day}_close"] = _time_field(f"{DAY_NAMES[day]} closes")
                self.fields[f"{schedule}_{day}_closed"] = forms.BooleanField(
                    label=f"Closed {DAY_NAMES[day]}", required=False)
                self.initial[f"{schedule}_{day}_open"] = span["open"] if span else ""
                self.initial[f"{schedule}_{day}_close"] = span["close"] if span else ""
                self.initial[f"{schedule}_{day}_closed"] = not span

    def hours_rows(self, schedule: str) -> list[tuple]:
        """(day name, opens, closes, closed) for each day, for the hours table."""
        return [(DAY_NAMES[day], self[f"{schedule}_{day}_open"], self[f"{schedule}_{day}_close"],
                 self[f"{schedule}_{day}_closed"]) for day in DAYS]

    def clean(self):
        cleaned = super().clean()
        for schedule in SCHEDULES:
            for day in DAYS:
                if cleaned.get(f"{schedule}_{day}_closed"):
                    continue
                opens = cleaned.get(f"{schedule}_{day}_open")
                closes = cleaned.get(f"{schedule}_{day}_close")
                if bool(opens) != bool(closes):
                    missing = f"{schedule}_{day}_close" if opens else f"{schedule}_{day}_open"
                    self.add_error(missing, "Give both times, or tick Closed.")
        return cleaned

    def _hours(self, schedule: str) -> dict:
        out: dict = {}
        for day in DAYS:
            opens = self.cleaned_data.get(f"{schedule}_{day}_open")
            closes = self.cleaned_data.get(f"{schedule}_{day}_close")
            if self.cleaned_data.get(f"{schedule}_{day}_closed") or not (opens and closes):
                out[day] = None
            else:
                out[day] = {"open": opens.strftime("%H:%M"), "close": closes.strftime("%H:%M")}
        return out

    def to_changes(self) -> dict:
        changes = {name: self.cleaned_data[name] for name in self.simple_fields}
        for name in ("address_line1", "address_line2", "city", "region", "postal_code",
                     "tagline", "name", "review_url", "website_url", "facebook_url",
                     "instagram_url"):
            changes[name] = changes[name].strip()
        for schedule in SCHEDULES:
            changes[schedule] = self._hours(schedule)
        return changes
