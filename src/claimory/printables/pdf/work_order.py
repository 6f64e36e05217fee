"""The letter-size work order: shop, customer, vehicle, insurance, dates, the QR, signature."""

from __future__ import annotations

from fpdf import FPDF

from claimory.printables.pdf.base import (
    GREY,
    RULE,
    draw_qr,
    font,
    label_value,
    link_off_box,
    long_date,
    page,
    paragraph,
    text_at,
)
from claimory.printables.selectors import Printable
from claimory.printables.wording import AUTHORIZATION_TEXT, WORDS

WIDTH, HEIGHT = 8.5, 11.0
MARGIN = 0.5
CONTENT = WIDTH - 2 * MARGIN
GAP = 0.3
COLUMN = (CONTENT - GAP) / 2
QR_SIZE = 2.0
SIGNATURE_Y = HEIGHT - MARGIN - 0.45

# A box row holds one or two fields: (label key, value, monospace?).
Row = list[tuple[str, str, bool]]


def _header(pdf: FPDF, p: Printable) -> float:
    x = MARGIN
    if p.shop.logo_path:
        try:
            pdf.image(p.shop.logo_path, x=MARGIN, y=MARGIN, w=1.4, h=0.7, keep_aspect_ratio=True)
            x = MARGIN + 1.55
        except (OSError, ValueError, RuntimeError):
            x = MARGIN  # an unreadable logo must not stop the print
    left_w = 4.6 - (x - MARGIN)
    text_at(pdf, x, MARGIN - 0.02, left_w, p.shop.name, 18, bold=True)
    y = MARGIN + 0.36
    contact = " · ".join(v for v in [p.shop.phone, p.shop.email] if v)
    for line in [*p.shop.address_lines, contact]:
        if line:
            text_at(pdf, x, y, left_w, line, 9, color=GREY)
            y += 0.17
    right = MARGIN + CONTENT - 2.6
    text_at(pdf, right, MARGIN, 2.6, str(WORDS["work_order"]).upper(), 9, bold=True,
            align="R", color=GREY)
    text_at(pdf, right, MARGIN + 0.16, 2.6, p.ro, 26, bold=True, align="R", min_size=12)
    text_at(pdf, right, MARGIN + 0.62, 2.6,
            f"{WORDS['date_in']}: {long_date(p.date_in)}", 9, align="R")
    bottom = max(y, MARGIN + 0.9) + 0.08
    pdf.set_line_width(0.03)
    pdf.line(MARGIN, bottom, MARGIN + CONTENT, bottom)
    return bottom + 0.22


def _title(pdf: FPDF, x: float, y: float, w: float, key: str) -> None:
    text_at(pdf, x, y, w, str(WORDS[key]).upper(), 8, bold=True)
    pdf.set_line_width(0.01)
    pdf.set_draw_color(*RULE)
    pdf.line(x, y + 0.2, x + w, y + 0.2)
    pdf.set_draw_color(0, 0, 0)


def _box(pdf: FPDF, x: float, y: float, title: str, rows: list[Row]) -> float:
    """A titled box of label/value rows; returns the y below it."""
    _title(pdf, x, y, COLUMN, title)
    cy = y + 0.28
    for row in rows:
        cell_w = COLUMN / len(row)
        bottoms = [label_value(pdf, x + i * cell_w, cy, cell_w - 0.1, str(WORDS[key]), value,
                               mono=mono)
                   for i, (key, value, mono) in enumerate(row)]
        cy = max(bottoms) + 0.06
    return cy


