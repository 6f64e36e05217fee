"""Email on the claim and in the inbox: threads, people, compose and reply (by hand, from a
ready-made text or an approved AI draft), attachments, and placing unmatched mail.

Every view reaches a claim through claim_get_for_user and mail through mail/selectors.py, so
another shop's ids are 404s. Sending only queues (mail_compose); the worker sends.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view, staff_view
from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_user, claim_search, claims_for_user
from claimory.drafts.drafters import DrafterError
from claimory.drafts.models import Draft, DraftChannel, DraftStatus
from claimory.drafts.selectors import email_drafts_waiting
from claimory.drafts.services import draft_create_email, draft_discard, draft_send_email
from claimory.mail.canned import CANNED, canned_fill, canned_get
from claimory.mail.mailboxes import mailbox_usable
from claimory.mail.models import MailMessage, MailStatus, Participant, Role
from claimory.mail.outgoing import header_text, mail_compose, reply_subject
from claimory.mail.participants import participant_add, participant_remove
from claimory.mail.selectors import (
    attachment_get_for_user,
    claim_people,
    claim_threads,
    mail_get_for_user,
    mail_reply_people,
    mailbox_of,
)
from claimory.mail.triage import mail_dismiss, mail_place
from claimory.photos.serving import file_response
from claimory.shops.permissions import require

SEARCH_LIMIT = 20


def settings_email_url() -> str:
    """Settings → Email (its page arrives with the mailbox settings; until then the path)."""
    try:
        return reverse("backoffice:settings_email")
    except NoReverseMatch:
        return "/staff/settings/email"


def _person_text(name: str, address: str) -> str:
    name = header_text(name)  # a line break in a stored name would split it in two
    if not name:
        return address
    if any(ch in name for ch in ',;:<>@"()[]\\'):  # "Reyes, Dana" must stay one person
        name = '"' + name.replace('"', "").replace("\\", "") + '"'
    return f"{name} <{address}>"


def _people_text(people: list[list[str]]) -> str:
    return ", ".join(_person_text(name, address) for name, address in people)


class ParticipantForm(forms.Form):
    email = forms.CharField(max_length=254, required=False, label="Email")
    name = forms.CharField(max_length=200, required=False, label="Name")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ADJUSTER, label="Role")


class ComposeForm(forms.Form):
    pick = forms.MultipleChoiceField(required=False, label="People on this claim",
                                     widget=forms.CheckboxSelectMultiple)
    to = forms.CharField(required=False, max_length=4000, label="To")
    cc = forms.CharField(required=False, max_length=4000, label="Cc")
    bcc = forms.CharField(required=False, max_length=4000, label="Bcc")
    subject = forms.CharField(required=False, max_length=500, label="Subject")
    body = forms.CharField(required=False, strip=False, max_length=20_000, label="Message",
                           widget=forms.Textarea(attrs={"rows": 12}))
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    draft = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pick"].choices = [
            (p.email, f"{p.name} ({p.role_label})" if p.name else f"{p.email} ({p.role_label})")
            for p in people]

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service's ValidationError under the field it names (others at the top)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for name, errors in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


# --- The claim page's Email section -------------------------------------------------------

def claim_email_context(request: HttpRequest, claim: Claim, *,
                        participant_form: ParticipantForm | None = None) -> dict:
    """What ``_claim_email.html`` renders from (called by the claim page)."""
    mailbox = mailbox_of(claim)
    return {
        "mail_threads": claim_threads(claim),
        "mail_people": claim_people(claim),
        "mailbox": mailbox,
        "mailbox_usable": mailbox_usable(mailbox),
        "mail_own": {mailbox.address.lower()} if mailbox else set(),
        "email_drafts": email_drafts_waiting(claim),
        "participant_form": participant_form or ParticipantForm(),
        "settings_email_url": settings_email_url(),
    }


def _claim_email(claim: Claim) -> HttpResponse:
    return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#email")


@staff_view
@require_POST
def participant_add_view(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.edit")
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            person = participant_add(claim=claim, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"{person.email} added as {person.get_role_display()}.")
            return _claim_email(claim)
    from claimory.backoffice.views.claims import claim_page

    return claim_page(request, claim, status=400, email={"participant_form": form})


@staff_view
@require_POST
def participant_remove_view(request: HttpRequest, claim_id: int,
                            participant_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.edit")
    person = Participant.objects.filter(claim=claim, pk=participant_id).first()
    if person is None:
        raise Http404("No such person on this claim")
    participant_remove(participant=person, actor=request.user)
    messages.success(request, f"{person.email} taken off this claim's email.")
    return _claim_email(claim)


@staff_view
@require_GET
def mail_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A kept attachment, for staff: on a claim anyone at the location sees it; mail still
    waiting in the inbox only those who place it."""
    row = attachment_get_for_user(request.user, attachment_id)
    require(request.user, "claim.view" if row.mail.claim_id else "inbox.triage",
            row.mail.location)
    return file_response(row.path, download_name=row.name)


