"""The SMS simulator's staff side (only without a Telnyx key): a customer's simulated phone
and "reply as the customer", which goes through the same inbound path as a real webhook."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import staff_view
from claimory.backoffice.simulator import sim_phone, simulated_numbers
from claimory.claims.models import Customer
from claimory.shops.selectors import location_get_for_user, locations_for_user
from claimory.sms import simulator
from claimory.sms.providers import simulated


class CustomerReplyForm(forms.Form):
    location = forms.SlugField(max_length=60)
    phone = forms.CharField(max_length=20)
    text = forms.CharField(max_length=1600, error_messages={"required": "Type a text first."})
    next = forms.CharField(max_length=300, required=False)


def _gate() -> None:
    if not simulated():
        raise Http404("The simulator is off: texts go through Telnyx.")


def _customer(request: HttpRequest, slug: str, phone: str) -> Customer:
    """A customer with this number at one of the user's locations; anything else → 404."""
    location = location_get_for_user(request.user, slug)
    customer = Customer.objects.filter(location=location, phone=phone).select_related(
        "location").first()
    if customer is None:
        raise Http404("No customer with that number here.")
    return customer


@staff_view
@require_GET
def simulator_page(request: HttpRequest) -> HttpResponse:
    """Every customer number at the user's locations; pick one to see its phone."""
    _gate()
    chosen = None
    if request.GET.get("phone") and request.GET.get("location"):
        chosen = _customer(request, request.GET["location"], request.GET["phone"])
    if request.GET.get("fragment") == "1":  # sim-phone.js refreshing the panel
        return render(request, "backoffice/_sim_phone.html", {"sim": sim_phone(chosen)})
    return render(request, "backoffice/simulator.html", {
        "numbers": simulated_numbers(locations_for_user(request.user)),
        "sim": sim_phone(chosen) if chosen else None,
    })


@staff_view
@require_POST
def simulator_reply(request: HttpRequest) -> HttpResponse:
    """Text the shop from the simulated phone (stored as a ``message.received`` event)."""
    _gate()
    form = CustomerReplyForm(request.POST)
    if not form.is_valid():
        if "location" in form.errors or "phone" in form.errors:
            raise Http404("No such phone.")
        messages.error(request, " ".join(form.errors.get("text", ["Type a text first."])))
    else:
        customer = _customer(request, form.cleaned_data["location"], form.cleaned_data["phone"])
        simulator.customer_reply(location=customer.location, from_number=customer.phone,
                                 text=form.cleaned_data["text"])
    back = form.data.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    query = urlencode({"location": form.data.get("location", ""),
                       "phone": form.data.get("phone", "")})
    return redirect(back or f"{reverse('backoffice:simulator')}?{query}")

