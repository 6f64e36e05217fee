"""PDF versions of the printables (fpdf2), in the customer's language, the same as the HTML."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from fpdf import FPDF

from claimory.printables.pdf import card, hang_tag, work_order
from claimory.printables.pdf.base import new_document
from claimory.printables.selectors import Printable
from claimory.printables.wording import WORDS

# Kind -> (title word, page drawer). "all" prints the set in this order.
SHEETS: dict[str, tuple[str, Callable[[FPDF, Printable], None]]] = {
    "work-order": ("work_order", work_order.draw),
    "hang-tag": ("hang_tag", hang_tag.draw),
    "card": ("card", card.draw),
}


def render_pdf(p: Printable, kind: str) -> bytes:
    """The PDF bytes for one sheet (``work-order``, ``hang-tag``, ``card``) or ``all``."""
    kinds = list(SHEETS) if kind == "all" else [kind]
    with translation.override(p.language):
        title_word = "work_order" if kind == "all" else SHEETS[kind][0]
        pdf = new_document(f"{WORDS[title_word]} {p.ro} — {p.shop.name}")
        for name in kinds:
            SHEETS[name][1](pdf, p)
        return bytes(pdf.output())
