"""Money on the claim page (supplements, deductible paid) and the rental rules settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view, staff_view
from claimory.backoffice.forms.claims import COMMON_CARRIERS
from claimory.backoffice.forms.money import (
    RentalRuleForm,
    SupplementDecisionForm,
    SupplementForm,
)
from claimory.backoffice.views.claims import claim_page
from claimory.backoffice.views.settings import _pick_location
from claimory.claims.selectors import claim_get_for_user
from claimory.money.deductible import deductible_mark_paid
from claimory.money.models import RentalRule
from claimory.money.rental import rental_rule_delete, rental_rule_save
from claimory.money.selectors import rental_rules_of, supplement_get
from claimory.money.supplements import supplement_add, supplement_decide
from claimory.shops.models import Location
from claimory.shops.selectors import location_get_for_user, locations_for_user

_DECIDED = {"approved": "approved", "denied": "marked denied", "pending": "reopened"}


def _money_url(claim_id: int) -> str:
    return reverse("backoffice:claim", args=[claim_id]) + "#money"


@staff_view
@require_POST
def supplement_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.money_edit")
    form = SupplementForm(request.POST)
    if form.is_valid():
        try:
            supp = supplement_add(claim=claim, amount=form.cleaned_data["amount"],
                                  sent_on=form.cleaned_data["sent_on"],
                                  note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Supplement {supp.number} recorded as sent.")
            return redirect(_money_url(claim.pk))
    return claim_page(request, claim, status=400, supplement_form=form)


@staff_view
@require_POST
def supplement_decision(request: HttpRequest, claim_id: int, number: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.money_edit")
    supp = supplement_get(claim, number)
    if supp is None:
        raise Http404("No such supplement")
    form = SupplementDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"status": ["Choose approved, denied or pending."]})
        supplement_decide(supplement=supp, status=form.cleaned_data["status"],
                          decided_on=form.cleaned_data["decided_on"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, f"Supplement {supp.number}: {' '.join(exc.messages)}")
        return claim_page(request, claim, status=400)
    messages.success(request, f"Supplement {supp.number} {_DECIDED[supp.status]}.")
    return redirect(_money_url(claim.pk))


@staff_view
@require_POST
def deductible_paid(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.money_edit")
    paid = request.POST.get("paid") == "1"
    try:
        deductible_mark_paid(claim=claim, paid=paid, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return claim_page(request, claim, status=400)
    messages.success(request, "Deductible marked paid." if paid else "Deductible marked unpaid.")
    return redirect(_money_url(claim.pk))


# ---- settings: rental rules per carrier ---------------------------------------------------

def _rules_url(location: Location, anchor: str = "") -> str:
    url = f"{reverse('backoffice:settings_rental')}?location={location.slug}"
    return f"{url}#{anchor}" if anchor else url


def _rules_page(request: HttpRequest, location: Location, *, add_form: RentalRuleForm | None = None,
                bound: RentalRuleForm | None = None, bound_id: int = 0,
                status: int = 200) -> HttpResponse:
    rows = [(rule, bound if rule.pk == bound_id else RentalRuleForm.for_rule(rule))
            for rule in rental_rules_of(location)]
    return render(request, "backoffice/settings_rental.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "rows": rows, "add_form": add_form or RentalRuleForm(prefix="new"),
        "carriers": COMMON_CARRIERS,
    }, status=status)


def _rule_of(location: Location, rule_id: int) -> RentalRule:
    rule = RentalRule.objects.filter(location=location, pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule")
    return rule


@permission_view("settings.location")
@require_GET
def rental_rules(request: HttpRequest) -> HttpResponse:
    return _rules_page(request, _pick_location(request))


@permission_view("settings.location")
@require_POST
def rental_rule_new(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = RentalRuleForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            rule = rental_rule_save(location=location, values=form.values(), actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Rental rule for {rule.carrier} added.")
            return redirect(_rules_url(location, f"rule-{rule.pk}"))
    return _rules_page(request, location, add_form=form, status=400)


@permission_view("settings.location")
@require_POST
def rental_rule_edit(request: HttpRequest, location_slug: str, rule_id: int) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    rule = _rule_of(location, rule_id)
    form = RentalRuleForm.for_rule(rule, request.POST)
    if form.is_valid():
        try:
            rental_rule_save(location=location, rule=rule, values=form.values(),
                             actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Rental rule for {rule.carrier} saved.")
            return redirect(_rules_url(location, f"rule-{rule.pk}"))
    return _rules_page(request, location, bound=form, bound_id=rule.pk, status=400)


@permission_view("settings.location")
@require_POST
def rental_rule_remove(request: HttpRequest, location_slug: str, rule_id: int) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    rule = _rule_of(location, rule_id)
    rental_rule_delete(rule=rule, actor=request.user)
    messages.success(request, f"Rental rule for {rule.carrier} deleted.")
    return redirect(_rules_url(location))
