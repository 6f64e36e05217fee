"""The customer's files from the portal: insurance card, VIN / registration, damage photos.

A plain multipart form post (no JS: redirect back to ``#uploads`` with a thanks note, or the
page again with the error) and the same post by fetch from photos.js (JSON answer). Order of
checks, as for messages: another site's request is refused before the token is looked up;
then the portal gate (429 / uniform 404); then the number of files, the per-claim file cap,
and each file's bytes (``photo_receive``: type by content, size and pixel limits, PDFs passive).
Files already accepted stay accepted when a later one in the same post is refused.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from claimory.claims.models import Channel, Claim
from claimory.photos.models import CUSTOMER_KINDS, Source
from claimory.photos.services import photo_receive
from claimory.photos.uploads import UploadRefused
from claimory.portal import upload_limit
from claimory.portal.origin import is_cross_site
from claimory.portal.page import portal_language, render_fragment
from claimory.portal.views import gate, page_response, portal_path

NOTE_MAX = 300


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refused() -> HttpResponse:
    return HttpResponseForbidden(
        "Refused: files can only be sent from the repair page itself.\n",
        content_type="text/plain; charset=utf-8")


class Problem(Exception):
    def __init__(self, message: str, status: int = 400, wait: int | None = None):
        super().__init__(message)
        self.status, self.wait = status, wait


def _files(request: HttpRequest, claim: Claim) -> list[UploadedFile]:
    """The post's files, or Problem: none, too many, over the cap."""
    files = request.FILES.getlist("files")
    if not files:
        raise Problem(_("Choose a photo or a PDF to send."))
    if len(files) > upload_limit.MAX_FILES_PER_POST:
        n = upload_limit.MAX_FILES_PER_POST
        raise Problem(ngettext("Send at most %(n)d file at a time.",
                               "Send at most %(n)d files at a time.", n) % {"n": n})
    wait = upload_limit.retry_after(claim.pk, len(files))
    if wait is not None:
        raise Problem(_("You've sent a lot of files in a short time. Please wait a few "
                        "minutes and try again, or call us."), status=429, wait=wait)
    return files


def _receive(claim: Claim, files: list[UploadedFile], kind: str, note: str) -> list[int]:
    """Each file through photo_receive; Problem names the first refused file."""
    accepted = []
    for upload in files:
        upload_limit.count_file(claim.pk)
        try:
            photo = photo_receive(claim=claim, upload=upload, name=upload.name or "",
                                  source=Source.CUSTOMER, kind=kind, caption=note,
                                  actor_label="Customer", channel=Channel.PORTAL)
        except UploadRefused as exc:
            name = (upload.name or "")[:80]
            message = _("“%(name)s” was not sent: %(reason)s") % {
                "name": name, "reason": _(str(exc))}
            if accepted:
                message += " " + ngettext("The %(n)d file before it was sent.",
                                          "The %(n)d files before it were sent.",
                                          len(accepted)) % {"n": len(accepted)}
            raise Problem(message) from exc
        accepted.append(photo.pk)
    return accepted


def _error(request: HttpRequest, claim: Claim, token: str, *, language: str, kind: str,
           note: str, problem: Problem) -> HttpResponse:
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": str(problem), "retry_after": problem.wait,
             "uploads": render_fragment(request, claim, "uploads", language=language,
                                        extra={"portal_path": portal_path(token)})},
            status=problem.status)
    else:
        response = page_response(request, claim, token, language=language,
                                 status=problem.status,
                                 extra={"upload_error": str(problem), "upload_kind": kind,
                                        "upload_note": note})
    if problem.wait is not None:
        response["Retry-After"] = str(problem.wait)
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def uploads(request: HttpRequest, token: str) -> HttpResponse:
    """POST: the customer's files. GET (a reload of an error page): back to the section."""
    if request.method != "POST":
        return redirect(f"{portal_path(token)}#uploads")
    if is_cross_site(request):
        return _refused()
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    language = portal_language(request, claim)
    with translation.override(language):
        kind = request.POST.get("kind", "")
        note = " ".join(request.POST.get("note", "").split())[:NOTE_MAX]
        try:
            if kind not in CUSTOMER_KINDS:
                raise Problem(_("Choose what you are sending: insurance card, VIN / "
                                "registration, damage photos or other."))
            accepted = _receive(claim, _files(request, claim), kind, note)
        except Problem as problem:
            return _error(request, claim, token, language=language, kind=kind, note=note,
                          problem=problem)
    if _wants_json(request):
        return JsonResponse({"ids": accepted, "uploads": render_fragment(
            request, claim, "uploads", language=language,
            extra={"portal_path": portal_path(token), "uploaded_note": True})}, status=201)
    query = {"lang": request.GET["lang"]} if "lang" in request.GET else {}
    query["uploaded"] = "1"
    # 303: the browser follows with a GET, so a reload never sends the files again.
    return HttpResponseRedirect(f"{portal_path(token)}?{urlencode(query)}#uploads",
                                status=303)
