"""Staff import of estimates: upload BMS files, EMS sets (file by file or zipped) or zips;
each is imported on the worker and its result shows here."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from claimory.backoffice.access import permission_view
from claimory.backoffice.views.settings import _pick_location
from claimory.estimates import ems
from claimory.estimates.folders import folder_enable
from claimory.estimates.intake import MAX_FILE_BYTES, batch_start, bundle, file_receive
from claimory.estimates.models import Channel
from claimory.estimates.selectors import batches_recent, folders_of, import_running
from claimory.shops.permissions import require
from claimory.shops.selectors import locations_for_user

MAX_FILES = 60


def _page_url(location) -> str:
    return f"{reverse('backoffice:estimates_import')}?location={location.slug}"


def _grouped(uploads) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Uploaded files as import units: EMS tables of one basename bundled into one zip."""
    units: list[tuple[str, bytes]] = []
    sets: dict[str, dict[str, bytes]] = {}
    refused: list[str] = []
    for upload in uploads[:MAX_FILES]:
        name = Path(upload.name or "file").name[:120]
        if (upload.size or 0) > MAX_FILE_BYTES:
            refused.append(f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            continue
        data = upload.read(MAX_FILE_BYTES + 1)
        if ems.table_of(name):
            sets.setdefault(Path(name).stem.upper(), {})[name] = data
        else:
            units.append((name, data))
    units.extend((f"{Path(next(iter(files))).stem}.zip", bundle(files))
                 for _stem, files in sorted(sets.items()))
    return units, refused


@permission_view("estimates.import")
def estimates_import(request: HttpRequest) -> HttpResponse:
    location = _pick_location(request)
    require(request.membership, "estimates.import", location)
    if request.method == "POST" and request.POST.get("action") == "folder":
        require(request.membership, "settings.location", location)
        folder = folder_enable(location=location)
        messages.success(request, f"Watching {folder.path} for estimate exports.")
        return redirect(_page_url(location))
    if request.method == "POST":
        units, refused = _grouped(request.FILES.getlist("files"))
        for line in refused:
            messages.error(request, line)
        if units:
            batch = batch_start(location=location, channel=Channel.UPLOAD, user=request.user)
            for name, data in units:
                file_receive(batch=batch, name=name, data=data, queue=True)
            messages.success(request, f"Importing {len(units)} file{'s' if len(units) > 1 else ''}"
                                      "; results appear below.")
        elif not refused:
            messages.error(request, "Choose at least one file to import.")
        return redirect(_page_url(location))
    batches = batches_recent(location)
    return render(request, "backoffice/estimates_import.html", {
        "location": location, "batches": batches, "running": import_running(batches),
        "folders": folders_of(location),
        "locations": locations_for_user(request.user).order_by("name"),
        "can_folder": request.can.has("settings.location"),
    })
