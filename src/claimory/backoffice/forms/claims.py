"""Claim forms: intake, edit, internal note, stage move, and the list's filter bar."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin, date, money, text
from claimory.backoffice.forms.people import CustomerVehicleFields
from claimory.backoffice.selectors import SORTS, ClaimFilters
from claimory.claims.models import Claim
from claimory.claims.services import ClaimEditInput, ClaimInput
from claimory.core.phones import display_phone
from claimory.shops.models import Location, Stage
from claimory.shops.permissions import MONEY_FIELDS

COMMON_CARRIERS = (
    "Allstate", "American Family", "Farmers", "GEICO", "Liberty Mutual", "Nationwide",
    "Progressive", "State Farm", "Travelers", "USAA",
)
# Claim fields that stay None (not "") when left empty.
NULLABLE = {"deductible", "estimate_total", "rental_days_covered"}


def _notes_field() -> forms.CharField:
    return forms.CharField(
        label="Internal notes", required=False, max_length=4000,
        help_text="Staff only: never shown to the customer.",
        widget=forms.Textarea(attrs={"rows": 3}))


class ClaimFieldsMixin(forms.Form):
    claim_number = text("Claim number", max_length=40, **{"class": "mono"})
    ro_number = text("RO number", max_length=40, **{"class": "mono"})
    carrier = text("Insurance carrier", max_length=80, list="carrier-list", autocomplete="off")
    adjuster_name = text("Adjuster name", max_length=120, autocomplete="off")
    adjuster_phone = forms.CharField(label="Adjuster phone", required=False, max_length=30,
                                     widget=forms.TextInput(attrs={"type": "tel"}))
    adjuster_email = forms.EmailField(label="Adjuster email", required=False)
    deductible = money("Deductible")
    estimate_total = money("Estimate total")
    rental_days_covered = forms.IntegerField(
        label="Rental days covered", required=False, min_value=0, max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    eta = date("Estimated completion (ETA)")
    internal_notes = _notes_field()

    def claim_values(self) -> dict:
        names = ("claim_number", "ro_number", "carrier", "adjuster_name", "adjuster_phone",
                 "adjuster_email", "deductible", "estimate_total", "rental_days_covered",
                 "internal_notes")
        return {name: self.cleaned_data.get(name) for name in names}


PEOPLE_ORDER = [
    "customer_name", "customer_language", "customer_phone", "customer_email",
    "customer_sms_opt_in", "customer_email_opt_in", "vehicle_year", "vehicle_make",
    "vehicle_model", "vehicle_vin", "vehicle_color", "vehicle_plate",
]
CLAIM_ORDER = ["ro_number", "claim_number", "carrier", "adjuster_name", "adjuster_phone",
               "adjuster_email"]


class IntakeForm(ServiceErrorsMixin, CustomerVehicleFields, ClaimFieldsMixin):
    # The page's order, so the error summary at the top reads top to bottom too.
    field_order = ["location", "stage", *PEOPLE_ORDER, *CLAIM_ORDER, "estimate_total",
                   "deductible", "rental_days_covered", "eta", "internal_notes"]
    location = forms.ChoiceField(label="Location")
    stage = forms.ChoiceField(label="Starting stage")

    def __init__(self, *args, locations: list[Location], stages: list[Stage],
                 working: Location | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locations = {loc.slug: loc for loc in locations}
        self.fields["location"].choices = [(loc.slug, loc.name) for loc in locations]
        if locations:
            self.fields["location"].initial = (working or locations[0]).slug
        by_location: dict[int, list[tuple[str, str]]] = {}
        for stage in stages:
            by_location.setdefault(stage.location_id, []).append((stage.slug, stage.name))
        if len(locations) > 1:
            self.fields["stage"].choices = [(loc.name, by_location.get(loc.pk, []))
                                            for loc in locations]
        else:
            self.fields["stage"].choices = next(iter(by_location.values()), [])

    @property
    def location_obj(self) -> Location:
        return self.locations[self.cleaned_data["location"]]

    def to_input(self) -> ClaimInput:
        values = self.claim_values()
        return ClaimInput(
            customer=self.customer_input(), vehicle=self.vehicle_input(),
            eta=self.cleaned_data.get("eta"), stage=self.cleaned_data.get("stage", ""),
            **{k: v if v is not None or k in NULLABLE else "" for k, v in values.items()},
        )


VISIBILITY_CHOICES = {"default": None, "show": True, "hide": False}


def _visibility_field(label: str, location_default: bool) -> forms.ChoiceField:
    default = "shown" if location_default else "hidden"
    return forms.ChoiceField(
        label=label, widget=forms.RadioSelect, initial="default",
        choices=[("default", f"Shop default ({default})"), ("show", "Show to customer"),
                 ("hide", "Hide from customer")])


def _visibility_key(value: bool | None) -> str:
    return {None: "default", True: "show", False: "hide"}[value]


def money_posted(data) -> bool:
    """Whether a post names a money field: the edit form of a role without claim.money_edit
    has none, so such a post is an attempt to change money, refused rather than ignored."""
    return any(name in data for name in MONEY_FIELDS)


class ClaimEditForm(ServiceErrorsMixin, CustomerVehicleFields, ClaimFieldsMixin):
    field_order = [*CLAIM_ORDER, "eta", "eta_reason", "estimate_total", "deductible",
                   "rental_days_covered", "rental_start", "rental_company", "labor_hours",
                   "show_estimate_total", "show_deductible", *PEOPLE_ORDER, "internal_notes"]
    eta_reason = forms.CharField(
        label="Reason the date moved", required=False, max_length=200,
        help_text="Needed when you change an existing ETA. The customer sees it.")
    rental_start = date("Rental started")
    rental_company = text("Rental company", max_length=80, autocomplete="off")
    labor_hours = forms.CharField(
        label="Labour hours", required=False, max_length=10,
        help_text="From the estimate; some carriers cover rental days by labour hours.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.0"}))

    def __init__(self, *args, claim: Claim, money: bool = True, **kwargs):
        """``money=False`` (a role without claim.money_edit) leaves the money fields out."""
        location = claim.location
        kwargs.setdefault("initial", self._initial(claim))
        super().__init__(*args, **kwargs)
        self.fields["show_estimate_total"] = _visibility_field(
            "Estimate total on the portal", location.show_estimate_total)
        self.fields["show_deductible"] = _visibility_field(
            "Deductible on the portal", location.show_deductible)
        if not money:
            for name in MONEY_FIELDS:
                del self.fields[name]
        self.order_fields(self.field_order)

    @staticmethod
    def _initial(claim: Claim) -> dict:
        customer, vehicle = claim.customer, claim.vehicle
        initial = {name: getattr(claim, name) for name in (
            "claim_number", "ro_number", "carrier", "adjuster_name", "adjuster_email",
            "deductible", "estimate_total", "rental_days_covered", "rental_start",
            "rental_company", "labor_hours", "internal_notes", "eta")}
        initial.update({
            "adjuster_phone": display_phone(claim.adjuster_phone),
            "show_estimate_total": _visibility_key(claim.show_estimate_total),
            "show_deductible": _visibility_key(claim.show_deductible),
            "customer_phone": display_phone(customer.phone),
        })
        for name in ("name", "email", "language", "sms_opt_in", "email_opt_in"):
            initial[f"customer_{name}"] = getattr(customer, name)
        for name in ("year", "make", "model", "vin", "color", "plate"):
            initial[f"vehicle_{name}"] = getattr(vehicle, name)
        return initial

    def to_input(self) -> ClaimEditInput:
        changes = self.claim_values()
        for name in ("claim_number", "ro_number", "carrier", "adjuster_name", "adjuster_phone",
                     "adjuster_email", "internal_notes"):
            changes[name] = (changes[name] or "").strip()
        changes["rental_start"] = self.cleaned_data.get("rental_start")
        changes["rental_company"] = (self.cleaned_data.get("rental_company") or "").strip()
        changes["labor_hours"] = (self.cleaned_data.get("labor_hours") or "").strip() or None
        for name in ("show_estimate_total", "show_deductible"):
            changes[name] = VISIBILITY_CHOICES[self.cleaned_data.get(name) or "default"]
        changes = {name: value for name, value in changes.items() if name in self.fields}
        return ClaimEditInput(
            changes=changes, customer=self.customer_input(), vehicle=self.vehicle_input(),
            eta=self.cleaned_data.get("eta"), eta_reason=self.cleaned_data.get("eta_reason", ""),
        )


class NoteForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Add an internal note", max_length=4000,
        error_messages={"required": "Write the note first."},
        widget=forms.Textarea(attrs={"rows": 3,
                                     "placeholder": "Staff only — the customer never sees this"}))


class StageMoveForm(forms.Form):
    stage = forms.SlugField(max_length=40)
    next = forms.CharField(required=False, max_length=500)


class ClaimFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=100,
        widget=forms.SearchInput(attrs={
            "placeholder": "Name, phone, claim or RO number, VIN, plate"}))
    location = forms.ChoiceField(label="Location", required=False)
    stage = forms.ChoiceField(label="Stage", required=False)
    carrier = forms.ChoiceField(label="Carrier", required=False)
    overdue = forms.BooleanField(label="ETA past due", required=False)
    sort = forms.ChoiceField(label="Sort", required=False,
                             choices=[(key, label) for key, (label, _) in SORTS.items()])

    def __init__(self, *args, locations: list[Location], stages: list[tuple[str, str]],
                 carriers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", "All locations")] + [
            (loc.slug, loc.name) for loc in locations]
        self.fields["stage"].choices = [("", "All stages"), *stages]
        self.fields["carrier"].choices = [("", "All carriers")] + [(c, c) for c in carriers]

    def filters(self) -> ClaimFilters:
        """The valid parts of the query string; a bad value is ignored, not an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        return ClaimFilters(**data)

    @property
    def active(self) -> bool:
        return any(self.cleaned_data.get(n) for n in ("q", "location", "stage", "carrier",
                                                       "overdue"))
