"""CSV downloads of a report: the same columns as its table, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet won't run as a formula: text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe. A plain negative number (an NPS of -20) is
    left alone: it is no formula, and a spreadsheet must read it as a number."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return f"'{text}"
    return text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
                 ) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a BOM, so Excel reads the dashes and accents as UTF-8
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