def _details(pdf: FPDF, p: Printable, y: float) -> float:
    left, right = MARGIN, MARGIN + COLUMN + GAP
    vehicle = " · ".join(v for v in [p.vehicle, p.vehicle_color] if v)
    date_in = long_date(p.date_in)  # the same format as in the header
    y = max(
        _box(pdf, left, y, "customer", [
            [("name", p.customer_name, False)],
            [("phone", p.customer_phone, False), ("email", p.customer_email, False)],
        ]),
        _box(pdf, right, y, "vehicle", [
            [("vehicle", vehicle, False)],
            [("vin", p.vin, True), ("plate", p.plate, True)],
        ]),
    ) + 0.12
    y = max(
        _box(pdf, left, y, "insurance", [
            [("carrier", p.carrier, False), ("claim_number", p.claim_number, True)],
            [("adjuster", p.adjuster, False)],
        ]),
        _box(pdf, right, y, "repair", [
            [("eta", long_date(p.eta), False)],
            [("date_in", date_in, False), ("deductible", p.deductible_display, False)],
        ]),
    )
    return y + 0.15


def _qr_panel(pdf: FPDF, p: Printable, y: float) -> float:
    height = QR_SIZE + 0.3
    pdf.set_line_width(0.02)
    pdf.rect(MARGIN, y, CONTENT, height, round_corners=True, corner_radius=0.12)
    qx, qy = MARGIN + 0.15, y + 0.15
    text_x = qx + QR_SIZE + 0.3
    text_w = MARGIN + CONTENT - 0.3 - text_x
    if p.portal_url:
        draw_qr(pdf, p.portal_url, qx, qy, QR_SIZE)
    else:
        link_off_box(pdf, qx + 0.1, qy + 0.1, QR_SIZE - 0.2)
    ty = paragraph(pdf, text_x, y + 0.35, text_w, str(WORDS["scan_headline"]), 17, bold=True,
                   line_height=1.2)
    ty = paragraph(pdf, text_x, ty + 0.1, text_w, str(WORDS["scan_pitch"]), 10.5, color=GREY)
    if p.short_url:
        text_at(pdf, text_x, ty + 0.18, text_w, str(WORDS["type_address"]), 8.5, color=GREY)
        text_at(pdf, text_x, ty + 0.36, text_w, p.short_url, 11, mono=True)
    return y + height + 0.25


def _authorization_and_signatures(pdf: FPDF, p: Printable) -> float:
    """Anchored to the foot of the page; returns the top of the block."""
    text = AUTHORIZATION_TEXT % {"shop": p.shop.name}
    font(pdf, 9)
    lines = len(pdf.multi_cell(CONTENT, pdf.font_size * 1.3, text, dry_run=True,
                               output="LINES"))
    top = SIGNATURE_Y - 0.55 - lines * pdf.font_size * 1.3 - 0.2
    _title(pdf, MARGIN, top, CONTENT, "authorization")
    paragraph(pdf, MARGIN, top + 0.28, CONTENT, text, 9)
    pdf.set_line_width(0.012)
    for x, w, key in [(MARGIN, 3.6, "signature"), (MARGIN + 3.9, 1.5, "date"),
                      (MARGIN + 5.7, 1.8, "received_by")]:
        pdf.line(x, SIGNATURE_Y, x + w, SIGNATURE_Y)
        text_at(pdf, x, SIGNATURE_Y + 0.05, w, str(WORDS[key]), 8, color=GREY)
    return top


def _notes(pdf: FPDF, top: float, bottom: float) -> None:
    """A ruled box filling the space between the QR panel and the authorization."""
    text_at(pdf, MARGIN, top, CONTENT, str(WORDS["notes"]).upper(), 8, bold=True)
    box_top = top + 0.22
    box_h = max(0.6, bottom - box_top)
    pdf.set_line_width(0.01)
    pdf.rect(MARGIN, box_top, CONTENT, box_h)
    pdf.set_draw_color(*RULE)
    ly = box_top + 0.3125
    while ly < box_top + box_h - 0.1:
        pdf.line(MARGIN + 0.1, ly, MARGIN + CONTENT - 0.1, ly)
        ly += 0.3125
    pdf.set_draw_color(0, 0, 0)


def draw(pdf: FPDF, p: Printable) -> None:
    page(pdf, WIDTH, HEIGHT)
    y = _header(pdf, p)
    y = _details(pdf, p, y)
    y = _qr_panel(pdf, p, y)
    auth_top = _authorization_and_signatures(pdf, p)
    _notes(pdf, y, auth_top - 0.25)