# --- Compose, reply, drafts ---------------------------------------------------------------

def _mail_on(claim: Claim, mail_id) -> MailMessage | None:
    try:
        pk = int(mail_id)
    except (TypeError, ValueError):
        return None
    return MailMessage.objects.filter(claim=claim, pk=pk).first()


def _draft_on(claim: Claim, draft_id) -> Draft | None:
    try:
        pk = int(draft_id)
    except (TypeError, ValueError):
        return None
    return Draft.objects.filter(claim=claim, pk=pk, channel=DraftChannel.EMAIL,
                                status=DraftStatus.DRAFTED).first()


def _initial(request: HttpRequest, claim: Claim) -> tuple[dict, MailMessage | None,
                                                           Draft | None]:
    """The compose form's starting values from ?reply=&all=1, ?template=, ?draft=, ?to=."""
    get = request.GET
    draft = _draft_on(claim, get.get("draft")) if get.get("draft") else None
    reply_id = get.get("reply") or ((draft.context.get("reply_to") or {}).get("id")
                                    if draft else None)
    reply = _mail_on(claim, reply_id) if reply_id else None
    if reply_id and reply is None:
        raise Http404("No such email on this claim")
    initial: dict = {"to": get.get("to", "")[:254]}
    if reply is not None:
        mailbox = mailbox_of(claim)
        own = {a.lower() for a in (mailbox.address if mailbox else "",
                                   claim.location.email) if a}
        to, cc = mail_reply_people(reply, everyone=get.get("all") == "1", own=own)
        initial.update(to=_people_text(to), cc=_people_text(cc), reply_to=reply.pk,
                       subject=reply_subject(reply.subject))
    canned = canned_get(get.get("template", ""))
    if canned is not None:
        filled = canned_fill(canned, claim)
        initial["body"] = filled["body"]
        if reply is None:
            initial.update(to=filled["to"], subject=filled["subject"])
    if draft is not None:
        initial.update(body=draft.body, draft=draft.pk)
    return initial, reply, draft


def _compose_page(request: HttpRequest, claim: Claim, form: ComposeForm,
                  reply: MailMessage | None, draft: Draft | None, *,
                  status: int = 200) -> HttpResponse:
    mailbox = mailbox_of(claim)
    return render(request, "backoffice/mail_compose.html", {
        "claim": claim, "form": form, "reply": reply, "draft": draft, "mailbox": mailbox,
        "mailbox_usable": mailbox_usable(mailbox), "canned": CANNED,
        "everyone": request.GET.get("all") == "1",
        "settings_email_url": settings_email_url(),
    }, status=status)


