"""The 6 x 4 in drop-off card the customer takes home: what to scan, three steps, the phone."""

from __future__ import annotations

from fpdf import FPDF

from claimory.printables.pdf.base import (
    GREY,
    RULE,
    draw_qr,
    font,
    link_off_box,
    page,
    paragraph,
    text_at,
)
from claimory.printables.selectors import Printable
from claimory.printables.wording import WORDS, YOUR_REPAIR_AT

WIDTH, HEIGHT = 6.0, 4.0
PAD = 0.3
QR_SIZE = 2.1


def _steps(pdf: FPDF, x: float, y: float, w: float) -> float:
    for number, key in enumerate(["step_1", "step_2", "step_3"], start=1):
        pdf.set_fill_color(0, 0, 0)
        pdf.ellipse(x, y + 0.01, 0.22, 0.22, style="F")
        font(pdf, 9, bold=True, color=(255, 255, 255))
        pdf.set_xy(x, y + 0.01)
        pdf.cell(0.22, 0.22, str(number), align="C")
        y = paragraph(pdf, x + 0.32, y + 0.02, w - 0.32, str(WORDS[key]), 9.5,
                      line_height=1.25) + 0.1
    return y


def draw(pdf: FPDF, p: Printable) -> None:
    page(pdf, WIDTH, HEIGHT)
    text_w = WIDTH - 2 * PAD - QR_SIZE - 0.2
    text_at(pdf, PAD, PAD, text_w, str(YOUR_REPAIR_AT % {"shop": p.shop.name}), 9, bold=True,
            color=GREY)
    y = paragraph(pdf, PAD, PAD + 0.25, text_w, str(WORDS["scan_headline"]), 15, bold=True,
                  line_height=1.18)
    y = _steps(pdf, PAD, y + 0.15, text_w)
    qr_x, qr_y = WIDTH - PAD - QR_SIZE, PAD
    if p.portal_url:
        draw_qr(pdf, p.portal_url, qr_x, qr_y, QR_SIZE)
        text_at(pdf, PAD, y + 0.02, text_w, str(WORDS["type_address"]), 7, color=GREY)
        text_at(pdf, PAD, y + 0.16, text_w, p.short_url, 7.5, mono=True, min_size=5)
    else:
        link_off_box(pdf, qr_x, qr_y, QR_SIZE)
    text_at(pdf, qr_x, qr_y + QR_SIZE + 0.05, QR_SIZE,
            " · ".join(v for v in [p.ro, p.vehicle] if v), 8, align="C",
            color=GREY)
    footer_y = HEIGHT - PAD - 0.42
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.01)
    pdf.line(PAD, footer_y, WIDTH - PAD, footer_y)
    pdf.set_draw_color(0, 0, 0)
    text_at(pdf, PAD, footer_y + 0.08, 2.6, str(WORDS["questions"]), 8, color=GREY)
    text_at(pdf, PAD, footer_y + 0.22, 2.6, p.shop.phone, 12, bold=True)
    address = ", ".join(p.shop.address_lines)
    text_at(pdf, PAD + 2.7, footer_y + 0.08, WIDTH - 2 * PAD - 2.7, p.shop.name, 8, bold=True,
            align="R")
    text_at(pdf, PAD + 2.7, footer_y + 0.24, WIDTH - 2 * PAD - 2.7, address, 8, align="R",
            color=GREY)
