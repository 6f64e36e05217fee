"""Photos for staff: the technician's capture page, the gallery's actions, and the files
themselves, reached only through the claim's gate, never by a storage path."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claimory.backoffice.access import staff_view
from claimory.backoffice.forms.photos import PhotoUploadForm
from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_user
from claimory.photos.models import Photo, Source
from claimory.photos.selectors import photo_get_for_user
from claimory.photos.services import photo_delete, photo_hide, photo_internal_set, photo_receive
from claimory.photos.serving import photo_variant_response
from claimory.photos.uploads import MAX_IMAGE_BYTES, UploadRefused
from claimory.shops.permissions import require

KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@staff_view
@require_GET
def photo_file(request: HttpRequest, photo_id: int) -> HttpResponse:
    return photo_variant_response(photo_get_for_user(request.user, photo_id), "full.jpg")


@staff_view
@require_GET
def photo_thumb(request: HttpRequest, photo_id: int) -> HttpResponse:
    return photo_variant_response(photo_get_for_user(request.user, photo_id), "thumb.jpg")


def photo_json(photo: Photo) -> dict:
    """What the capture page needs to show one file's progress."""
    return {"id": photo.pk, "state": photo.state, "stage": photo.stage,
            "internal": photo.internal, "caption": photo.caption,
            "thumb_url": reverse("backoffice:photo_thumb", args=[photo.pk]) if photo.ready
            else "",
            "status_url": reverse("backoffice:photo_state", args=[photo.pk]),
            "error": photo.last_error if photo.state == "failed" else ""}


@staff_view
@require_GET
def photo_state(request: HttpRequest, photo_id: int) -> HttpResponse:
    """One photo's processing state, polled by the capture page until it is ready."""
    photo = photo_get_for_user(request.user, photo_id)
    response = JsonResponse(photo_json(photo))
    response["Cache-Control"] = "no-store"
    return response


# ---- the capture page ---------------------------------------------------------------------

def _wants_json(request: HttpRequest) -> bool:
    return (request.headers.get("X-Requested-With") in ("fetch", "XMLHttpRequest")
            or "application/json" in request.headers.get("Accept", ""))


def _stage_choices(claim: Claim) -> list[tuple[str, str]]:
    return list(claim.location.stages.order_by("position", "id").values_list("slug", "name"))


def _refusal_status(exc: UploadRefused, size: int | None) -> int:
    """413 for a file over the limit (bytes or pixels), 415 for one that is not an image,
    else 400."""
    if (size is not None and size > MAX_IMAGE_BYTES or "too large" in str(exc)
            or "megapixels" in str(exc)):
        return 413
    if "not a photo" in str(exc) or "Please send a photo" in str(exc):
        return 415
    return 400


def _capture_page(request: HttpRequest, claim: Claim, form: PhotoUploadForm,
                  status: int = 200) -> HttpResponse:
    return render(request, "backoffice/photo_new.html", {
        "claim": claim, "form": form, "max_mb": MAX_IMAGE_BYTES // (1024 * 1024),
        "claim_url": reverse("backoffice:claim", args=[claim.pk]) + "#photos",
    }, status=status)


def _blank_form(claim: Claim, stage: str = "", internal: bool = False) -> PhotoUploadForm:
    return PhotoUploadForm(stages=_stage_choices(claim), initial={
        "stage": stage or claim.stage.slug, "internal": internal,
        "upload_key": get_random_string(32, KEY_ALPHABET)})


@staff_view
@require_http_methods(["GET", "POST"])
def photo_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Take or choose photos of the car. The page's script posts each file on its own (JSON
    answers); without it the form posts them all and comes back here with a message."""
    claim = claim_get_for_user(request.user, claim_id, "photos.add")
    if request.method == "GET":
        stages = dict(_stage_choices(claim))
        stage = request.GET.get("stage", "")
        return _capture_page(request, claim, _blank_form(
            claim, stage if stage in stages else "", request.GET.get("internal") == "1"))
    as_json = _wants_json(request)
    form = PhotoUploadForm(request.POST, request.FILES, stages=_stage_choices(claim))
    if not form.is_valid():
        if as_json:
            first = next(iter(form.errors.values()))[0]
            return JsonResponse({"error": first, "fields": form.errors}, status=400)
        return _capture_page(request, claim, form, status=400)
    data = form.cleaned_data
    files = data["photos"]
    received, refused = [], []
    for index, upload in enumerate(files):
        try:
            photo = photo_receive(claim=claim, upload=upload, source=Source.BAY,
                                  stage=data["stage"], caption=data["caption"],
                                  internal=data["internal"], actor=request.user,
                                  upload_key=form.file_key(index, len(files)))
        except UploadRefused as exc:
            if as_json:
                return JsonResponse({"error": str(exc)},
                                    status=_refusal_status(exc, upload.size))
            refused.append(f"{upload.name}: {exc}")
        else:
            received.append(photo)
    if as_json:
        photo = received[0]
        photo.refresh_from_db()  # a worker may already have processed it
        return JsonResponse(photo_json(photo), status=201)
    if received:
        count = len(received)
        messages.success(request, f"{count} photo{'' if count == 1 else 's'} added. "
                                  "They appear on the claim once processed.")
    for problem in refused:
        messages.error(request, f"Not added: {problem}")
    # Back to the camera, with the same stage and switch for the next shots.
    query = f"?stage={data['stage']}" + ("&internal=1" if data["internal"] else "")
    return redirect(reverse("backoffice:photo_new", args=[claim.pk]) + query)


# ---- the gallery's actions ----------------------------------------------------------------

def _managed_photo(request: HttpRequest, photo_id: int) -> Photo:
    """The photo if the teammate sees its claim (else 404) and may manage photos (else 403)."""
    photo = photo_get_for_user(request.user, photo_id)
    require(request.membership, "photos.manage")
    return photo


def _done(request: HttpRequest, photo: Photo | int, claim_id: int, text: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": text})
    messages.success(request, text)
    return redirect(reverse("backoffice:claim", args=[claim_id]) + "#photos")


@staff_view
@require_POST
def photo_hide_view(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = _managed_photo(request, photo_id)
    hidden = request.POST.get("hidden") != "0"
    photo = photo_hide(photo, hidden=hidden, actor=request.user)
    text = ("Photo hidden from the customer." if hidden
            else "Photo shown to the customer again.")
    return _done(request, photo, photo.claim_id, text)


@staff_view
@require_POST
def photo_internal_view(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = _managed_photo(request, photo_id)
    if photo.source != Source.BAY:
        return _done(request, photo, photo.claim_id, "Only the shop's own photos can be "
                                                     "made internal.")
    internal = request.POST.get("internal") != "0"
    photo = photo_internal_set(photo, internal=internal, actor=request.user)
    text = ("Photo is internal: staff only." if internal
            else "Photo is public: the customer sees it.")
    return _done(request, photo, photo.claim_id, text)


@staff_view
@require_POST
def photo_delete_view(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = _managed_photo(request, photo_id)
    claim_id = photo.claim_id
    photo_delete(photo, actor=request.user)
    return _done(request, photo_id, claim_id, "Photo deleted.")
