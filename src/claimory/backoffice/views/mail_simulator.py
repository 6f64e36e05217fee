"""The mail simulator (locations with a simulated mailbox, i.e. the demo): what the shop
sent, and "answer as the recipient", filed through the same path as synced mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import staff_view
from claimory.mail.models import MailDirection, MailMessage, Provider
from claimory.mail.simulator import simulated_reply
from claimory.shops.selectors import locations_for_user

SHOWN = 25


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=20_000, error_messages={"required": "Write the answer."})


def _sent(request: HttpRequest):
    return (MailMessage.objects.filter(
        location__in=locations_for_user(request.user), direction=MailDirection.OUTBOUND,
        location__mailbox__provider=Provider.SIMULATED)
        .select_related("claim", "location").order_by("-created_at", "-pk"))


@staff_view
@require_GET
def mail_simulator_page(request: HttpRequest) -> HttpResponse:
    sent = list(_sent(request)[:SHOWN])
    answered = set(MailMessage.objects.filter(
        in_reply_to__in=[m.message_id for m in sent]).values_list("in_reply_to", flat=True))
    return render(request, "backoffice/mail_simulator.html", {
        "sent": [(mail, mail.message_id in answered) for mail in sent],
        "simulated": _has_simulated(request),
    })


def _has_simulated(request: HttpRequest) -> bool:
    return locations_for_user(request.user).filter(
        mailbox__provider=Provider.SIMULATED).exists()


@staff_view
@require_POST
def mail_simulator_reply(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = _sent(request).filter(pk=mail_id).first()
    if mail is None:
        raise Http404("No such message.")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["body"][0])
        return redirect(f"{reverse('backoffice:mail_simulator')}#mail-{mail.pk}")
    try:
        filed = simulated_reply(mail=mail, body=form.cleaned_data["body"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('backoffice:mail_simulator')}#mail-{mail.pk}")
    where = (f"filed on claim {filed.mail.claim}" if filed.mail.claim_id
             else "waiting in the inbox for someone to pick its claim")
    messages.success(request, f"{mail.to[0][1]} answered; the reply was {where}.")
    return redirect(f"{reverse('backoffice:mail_simulator')}#mail-{mail.pk}")
