"""Site-level endpoints: health check, robots.txt, favicon and the root redirect."""

from pathlib import Path

from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ok"
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)},
                            status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Capability paths are listed, never individual links (W3C TAG capability URLs).
    return HttpResponse("User-agent: *\nDisallow: /c/\nDisallow: /staff/\nDisallow: /api/\n",
                        content_type="text/plain")


FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"


@require_GET
def favicon(request: HttpRequest) -> FileResponse:
    # Browsers ask for /favicon.ico on their own (printables, PDFs, old bookmarks); pages link
    # the SVG. A week's cache: the icon almost never changes and the URL cannot carry a hash.
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


def home(request: HttpRequest) -> HttpResponse:
    return redirect("backoffice:claims")
