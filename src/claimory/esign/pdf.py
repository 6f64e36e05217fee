"""The signed document as a PDF: the text as sent, the signature, and a certificate page.

``record_for`` gathers everything the PDF shows from the database and storage into a plain
``Record``; ``render`` draws it (fpdf2) and is deterministic: the same record gives the same
bytes (the PDF's dates are the signing time, its file id a hash of its content). The seal
(seal.py) is added on top, as an incremental update that covers every byte drawn here.

The certificate page is in English whatever the document's language: it is the record a
court or a carrier reads, and its wording is part of what the seal vouches for.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from dataclasses import astuple, dataclass
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils import translation
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from claimory.esign.models import Document, Method
from claimory.esign.services import consent_current

# DejaVu Sans: the Latin subset the printables bundle, or the full font from fonts-dejavu-core
# for text beyond it (Greek, Cyrillic, Vietnamese…). Pages look the same either way.
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
BUNDLED_FONTS = Path(__file__).resolve().parent.parent / "printables" / "fonts"
HAND_FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSerif-Italic.ttf"
SANS = "DejaVu"
HAND = "DejaVuHand"
INK = (20, 20, 20)
GREY = (95, 95, 95)
PEN = (16, 32, 110)  # the typed signature's ink
RULE = (170, 170, 170)

logging.getLogger("fontTools").setLevel(logging.WARNING)

SEAL_STATEMENT = (
    "This file is sealed with a digital signature (PAdES) by “{sealed_by}”, the document "
    "seal of the Claimory installation that took the signature. The seal covers every byte "
    "of this file, this page included: any change made afterwards, even of one character, "
    "breaks it, and PDF readers that check signatures (Adobe Reader, poppler's pdfsig, "
    "`claimory esign verify`) then report the document as altered. The SHA-256 of the sealed "
    "file itself cannot be printed inside the file, since printing it would change the file; "
    "it is kept with the claim's record and printed by `claimory esign verify`. The hash "
    "printed above is that of the document as sent, which does not change."
)


@dataclass(frozen=True)
class Step:
    """One audit-trail line as printed."""

    action: str
    at: dt.datetime
    ip: str
    user_agent: str
    token_ref: str
    by: str


@dataclass(frozen=True)
class Record:
    """Everything the signed PDF shows; nothing else goes into it."""

    document_id: int
    title: str
    body: str
    kind: str
    language: str
    content_sha256: str
    shop_name: str
    shop_address: str
    shop_phone: str
    claim_ref: str
    customer_name: str
    vehicle: str
    sent_at: dt.datetime
    signer_name: str
    method: str
    signed_at: dt.datetime
    signed_ip: str
    signed_user_agent: str
    signature_png: bytes | None
    consent_version: str
    consent_at: dt.datetime | None
    disclosure_sha256: str
    steps: tuple[Step, ...]
    sealed_by: str


def _claim_ref(claim) -> str:
    parts = []
    if claim.ro_number:
        parts.append(f"RO {claim.ro_number}")
    if claim.claim_number:
        parts.append(f"Claim {claim.claim_number}")
    return " · ".join(parts) or f"Claimory claim {claim.pk}"


def record_for(document: Document, *, sealed_by: str) -> Record:
    """The record of a signed document, read now (its audit trail up to this moment)."""
    claim = document.claim
    location = claim.location
    png = None
    if document.signature_method == Method.DRAWN and document.signature_image:
        with default_storage.open(document.signature_image.name, "rb") as stored:
            png = stored.read()
    consent = consent_current(claim)
    with translation.override("en"):
        steps = tuple(Step(
            action=str(entry.get_action_display()), at=entry.at, ip=entry.ip or "",
            user_agent=entry.user_agent, token_ref=entry.token_ref,
            by=(entry.actor.get_full_name() or entry.actor.email) if entry.actor else "")
            for entry in document.audit.select_related("actor").order_by("at", "id"))
        kind = str(document.get_kind_display())
    return Record(
        document_id=document.pk, title=document.title, body=document.body, kind=kind,
        language=document.language, content_sha256=document.content_sha256,
        shop_name=location.name, shop_address=location.address_one_line,
        shop_phone=location.phone, claim_ref=_claim_ref(claim),
        customer_name=claim.customer.name, vehicle=str(claim.vehicle),
        sent_at=document.sent_at, signer_name=document.signer_name,
        method=document.signature_method, signed_at=document.signed_at,
        signed_ip=document.signed_ip or "", signed_user_agent=document.signed_user_agent,
        signature_png=png, consent_version=consent.version if consent else "",
        consent_at=consent.at if consent else None,
        disclosure_sha256=consent.disclosure_sha256 if consent else "",
        steps=steps, sealed_by=sealed_by)


def utc(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text}   ·   Page {self.page_no()} of {{nb}}",
                  align="C")


@functools.cache
def _chars(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path) as font:
        return frozenset(font.getBestCmap()) | {0x0A, 0x0D}


def _fonts(record: Record) -> tuple[Path, Path]:
    """The bundled Latin subset when it has every character the record prints (fast: the
    full fonts cost a second per PDF to subset), else the full system DejaVu."""
    used = {ord(ch) for value in astuple(record) if isinstance(value, str) for ch in value}
    used |= {ord(ch) for step in record.steps for value in astuple(step)
             if isinstance(value, str) for ch in value}
    regular, bold = SYSTEM_FONTS / "DejaVuSans.ttf", SYSTEM_FONTS / "DejaVuSans-Bold.ttf"
    if used <= _chars(BUNDLED_FONTS / "DejaVuSans.ttf") or not (regular.exists() and bold.exists()):
        return BUNDLED_FONTS / "DejaVuSans.ttf", BUNDLED_FONTS / "DejaVuSans-Bold.ttf"
    return regular, bold


def _new(record: Record) -> _Pdf:
    pdf = _Pdf(unit="mm", format="letter")
    regular, bold = _fonts(record)
    pdf.add_font(SANS, "", str(regular))
    pdf.add_font(SANS, "B", str(bold))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(record.signed_at)
    pdf.set_creator("Claimory")
    pdf.set_author(record.shop_name)
    pdf.set_title(f"{record.title} — signed by {record.signer_name}")
    pdf.set_lang(record.language or "en")
    pdf.footer_text = f"{record.shop_name} · {record.title} · document {record.document_id}"
    return pdf


def _text(pdf: FPDF, text: str, size: float = 10.5, *, bold: bool = False,
          color: tuple[int, int, int] = INK, gap: float = 1.5, line: float = 1.35) -> None:
    pdf.set_font(SANS, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.3528 * line, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                   align="L")
    pdf.ln(gap)


def _pair(pdf: FPDF, label: str, value: str, *, mono: bool = False) -> None:
    """A grey label column and its value, wrapped in the space left."""
    pdf.set_font(SANS, "B", 8.5)
    pdf.set_text_color(*GREY)
    pdf.cell(42, 4.6, label.upper())
    pdf.set_font(SANS, "", 8.5 if mono else 9.5)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 4.6, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(0.8)


def _rule(pdf: FPDF) -> None:
    pdf.ln(1.5)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def _heading(pdf: FPDF, record: Record) -> None:
    _text(pdf, record.shop_name, 12, bold=True, gap=0.3)
    contact = " · ".join(p for p in (record.shop_address, record.shop_phone) if p)
    if contact:
        _text(pdf, contact, 9, color=GREY, gap=0.3)
    _text(pdf, f"{record.claim_ref} · {record.vehicle} · {record.customer_name}", 9,
          color=GREY, gap=0)
    _rule(pdf)


def _signature(pdf: FPDF, record: Record) -> None:
    """The signature block under the text: the drawing or the typed name, and who/when."""
    if pdf.get_y() > pdf.h - 80:
        pdf.add_page()
    _rule(pdf)
    top = pdf.get_y()
    x = pdf.l_margin
    if record.signature_png:
        # Fit the drawing in an 80 × 26 mm box, keeping its shape.
        pdf.image(io.BytesIO(record.signature_png), x=x, y=top, w=80, h=26,
                  keep_aspect_ratio=True)
    else:
        # An italic hand when it has every letter of the name, else the body font.
        if {ord(ch) for ch in record.signer_name} <= _chars(HAND_FONT):
            pdf.add_font(HAND, "", str(HAND_FONT))
            pdf.set_font(HAND, "", 26)
        else:
            pdf.set_font(SANS, "", 24)
        pdf.set_text_color(*PEN)
        pdf.set_xy(x + 2, top + 8)
        pdf.cell(0, 14, record.signer_name)
    pdf.set_draw_color(*INK)
    pdf.line(x, top + 28, x + 90, top + 28)
    pdf.set_y(top + 30)
    _text(pdf, f"Signed electronically by {record.signer_name}", 10, bold=True, gap=0.3)
    how = "drawn by hand" if record.method == Method.DRAWN else "typed name"
    _text(pdf, f"{utc(record.signed_at)} · signature {how} · from {record.signed_ip or 'unknown'}"
          " · see the certificate page", 8.5, color=GREY, gap=0)


def _certificate(pdf: FPDF, record: Record) -> None:
    pdf.add_page()
    _text(pdf, "Certificate of signature", 16, bold=True, gap=1)
    _text(pdf, "The record of how this document was sent, read, consented to and signed.",
          9.5, color=GREY, gap=2)
    kind = f" ({record.kind})" if record.kind.casefold() != record.title.casefold() else ""
    _pair(pdf, "Document", f"{record.title}{kind}, document {record.document_id}")
    _pair(pdf, "Shop", " · ".join(p for p in (record.shop_name, record.shop_address) if p))
    _pair(pdf, "Claim", f"{record.claim_ref} · {record.vehicle}")
    _pair(pdf, "Sent", utc(record.sent_at))
    _pair(pdf, "Document SHA-256", record.content_sha256, mono=True)
    _text(pdf, "The SHA-256 above is of the document exactly as the signer was shown it: its "
               "title, a blank line and its text, in UTF-8. The signer's request named this "
               "hash; a signature on any other version is refused.", 8, color=GREY, gap=2)
    _pair(pdf, "Signed by", record.signer_name)
    _pair(pdf, "Signature", "drawn by hand" if record.method == Method.DRAWN else "typed name")
    _pair(pdf, "Signed at", utc(record.signed_at))
    _pair(pdf, "IP address", record.signed_ip)
    _pair(pdf, "Device", record.signed_user_agent)
    consent = (f"version {record.consent_version}, given {utc(record.consent_at)}; disclosure "
               f"SHA-256 {record.disclosure_sha256}") if record.consent_version else "—"
    _pair(pdf, "E-sign consent", consent)
    _rule(pdf)
    _text(pdf, "Audit trail (UTC)", 11, bold=True, gap=1)
    for step in record.steps:
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        _text(pdf, f"{utc(step.at)}  —  {step.action}", 9, bold=True, gap=0.2)
        where = [f"IP {step.ip}" if step.ip else "", f"link {step.token_ref}" if step.token_ref
                 else "", f"by {step.by}" if step.by else ""]
        _text(pdf, " · ".join(w for w in where if w) or "by the system", 8.5, color=GREY,
              gap=0.2)
        if step.user_agent:
            _text(pdf, f"Device: {step.user_agent}", 8, color=GREY, gap=0.2)
        pdf.ln(1.2)
    _rule(pdf)
    _text(pdf, "The seal", 11, bold=True, gap=1)
    _text(pdf, SEAL_STATEMENT.format(sealed_by=record.sealed_by), 8.5, gap=0)


def render(record: Record) -> bytes:
    """The PDF (unsealed): the document, its signature, the certificate page."""
    pdf = _new(record)
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, record)
    _text(pdf, record.title, 15, bold=True, gap=3)
    _text(pdf, record.body, 10.5, gap=2)
    _signature(pdf, record)
    _certificate(pdf, record)
    return bytes(pdf.output())
