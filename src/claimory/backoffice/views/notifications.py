"""Settings → Notifications (owners and managers): which events text customers, the message
templates (edit, preview, approve) and the location's quiet hours."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.backoffice.forms.notifications import QuietHoursForm, RulesForm, TemplateForm
from claimory.backoffice.views.settings import _pick_location
from claimory.notifications import wording
from claimory.notifications.models import MessageTemplate
from claimory.notifications.segments import segments
from claimory.notifications.selectors import (
    template_get_for_location,
    template_groups,
    trigger_rows,
)
from claimory.notifications.services import (
    LANGUAGE_NAMES,
    quiet_hours_set,
    rules_set,
    template_approve,
    template_preview,
    template_save,
    templates_approve_all,
    templates_seed,
)
from claimory.shops.models import Location
from claimory.shops.selectors import location_get_for_user, locations_for_user
from claimory.shops.services import location_timezone

PERM = "notifications.manage"


def _page_url(location: Location, anchor: str = "") -> str:
    url = f"{reverse('backoffice:settings_notifications')}?location={location.slug}"
    return f"{url}#{anchor}" if anchor else url


def _page(request: HttpRequest, location: Location, *, rules: RulesForm | None = None,
          quiet: QuietHoursForm | None = None, status: int = 200) -> HttpResponse:
    templates_seed(location)  # a location made before notifications existed gets drafts
    groups = template_groups(location)
    zone = location_timezone(location)
    return render(request, "backoffice/settings_notifications.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "rules": rules or RulesForm(rows=trigger_rows(location)),
        "quiet": quiet or QuietHoursForm(initial={"start": location.sms_quiet_start,
                                                  "end": location.sms_quiet_end}),
        "zone": zone.key, "groups": groups, "languages": LANGUAGE_NAMES,
        "drafts": sum(1 for g in groups for t in g.templates if not t.approved),
        "counts": {t.pk: segments(t.body) for g in groups for t in g.templates},
    }, status=status)


@permission_view(PERM)
@require_GET
def notifications_settings(request: HttpRequest) -> HttpResponse:
    return _page(request, _pick_location(request))


@permission_view(PERM)
@require_POST
def rules_save(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = RulesForm(request.POST, rows=trigger_rows(location))
    if form.is_valid():
        rules_set(location=location, enabled=form.enabled(), actor=request.user)
        messages.success(request, "Notification events saved.")
        return redirect(_page_url(location, "events"))
    return _page(request, location, rules=form, status=400)


@permission_view(PERM)
@require_POST
def quiet_hours_save(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = QuietHoursForm(request.POST)
    if form.is_valid():
        quiet_hours_set(location=location, start=form.cleaned_data["start"],
                        end=form.cleaned_data["end"], actor=request.user)
        messages.success(request, "Quiet hours saved.")
        return redirect(_page_url(location, "quiet-hours"))
    return _page(request, location, quiet=form, status=400)


def _template_page(request: HttpRequest, template: MessageTemplate, form: TemplateForm,
                   body: str, status: int = 200) -> HttpResponse:
    return render(request, "backoffice/settings_template.html", {
        "location": template.location, "locations": list(locations_for_user(request.user)),
        "template": template, "form": form, "language": LANGUAGE_NAMES[template.language],
        "preview": template_preview(location=template.location, body=body,
                                    language=template.language),
        "variables": [("{" + name + "}", meaning) for name, meaning in wording.VARIABLES.items()],
    }, status=status)


@permission_view(PERM)
def template_edit(request: HttpRequest, location_slug: str, template_id: int) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    template = template_get_for_location(location, template_id)
    if request.method != "POST":
        return _template_page(request, template, TemplateForm(initial={"body": template.body}),
                              template.body)
    form = TemplateForm(request.POST)
    action = request.POST.get("action", "save")
    if form.is_valid() and action in ("save", "approve"):
        try:
            template_save(template=template, body=form.cleaned_data["body"],
                          actor=request.user, approve=action == "approve")
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Template approved: automated texts use it now."
                             if template.approved else
                             "Template saved as a draft: approve it before texts use it.")
            return redirect(_page_url(location, f"template-{template.pk}"))
    body = form.cleaned_data.get("body", "") if form.is_valid() else \
        request.POST.get("body", "")
    return _template_page(request, template, form, body, status=form.status_code)


@permission_view(PERM)
@require_POST
def template_approve_view(request: HttpRequest, location_slug: str,
                          template_id: int) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    template = template_get_for_location(location, template_id)
    template_approve(template=template, actor=request.user)
    messages.success(request, "Template approved: automated texts use it now.")
    return redirect(_page_url(location, f"template-{template.pk}"))


@permission_view(PERM)
@require_POST
def templates_approve_all_view(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    count = templates_approve_all(location=location, actor=request.user)
    messages.success(request, f"{count} template{'s' if count != 1 else ''} approved.")
    return redirect(_page_url(location, "templates"))
