"""The PDFs: valid, right paper sizes, a QR that scans to the portal, the customer's language."""

from __future__ import annotations

import pytest

from claimory.printables.pdf import render_pdf
from claimory.printables.qr import portal_url
from claimory.printables.selectors import printable_for_claim
from tests.printables.qrimage import decode, pdf_pages

SIZES = {"work-order": (8.5, 11.0), "hang-tag": (3.5, 8.5), "card": (6.0, 4.0)}


@pytest.mark.parametrize("kind", list(SIZES))
def test_each_pdf_is_one_page_of_its_size_whose_qr_scans_to_the_portal(claim, kind):
    data = render_pdf(printable_for_claim(claim), kind)
    assert data.startswith(b"%PDF-")
    [(size, image, text)] = pdf_pages(data)
    assert size == pytest.approx(SIZES[kind], abs=0.01)
    assert decode(image) == [portal_url(claim)]
    assert claim.ro_number in text


def test_the_set_pdf_prints_all_three_sheets_in_order(claim):
    pages = pdf_pages(render_pdf(printable_for_claim(claim), "all"))
    assert [size for size, _, _ in pages] == [pytest.approx(s, abs=0.01) for s in SIZES.values()]
    assert all(decode(image) == [portal_url(claim)] for _, image, _ in pages)


def test_work_order_lists_customer_vehicle_insurance_and_the_scan_line(claim):
    [(_, _, text)] = pdf_pages(render_pdf(printable_for_claim(claim), "work-order"))
    flat = " ".join(text.split())
    for expected in ["Northside Collision", "Maria Lopez", "(512) 555-0142", "2019 Honda Accord",
                     claim.vehicle.vin, claim.vehicle.plate, "State Farm", claim.claim_number,
                     "$500.00", "Scan to follow your repair — no app needed",
                     portal_url(claim).removeprefix("http://")]:
        assert expected in flat, expected
    assert "Adjuster pushing back" not in flat  # internal notes never print


def test_spanish_customer_gets_spanish_pdfs_with_accents(spanish_claim):
    pages = pdf_pages(render_pdf(printable_for_claim(spanish_claim), "all"))
    work_order, tag, card = (" ".join(text.split()) for _, _, text in pages)
    assert "ORDEN DE TRABAJO" in work_order
    assert "María José Núñez" in work_order
    assert "Escanee para seguir su reparación — sin descargar ninguna app" in work_order
    assert "NÚÑEZ" in tag
    assert "Abra la cámara de su teléfono" in card


def test_revoked_link_prints_no_qr_and_says_why(revoked_claim):
    pages = pdf_pages(render_pdf(printable_for_claim(revoked_claim), "all"))
    for _, image, text in pages:
        assert decode(image) == []
        assert "link is turned off" in " ".join(text.split())



# Features the product does not have yet: the sheets must not promise them.
UNBUILT = ("photo", "foto", "e-sign", "firma electr", "text you", "mensaje de texto")


@pytest.mark.parametrize("fixture", ["claim", "spanish_claim"])
def test_sheets_promise_only_what_exists(fixture, request):
    pages = pdf_pages(render_pdf(printable_for_claim(request.getfixturevalue(fixture)), "all"))
    for _, _, text in pages:
        flat = " ".join(text.split()).lower()
        assert not [word for word in UNBUILT if word in flat]


def test_work_order_prints_the_date_in_one_format(claim):
    from django.utils.formats import date_format

    p = printable_for_claim(claim)
    [(_, _, text)] = pdf_pages(render_pdf(p, "work-order"))
    flat = " ".join(text.split())
    assert flat.count(date_format(p.date_in, "DATE_FORMAT")) == 2  # header and repair box
    assert date_format(p.date_in, "SHORT_DATE_FORMAT") not in flat
