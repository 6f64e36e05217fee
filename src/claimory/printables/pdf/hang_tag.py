"""The rear-view-mirror hang tag, 3.5 x 8.5 in: a hole to cut, the RO huge, name, car, QR."""

from __future__ import annotations

from fpdf import FPDF

from claimory.printables.pdf.base import (
    GREY,
    draw_qr,
    link_off_box,
    long_date,
    page,
    paragraph,
    text_at,
)
from claimory.printables.selectors import Printable
from claimory.printables.wording import WORDS

WIDTH, HEIGHT = 3.5, 8.5
PAD = 0.3
INNER = WIDTH - 2 * PAD
HOLE = 1.5  # diameter: fits over a mirror stem
QR_SIZE = 2.4


def _hole(pdf: FPDF) -> float:
    """Dashed cut marks: the hole, and a slit from it to the top edge; returns its bottom."""
    cx, cy = WIDTH / 2, 0.35 + HOLE / 2
    pdf.set_line_width(0.012)
    pdf.set_draw_color(*GREY)
    pdf.set_dash_pattern(0.07, 0.05)
    pdf.ellipse(cx - HOLE / 2, cy - HOLE / 2, HOLE, HOLE)
    pdf.line(cx, 0, cx, cy - HOLE / 2)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    text_at(pdf, 0, cy + HOLE / 2 + 0.04, WIDTH, "✂ " + str(WORDS["cut_here"]), 6.5,
            color=GREY, align="C")
    return cy + HOLE / 2 + 0.3


def draw(pdf: FPDF, p: Printable) -> None:
    page(pdf, WIDTH, HEIGHT)
    y = _hole(pdf)
    text_at(pdf, PAD, y, INNER, p.shop.name, 9, bold=True, align="C", color=GREY)
    text_at(pdf, PAD, y + 0.2, INNER, p.ro, 48, bold=True, align="C", min_size=14)
    y += 1.05
    pdf.set_line_width(0.03)
    pdf.line(PAD, y, WIDTH - PAD, y)
    text_at(pdf, PAD, y + 0.12, INNER, p.customer_surname.upper(), 26, bold=True, align="C",
            min_size=10)
    text_at(pdf, PAD, y + 0.6, INNER, p.vehicle, 13, align="C")
    details = " · ".join(v for v in [p.vehicle_color, p.plate] if v)
    text_at(pdf, PAD, y + 0.85, INNER, details, 10, align="C", color=GREY)
    text_at(pdf, PAD, y + 1.12, INNER, f"{WORDS['ready_by']}: {long_date(p.eta)}", 10.5,
            bold=True, align="C")
    top = y + 1.5
    bottom = HEIGHT - PAD - 0.55  # room for the caption and link under the code
    qr_x = (WIDTH - QR_SIZE) / 2
    qr_y = top + (bottom - top - QR_SIZE) / 2
    if p.portal_url:
        draw_qr(pdf, p.portal_url, qr_x, qr_y, QR_SIZE)
    else:
        link_off_box(pdf, qr_x, qr_y, QR_SIZE)
    y = paragraph(pdf, PAD, qr_y + QR_SIZE + 0.02, INNER, str(WORDS["scan_headline"]), 8.5,
                  bold=True, align="C", line_height=1.2)
    if p.short_url:
        text_at(pdf, PAD, y + 0.03, INNER, p.short_url, 6.5, mono=True, align="C", min_size=5)
