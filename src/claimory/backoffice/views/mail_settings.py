"""Settings → Email (owners and managers): connect a location's mailbox with Google or
Microsoft (OAuth) or any IMAP/SMTP server, see how its sync is going, sync now, disconnect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.backoffice.forms.mail import ImapConnectForm, MailboxSettingsForm
from claimory.backoffice.views.settings import _pick_location
from claimory.mail import connect, oauth
from claimory.mail.connect import PERM
from claimory.mail.models import Mailbox, MailboxState, SyncRun
from claimory.shops.models import Location
from claimory.shops.selectors import location_get_for_user, locations_for_user


def _page_url(location: Location, anchor: str = "") -> str:
    url = f"{reverse('backoffice:settings_email')}?location={location.slug}"
    return f"{url}#{anchor}" if anchor else url


def _page(request: HttpRequest, location: Location, *, imap_form: ImapConnectForm | None = None,
          settings_form: MailboxSettingsForm | None = None, check=None, error: str = "",
          status: int = 200) -> HttpResponse:
    mailbox = Mailbox.objects.filter(location=location).select_related("connected_by").first()
    return render(request, "backoffice/settings_email.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "mailbox": mailbox, "providers": oauth.providers(), "redirect_uri": oauth.redirect_uri(),
        "last_run": mailbox and SyncRun.objects.filter(mailbox=mailbox).order_by(
            "-created_at", "-id").first(),
        "imap_form": imap_form or ImapConnectForm(mailbox=mailbox),
        "settings_form": settings_form or (mailbox and MailboxSettingsForm.for_mailbox(mailbox)),
        "check": check, "error": error, "open_imap": bool(imap_form and imap_form.is_bound),
    }, status=status)


@permission_view(PERM)
@require_GET
def email_settings(request: HttpRequest) -> HttpResponse:
    return _page(request, _pick_location(request))


@permission_view(PERM)
@require_POST
def oauth_begin(request: HttpRequest, location_slug: str, provider: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    try:
        url = oauth.oauth_start(location, request.user, provider)
    except ValidationError as exc:
        return _page(request, location, error=" ".join(exc.messages), status=400)
    return redirect(url)


@permission_view(PERM)
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where Google / Microsoft send the person back, with ``code`` and ``state``."""
    try:
        mailbox = oauth.oauth_finish(
            state=request.GET.get("state", ""), code=request.GET.get("code", ""),
            user=request.user, error=request.GET.get("error", ""),
            error_description=request.GET.get("error_description", ""))
    except oauth.OAuthError as exc:
        status = 502 if isinstance(exc, oauth.OAuthUnavailable) else 400
        return _page(request, _pick_location(request), error=str(exc), status=status)
    messages.success(request, f"Connected {mailbox.address}. New mail syncs into claims.")
    return redirect(_page_url(mailbox.location))


@permission_view(PERM)
@require_POST
def imap_connect(request: HttpRequest, location_slug: str) -> HttpResponse:
    """The "other provider" form: "Check connection" (action=check) or connect."""
    location = location_get_for_user(request.user, location_slug)
    mailbox = Mailbox.objects.filter(location=location).first()
    form = ImapConnectForm(request.POST, mailbox=mailbox)
    if not form.is_valid():
        return _page(request, location, imap_form=form, status=400)
    try:
        if request.POST.get("action") == "check":
            check = connect.mailbox_check_imap(location=location, actor=request.user,
                                               data=form.cleaned_data)
            return _page(request, location, imap_form=form, check=check)
        outcome = connect.mailbox_connect_imap(
            location=location, actor=request.user, data=form.cleaned_data,
            save_anyway=form.cleaned_data["save_anyway"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _page(request, location, imap_form=form, status=400)
    if outcome.mailbox is None:
        return _page(request, location, imap_form=form, check=outcome.check, status=400)
    messages.success(request, f"Connected {outcome.mailbox.address}."
                     if outcome.check.ok else
                     f"Saved {outcome.mailbox.address}, though the login check failed.")
    return redirect(_page_url(location))


def _mailbox(request: HttpRequest, location_slug: str) -> tuple[Location, Mailbox | None]:
    location = location_get_for_user(request.user, location_slug)
    return location, Mailbox.objects.filter(location=location).first()


@permission_view(PERM)
@require_POST
def mailbox_edit(request: HttpRequest, location_slug: str) -> HttpResponse:
    location, mailbox = _mailbox(request, location_slug)
    if mailbox is None:
        return _page(request, location, error="Connect a mailbox first.", status=400)
    form = MailboxSettingsForm.for_mailbox(mailbox, request.POST)
    if form.is_valid():
        try:
            connect.mailbox_settings_update(mailbox=mailbox, actor=request.user,
                                            **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Mailbox settings saved.")
            return redirect(_page_url(location))
    return _page(request, location, settings_form=form, status=400)


@permission_view(PERM)
@require_POST
def mailbox_sync(request: HttpRequest, location_slug: str) -> HttpResponse:
    location, mailbox = _mailbox(request, location_slug)
    if mailbox is None or mailbox.state != MailboxState.CONNECTED:
        return _page(request, location, error="Connect the mailbox before syncing it.",
                     status=400)
    connect.mailbox_sync_request(mailbox=mailbox, actor=request.user)
    messages.success(request, "Checking the mailbox for new mail…")
    return redirect(_page_url(location, "status"))


@permission_view(PERM)
@require_POST
def mailbox_disconnect(request: HttpRequest, location_slug: str) -> HttpResponse:
    location, mailbox = _mailbox(request, location_slug)
    if mailbox is None or mailbox.state == MailboxState.DISCONNECTED:
        return redirect(_page_url(location))
    connect.mailbox_disconnect(mailbox=mailbox, actor=request.user)
    messages.success(request, f"Disconnected {mailbox.address}. Its mail stays on the claims.")
    return redirect(_page_url(location))
