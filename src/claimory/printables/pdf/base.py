"""Shared drawing for the printable PDFs: the document, fonts, the vector QR and text fitting."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.utils.formats import date_format
from fpdf import FPDF
from fpdf.drawing import PaintedPath

from claimory.printables.qr import qr_code
from claimory.printables.wording import WORDS

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
SANS = "DejaVu"
MONO = "DejaVuMono"
INK = (0, 0, 0)
GREY = (90, 90, 90)
RULE = (160, 160, 160)

# fpdf2 subsets fonts through fontTools, which logs every table at INFO: noise in our logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def new_document(title: str) -> FPDF:
    """An empty PDF in inches with the bundled fonts; add pages with ``page()``."""
    pdf = FPDF(unit="in", format="letter")
    # Latin subsets of DejaVu (see fonts/README.md): core PDF fonts cannot print “—” or “ñ”.
    pdf.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font(MONO, "", str(FONT_DIR / "DejaVuSansMono.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Claimory")
    pdf.set_title(title)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)
    return pdf


def page(pdf: FPDF, width: float, height: float) -> None:
    """A new page ``width`` x ``height`` inches (fpdf2 takes portrait sizes plus orientation)."""
    orientation = "L" if width > height else "P"
    pdf.add_page(orientation=orientation, format=(min(width, height), max(width, height)))


def font(pdf: FPDF, size: float, *, bold: bool = False, mono: bool = False,
         color: tuple[int, int, int] = INK) -> None:
    pdf.set_font(MONO if mono else SANS, "B" if bold and not mono else "", size)
    pdf.set_text_color(*color)


def fit(pdf: FPDF, text: str, width: float, size: float, *, bold: bool = False,
        mono: bool = False, min_size: float = 6) -> str:
    """Set the largest font size (down to ``min_size``) at which ``text`` fits ``width``;
    past that, cut the text with an ellipsis. Returns the text to print."""
    font(pdf, size, bold=bold, mono=mono)
    while size > min_size and pdf.get_string_width(text) > width:
        size = max(min_size, size - 0.5)
        font(pdf, size, bold=bold, mono=mono)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def text_at(pdf: FPDF, x: float, y: float, w: float, text: str, size: float, *,
            bold: bool = False, mono: bool = False, align: str = "L",
            color: tuple[int, int, int] = INK, min_size: float = 6) -> None:
    """One line of text in a box ``w`` wide whose top is ``y``; shrinks to fit."""
    line = fit(pdf, text, w, size, bold=bold, mono=mono, min_size=min_size)
    pdf.set_text_color(*color)
    pdf.set_xy(x, y)
    pdf.cell(w, pdf.font_size * 1.25, line, align=align)


def paragraph(pdf: FPDF, x: float, y: float, w: float, text: str, size: float, *,
              bold: bool = False, color: tuple[int, int, int] = INK,
              line_height: float = 1.3, align: str = "L") -> float:
    """Wrapped text; returns the y just below it."""
    font(pdf, size, bold=bold, color=color)
    pdf.set_xy(x, y)
    pdf.multi_cell(w, pdf.font_size * line_height, text, align=align)
    return pdf.get_y()


def label_value(pdf: FPDF, x: float, y: float, w: float, label: str, value: str,
                *, size: float = 10.5, mono: bool = False) -> float:
    """A small grey label above its value; returns the y below the pair."""
    text_at(pdf, x, y, w, label.upper(), 6.5, bold=True, color=GREY)
    text_at(pdf, x, y + 0.14, w, value or "—", size, mono=mono)
    return y + 0.16 + size / 72 * 1.35


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled vector modules, ``size`` inches square including its quiet zone.

    One path for the whole symbol, so renderers leave no hairline seams between modules.
    """
    matrix = qr_code(url).matrix
    count = len(matrix) + 8  # four light modules of quiet zone on each side
    module = size / count
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    path = PaintedPath()
    path.style.fill_color = "#000000"
    path.style.stroke_color = None
    for row, cells in enumerate(matrix):
        start = None
        for col, dark in enumerate([*cells, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rectangle(x + (start + 4) * module, y + (row + 4) * module,
                               (col - start) * module, module)
                start = None
    # copy=False: the path is ours alone, and fpdf2's defensive deep copy costs ~40 ms here.
    pdf.draw_path(path, copy=False)


def link_off_box(pdf: FPDF, x: float, y: float, size: float) -> None:
    """What stands where the QR would be when the customer's link is revoked."""
    pdf.set_dash_pattern(0.06, 0.04)
    pdf.set_line_width(0.015)
    pdf.rect(x, y, size, size)
    pdf.set_dash_pattern()
    inner = size - 0.3
    bottom = paragraph(pdf, x + 0.15, y + 0.2, inner, str(WORDS["link_off"]), 9, bold=True)
    paragraph(pdf, x + 0.15, bottom + 0.05, inner, str(WORDS["link_off_help"]), 8, color=GREY)


def long_date(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else str(WORDS["to_be_confirmed"])
