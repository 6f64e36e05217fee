"""Settings (owners and managers, per the permission matrix): stages and shop details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.backoffice.forms.settings import (
    SCHEDULES,
    LocationSettingsForm,
    StageAddForm,
    StageForm,
    StageOrderForm,
)
from claimory.photos.uploads import UploadRefused
from claimory.portal.brand import brand_check
from claimory.portal.shop import logo_url
from claimory.shops.branding import logo_pending, logo_remove, logo_upload
from claimory.shops.models import Location, Stage
from claimory.shops.selectors import location_get_for_user, locations_for_user
from claimory.shops.services import location_update, stage_add, stage_reorder, stage_update
from claimory.shops.slugs import location_slug_change


def _pick_location(request: HttpRequest) -> Location:
    slug = request.GET.get("location", "")
    if slug:
        return location_get_for_user(request.user, slug)
    location = locations_for_user(request.user).order_by("name").first()
    if location is None:
        raise Http404("No location")
    return location


def _stages_url(location: Location, anchor: str = "") -> str:
    url = f"{reverse('backoffice:settings_stages')}?location={location.slug}"
    return f"{url}#{anchor}" if anchor else url


def _stages_page(request: HttpRequest, location: Location, *, bound: StageForm | None = None,
                 bound_slug: str = "", add_form: StageAddForm | None = None,
                 status: int = 200) -> HttpResponse:
    stages = list(location.stages.order_by("position", "id"))
    rows = [(s, bound if s.slug == bound_slug else StageForm.for_stage(s)) for s in stages]
    return render(request, "backoffice/settings_stages.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "rows": rows, "add_form": add_form or StageAddForm(prefix="new"),
    }, status=status)


@permission_view("settings.location")
@require_GET
def settings_index(request: HttpRequest) -> HttpResponse:
    return redirect("backoffice:settings_location")


@permission_view("settings.stages")
@require_GET
def stages(request: HttpRequest) -> HttpResponse:
    return _stages_page(request, _pick_location(request))


@permission_view("settings.stages")
@require_POST
def stage_edit(request: HttpRequest, location_slug: str, stage_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    stage = get_object_or_404(Stage, location=location, slug=stage_slug)
    form = StageForm.for_stage(stage, request.POST)
    if form.is_valid():
        try:
            stage_update(stage=stage, changes=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Stage “{stage.name}” saved.")
            return redirect(_stages_url(location, f"stage-{stage.slug}"))
    return _stages_page(request, location, bound=form, bound_slug=stage.slug, status=400)


@permission_view("settings.stages")
@require_POST
def stage_new(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = StageAddForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            stage = stage_add(location=location, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Stage “{stage.name}” added at the end of the board.")
            return redirect(_stages_url(location, f"stage-{stage.slug}"))
    return _stages_page(request, location, add_form=form, status=400)


@permission_view("settings.stages")
@require_POST
def stage_move(request: HttpRequest, location_slug: str, stage_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    stage = get_object_or_404(Stage, location=location, slug=stage_slug)
    form = StageOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether to move the stage up or down.")
        return _stages_page(request, location, status=400)
    slugs = list(location.stages.order_by("position", "id").values_list("slug", flat=True))
    here = slugs.index(stage.slug)
    there = here - 1 if form.cleaned_data["direction"] == "up" else here + 1
    if 0 <= there < len(slugs):
        slugs[here], slugs[there] = slugs[there], slugs[here]
        stage_reorder(location=location, slugs=slugs, actor=request.user)
    return redirect(_stages_url(location, f"stage-{stage.slug}"))


@permission_view("settings.location")
def location_settings(request: HttpRequest) -> HttpResponse:
    location = _pick_location(request)
    form = LocationSettingsForm(request.POST or None, location=location)
    if request.method == "POST" and form.is_valid():
        try:
            location_update(location=location, changes=form.to_changes(), actor=request.user)
        except ValidationError as exc:
            location.refresh_from_db()
            form.add_service_errors(exc)
        else:
            messages.success(request, "Shop settings saved.")
            return redirect(f"{reverse('backoffice:settings_location')}?location={location.slug}")
    return render(request, "backoffice/settings_location.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "form": form, "logo_job": logo_pending(location), "logo_url": logo_url(location),
        "palette": brand_check(location.brand_color),
        "schedules": [(key, label, form.hours_rows(key), form.group_errors.get(key, []))
                      for key, label in SCHEDULES.items()],
    }, status=form.status_code)


@permission_view("settings.location")
@require_POST
def public_address(request: HttpRequest, location_slug: str) -> HttpResponse:
    """Change the public page's address; the old one redirects (shops/slugs.py)."""
    location = location_get_for_user(request.user, location_slug)
    try:
        location = location_slug_change(location=location, slug=request.POST.get("slug", ""),
                                        actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Your page is now at /p/{location.slug}; the old address "
                                  f"redirects there.")
    return redirect(f"{reverse('backoffice:settings_location')}?location={location.slug}"
                    f"#public-page")


@permission_view("settings.location")
@require_POST
def logo(request: HttpRequest, location_slug: str) -> HttpResponse:
    """Upload (processed by the worker) or remove the shop's logo."""
    location = location_get_for_user(request.user, location_slug)
    if request.POST.get("action") == "remove":
        logo_remove(location=location, actor=request.user)
        messages.success(request, "Logo removed.")
    elif (upload := request.FILES.get("logo")) is None:
        messages.error(request, "Choose an image file for the logo.")
    else:
        try:
            logo_upload(location=location, upload=upload, actor=request.user)
        except UploadRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Logo uploaded. It shows everywhere in a few seconds, "
                                      "once it has been cleaned and resized.")
    return redirect(f"{reverse('backoffice:settings_location')}?location={location.slug}#logo")