@staff_view
def mail_compose_view(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    people = claim_people(claim)
    if request.method != "POST":
        initial, reply, draft = _initial(request, claim)
        return _compose_page(request, claim, ComposeForm(initial=initial, people=people),
                             reply, draft)
    form = ComposeForm(request.POST, people=people)
    if not form.is_valid():
        return _compose_page(request, claim, form, None, None, status=400)
    data = form.cleaned_data
    reply = _mail_on(claim, data["reply_to"]) if data["reply_to"] else None
    draft = _draft_on(claim, data["draft"]) if data["draft"] else None
    if (data["reply_to"] and reply is None) or (data["draft"] and draft is None):
        form.add_error(None, "That email or draft is no longer on this claim.")
        return _compose_page(request, claim, form, reply, draft, status=400)
    names = {p.email: p.name for p in people}
    picked = [_people_text([[names.get(a, ""), a]]) for a in data["pick"]]
    to = [value for value in [*picked, data["to"]] if value.strip()]
    fields = {"to": to, "subject": data["subject"],
              "body": data["body"], "cc": data["cc"], "bcc": data["bcc"], "reply_to": reply}
    try:
        if draft is not None:
            mail = draft_send_email(draft=draft, actor=request.user, **fields)
        else:
            mail = mail_compose(claim=claim, actor=request.user, **fields)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _compose_page(request, claim, form, reply, draft, status=400)
    messages.success(request, f"Email queued to {', '.join(a for _n, a in mail.to)}: it "
                              f"goes out from {mail.from_address} in a moment.")
    return _claim_email(claim)


@staff_view
@require_POST
def mail_draft_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Ask the drafter for an email (an answer to ``reply_to`` when posted), then open it in
    the compose form — nothing is sent until a person presses Send there."""
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    reply_id = request.POST.get("reply_to") or ""
    reply = _mail_on(claim, reply_id) if reply_id else None
    if reply_id and reply is None:
        raise Http404("No such email on this claim")
    try:
        draft = draft_create_email(claim=claim, actor=request.user, reply_to=reply)
    except DrafterError as exc:
        messages.error(request, f"No draft: {exc}")
        url = reverse("backoffice:mail_compose", args=[claim.pk])
        return redirect(f"{url}?reply={reply.pk}" if reply else url)
    messages.info(request, "Draft ready — read and edit it; nothing is sent until you press "
                           "Send.")
    return redirect(reverse("backoffice:mail_compose", args=[claim.pk]) + f"?draft={draft.pk}")


@staff_view
@require_POST
def mail_draft_discard(request: HttpRequest, claim_id: int, draft_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    draft = _draft_on(claim, draft_id)
    if draft is None:
        raise Http404("No such draft")
    draft_discard(draft=draft, actor=request.user)
    messages.success(request, "Draft discarded.")
    return _claim_email(claim)


# --- The inbox's mail to place ------------------------------------------------------------

class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)


class AttachForm(forms.Form):
    claim = forms.IntegerField(min_value=1, error_messages={"required": "Pick a claim."})


def _choices(request: HttpRequest, mail: MailMessage, query: str) -> list[Claim]:
    claims = claims_for_user(request.user).filter(location=mail.location_id)
    if query:
        return list(claim_search(claims, query).order_by("-updated_at", "-id")[:SEARCH_LIMIT])
    return list(claims.filter(pk__in=mail.candidates).order_by("-updated_at", "-id"))


def mail_page(request: HttpRequest, mail: MailMessage, *, error: str = "",
              status: int = 200) -> HttpResponse:
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    return render(request, "backoffice/mail_detail.html", {
        "mail": mail, "query": query, "error": error,
        "claims": _choices(request, mail, query) if mail.status == MailStatus.UNMATCHED else [],
    }, status=status)


@permission_view("inbox.triage")
@require_GET
def mail_detail(request: HttpRequest, mail_id: int) -> HttpResponse:
    return mail_page(request, mail_get_for_user(request.user, mail_id))


@permission_view("inbox.triage")
@require_POST
def mail_attach_view(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = mail_get_for_user(request.user, mail_id)
    form = AttachForm(request.POST)
    if not form.is_valid():
        return mail_page(request, mail, error="Pick a claim.", status=400)
    claim = claim_get_for_user(request.user, form.cleaned_data["claim"], "inbox.triage")
    try:
        mail_place(mail=mail, claim=claim, actor=request.user)
    except ValidationError as exc:
        return mail_page(request, mail, error=" ".join(exc.messages), status=400)
    messages.success(request, f"Email from {mail.from_address} filed on {claim} "
                              f"({claim.customer.name}); their next mail files itself.")
    return _claim_email(claim)


@permission_view("inbox.triage")
@require_POST
def mail_dismiss_view(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail = mail_get_for_user(request.user, mail_id)
    try:
        mail_dismiss(mail=mail, actor=request.user)
    except ValidationError as exc:
        return mail_page(request, mail, error=" ".join(exc.messages), status=400)
    messages.success(request, f"Email from {mail.from_address} set aside: not about a claim.")
    return redirect(reverse("backoffice:inbox"))
