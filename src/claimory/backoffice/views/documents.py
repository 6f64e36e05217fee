"""Documents for the customer to sign: send (pick, fill, preview, send), read the record,
download the signed PDF, void; and Settings → Documents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view, staff_view
from claimory.backoffice.documents import KIND_HELP, badge, fields_initial, seal_status
from claimory.backoffice.forms.documents import (
    DocumentFieldsForm,
    EsignSettingsForm,
    TemplateForm,
    VoidForm,
)
from claimory.backoffice.views.settings import _pick_location
from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_user
from claimory.core.clients import request_client_ip
from claimory.esign import services, wording
from claimory.esign.models import Document, Kind
from claimory.esign.services import RequestMeta
from claimory.esign.shop_settings import esign_settings_save, template_reset
from claimory.photos.serving import file_response
from claimory.shops.models import Location
from claimory.shops.selectors import location_get_for_user, locations_for_user


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta(ip=request_client_ip(request) or None,
                       user_agent=request.headers.get("User-Agent", "")[:400])


def _document_of(claim: Claim, document_id: int) -> Document:
    """One of this claim's documents (the claim came through the user's gate); else 404."""
    document = Document.objects.filter(pk=document_id, claim=claim).select_related(
        "claim", "claim__location", "sent_by", "replaces").first()
    if document is None:
        raise Http404("No such document")
    return document


def _detail_url(document: Document) -> str:
    return reverse("backoffice:document", args=[document.claim_id, document.pk])


# ---- sending ----------------------------------------------------------------------------------

def _replaced(request: HttpRequest, claim: Claim) -> Document | None:
    raw = request.POST.get("replaces") or request.GET.get("replaces") or ""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404("No such document")
    document = _document_of(claim, int(raw))
    return document if document.open else None


def _send_page(request: HttpRequest, claim: Claim, kind: str, *, form=None, prepared=None,
               replaces: Document | None = None, stale: bool = False,
               status: int = 200) -> HttpResponse:
    return render(request, "backoffice/document_new.html", {
        "claim": claim, "kind": kind, "kind_label": Kind(kind).label if kind else "",
        "kinds": [(k, label, KIND_HELP[k]) for k, label in Kind.choices],
        "form": form, "prepared": prepared, "replaces": replaces, "stale": stale,
    }, status=status)


@staff_view
def document_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    """GET: pick a kind, fill its values. POST ``action=preview``: the exact text the customer
    will see. POST ``action=send`` (with the previewed hash): send it (or a new version)."""
    claim = claim_get_for_user(request.user, claim_id, "documents.send")
    replaces = _replaced(request, claim)
    kind = (request.POST if request.method == "POST" else request.GET).get("kind", "")
    if kind not in Kind.values:
        if kind:
            messages.error(request, "Pick one of the documents below.")
        return _send_page(request, claim, "", status=400 if kind else 200)
    if request.method != "POST":
        form = DocumentFieldsForm(kind, initial=fields_initial(claim, kind, replaces))
        return _send_page(request, claim, kind, form=form, replaces=replaces)
    form = DocumentFieldsForm(kind, request.POST)
    action = request.POST.get("action", "preview")
    if not form.is_valid():
        return _send_page(request, claim, kind, form=form, replaces=replaces, status=400)
    try:
        prepared = services.document_prepare(claim, kind, form.values())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _send_page(request, claim, kind, form=form, replaces=replaces, status=400)
    if action == "edit":
        return _send_page(request, claim, kind, form=form, replaces=replaces)
    if action != "send":
        return _send_page(request, claim, kind, form=form, prepared=prepared, replaces=replaces)
    if request.POST.get("content_sha256") != prepared.content_sha256:
        # The template or the claim changed since the preview: show what would go now.
        return _send_page(request, claim, kind, form=form, prepared=prepared,
                          replaces=replaces, stale=True, status=409)
    return _send(request, claim, kind, form.values(), replaces)


def _send(request: HttpRequest, claim: Claim, kind: str, values: dict[str, str],
          replaces: Document | None) -> HttpResponse:
    if replaces is not None:
        document = services.document_resend(replaces, values=values, actor=request.user,
                                            meta=_meta(request))
        messages.success(request, f"New version of “{document.title}” sent; the old one is void.")
    else:
        document = services.document_send(claim=claim, kind=kind, values=values,
                                          actor=request.user, meta=_meta(request))
        messages.success(request, f"“{document.title}” sent to {claim.customer.name}. "
                                  "It waits for their signature on the portal.")
    return redirect(_detail_url(document))


# ---- one document -----------------------------------------------------------------------------

def _detail_page(request: HttpRequest, claim: Claim, document: Document, *,
                 void_form: VoidForm | None = None, status: int = 200) -> HttpResponse:
    seal_ok, seal_words = seal_status(document)
    return render(request, "backoffice/document_detail.html", {
        "claim": claim, "document": document, "badge": badge(document),
        "audit": list(document.audit.select_related("actor")),
        "seal_ok": seal_ok, "seal_words": seal_words,
        "replaced_by": Document.objects.filter(replaces=document).first(),
        "void_form": void_form or VoidForm(),
    }, status=status)


@staff_view
@require_GET
def document_detail(request: HttpRequest, claim_id: int, document_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id)
    return _detail_page(request, claim, _document_of(claim, document_id))


@staff_view
@require_GET
def document_pdf(request: HttpRequest, claim_id: int, document_id: int) -> HttpResponse:
    """The sealed signed PDF, as a download; 404 until it is sealed."""
    claim = claim_get_for_user(request.user, claim_id)
    document = _document_of(claim, document_id)
    name = f"{document.title} - {claim.ro_number or claim.pk}.pdf"
    return file_response(document.signed_pdf.name if document.signed_pdf else None,
                         private_seconds=0, download_name=name)


@staff_view
@require_POST
def document_void(request: HttpRequest, claim_id: int, document_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "documents.send")
    document = _document_of(claim, document_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.document_void(document, reason=form.cleaned_data["reason"],
                                   actor=request.user, meta=_meta(request))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"“{document.title}” is void; it can no longer be signed.")
            return redirect(_detail_url(document))
    return _detail_page(request, claim, document, void_form=form, status=400)


# ---- settings ---------------------------------------------------------------------------------

def _settings_url(location: Location, anchor: str = "") -> str:
    url = f"{reverse('backoffice:settings_documents')}?location={location.slug}"
    return f"{url}#{anchor}" if anchor else url


def _settings_page(request: HttpRequest, location: Location, *, bound: TemplateForm | None = None,
                   bound_kind: str = "", esign_form: EsignSettingsForm | None = None,
                   status: int = 200) -> HttpResponse:
    rows = []
    for kind, label in Kind.choices:
        template = services.template_for(location, kind)
        form = bound if kind == bound_kind else TemplateForm(
            prefix=kind, initial={"title": template.title, "body": template.body})
        rows.append({"kind": kind, "label": label, "form": form, "custom": template.pk is not None,
                     "template": template,
                     "fields": [spec.name for spec in wording.FIELDS.get(kind, ())]})
    return render(request, "backoffice/settings_documents.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "rows": rows, "placeholders": wording.PLACEHOLDERS,
        "esign_form": esign_form or EsignSettingsForm(initial={
            "sms_code": location.esign_sms_code,
            "reminder_hours": location.esign_reminder_hours}),
    }, status=status)


@permission_view("documents.templates")
@require_GET
def documents_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request, _pick_location(request))


@permission_view("documents.templates")
@require_POST
def document_template_save(request: HttpRequest, location_slug: str, kind: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    if kind not in Kind.values:
        raise Http404("No such document kind")
    label = Kind(kind).label
    if request.POST.get("action") == "reset":
        template_reset(location=location, kind=kind, actor=request.user)
        messages.success(request, f"{label}: back to the default text.")
        return redirect(_settings_url(location, f"template-{kind}"))
    form = TemplateForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.template_save(location=location, kind=kind, actor=request.user,
                                   **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"{label} saved. Documents sent from now on use it.")
            return redirect(_settings_url(location, f"template-{kind}"))
    return _settings_page(request, location, bound=form, bound_kind=kind, status=400)


@permission_view("documents.templates")
@require_POST
def esign_settings(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = EsignSettingsForm(request.POST)
    if form.is_valid():
        try:
            esign_settings_save(location=location, sms_code=form.cleaned_data["sms_code"],
                                reminder_hours=form.cleaned_data["reminder_hours"],
                                actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Signing settings saved.")
            return redirect(_settings_url(location, "signing"))
    return _settings_page(request, location, esign_form=form, status=400)
