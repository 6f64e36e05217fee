"""Staff print pages: gated per workspace and location, printable, with the live QR or none."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from claimory.printables.qr import portal_url
from claimory.shops.models import Role
from tests.factories import make_claim, make_location, make_staff
from tests.printables.qrimage import SVG_RE, decode_svg, pdf_pages

HTML_NAMES = ["printables:work_order", "printables:hang_tag", "printables:card", "printables:all"]
PDF_NAMES = ["printables:work_order_pdf", "printables:hang_tag_pdf", "printables:card_pdf",
             "printables:all_pdf"]
ALL_NAMES = [*HTML_NAMES, *PDF_NAMES, "printables:qr_svg"]


def url(name: str, claim) -> str:
    return reverse(name, args=[claim.pk])


def _claim_page(claim) -> str:
    # The back office owns the claim page; until it exists the pages simply omit the link.
    try:
        return reverse("backoffice:claim", args=[claim.pk])
    except NoReverseMatch:
        return ""


def test_urls_are_where_the_back_office_links(claim):
    assert url("printables:work_order", claim) == f"/staff/print/{claim.pk}/work-order"
    assert url("printables:hang_tag_pdf", claim) == f"/staff/print/{claim.pk}/hang-tag.pdf"
    assert url("printables:qr_svg", claim) == f"/staff/print/{claim.pk}/qr.svg"


@pytest.mark.parametrize("name", HTML_NAMES)
def test_print_page_shows_the_portal_link_and_a_qr_that_scans_to_it(desk_client, claim, name):
    response = desk_client.get(url(name, claim))
    assert response.status_code == 200
    html = response.content.decode()
    link = portal_url(claim)
    assert link in html
    svgs = SVG_RE.findall(html)
    assert svgs and all(decode_svg(svg) == [link] for svg in svgs)
    assert claim.ro_number in html
    assert "no-store" in response["Cache-Control"]


def test_print_page_has_a_print_button_wired_by_static_js_and_a_pdf_link(desk_client, claim):
    html = desk_client.get(url("printables:work_order", claim)).content.decode()
    assert "data-print" in html
    assert "printables/print.js" in html
    assert "<script>" not in html  # the CSP forbids inline script
    assert url("printables:work_order_pdf", claim) in html
    assert "printables/print.css" in html


def test_the_set_page_holds_all_three_sheets(desk_client, claim):
    html = desk_client.get(url("printables:all", claim)).content.decode()
    for sheet in ["sheet--letter", "sheet--tag", "sheet--card"]:
        assert html.count(sheet) == 1
    assert len(SVG_RE.findall(html)) == 3
    assert url("printables:all_pdf", claim) in html


def test_work_order_page_never_shows_internal_notes(desk_client, claim):
    html = desk_client.get(url("printables:work_order", claim)).content.decode()
    assert "Adjuster pushing back" not in html
    for expected in ["Maria Lopez", "(512) 555-0142", claim.vehicle.vin, "State Farm", "$500.00",
                     "Scan to follow your repair — no app needed"]:
        assert expected in html


@pytest.mark.parametrize("name", PDF_NAMES)
def test_pdf_downloads_as_an_attachment_named_after_the_ro(desk_client, claim, name):
    response = desk_client.get(url(name, claim))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    kind = name.removeprefix("printables:").removesuffix("_pdf").replace("_", "-")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{claim.ro_number}-{kind}.pdf"')
    assert "no-store" in response["Cache-Control"]
    assert pdf_pages(response.content)


def test_odd_ro_numbers_make_safe_filenames(desk_client, location, front_desk):
    claim = make_claim(location, actor=front_desk, ro_number='RO 7/"42"')
    response = desk_client.get(url("printables:card_pdf", claim))
    assert response["Content-Disposition"] == 'attachment; filename="RO-7-42-card.pdf"'


def test_qr_svg_is_an_svg_image_of_the_portal_link(desk_client, claim):
    response = desk_client.get(url("printables:qr_svg", claim))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert decode_svg(response.content.decode()) == [portal_url(claim)]


def test_revoked_link_pages_say_so_show_no_qr_and_point_to_the_claim(desk_client, revoked_claim):
    html = desk_client.get(url("printables:all", revoked_claim)).content.decode()
    assert SVG_RE.findall(html) == []
    assert "/c/" not in html
    assert "turned off" in html
    assert _claim_page(revoked_claim) in html
    assert desk_client.get(url("printables:qr_svg", revoked_claim)).status_code == 404
    assert desk_client.get(url("printables:work_order_pdf", revoked_claim)).status_code == 200


def test_spanish_customer_gets_spanish_sheets(desk_client, spanish_claim):
    html = desk_client.get(url("printables:all", spanish_claim)).content.decode()
    for expected in ["Orden de trabajo", "Escanee para seguir su reparación",
                     "Abra la cámara de su teléfono", "Firma del cliente", "María José Núñez",
                     "Fecha estimada de entrega", 'lang="es"']:
        assert expected in html, expected
    assert "Scan to follow your repair" not in html


def test_english_staff_keep_an_english_toolbar_over_spanish_sheets(desk_client, spanish_claim):
    html = desk_client.get(url("printables:work_order", spanish_claim),
                           headers={"accept-language": "en"}).content.decode()
    assert "Download PDF" in html
    assert "Orden de trabajo" in html


@pytest.mark.parametrize("name", ALL_NAMES)
def test_outsider_gets_404_on_every_print_url(client, outsider, claim, name):
    client.force_login(outsider)
    assert client.get(url(name, claim)).status_code == 404


@pytest.mark.parametrize("name", ALL_NAMES)
def test_anonymous_is_sent_to_log_in(client, claim, name, settings):
    settings.LOGIN_URL = "/staff/login"
    response = client.get(url(name, claim))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login?next=")


def test_staff_of_another_location_in_the_workspace_get_404(client, workspace, front_desk):
    eastside = make_location(workspace, slug="eastside", name="Eastside Collision")
    east_claim = make_claim(eastside)
    client.force_login(front_desk)  # works at northside only
    assert client.get(url("printables:work_order", east_claim)).status_code == 404


def test_owner_and_technician_can_print(client, owner, technician, claim):
    for user in (owner, technician):
        client.force_login(user)
        assert client.get(url("printables:card", claim)).status_code == 200


def test_unknown_claim_is_404_and_other_methods_are_refused(desk_client, claim):
    assert desk_client.get("/staff/print/999999/work-order").status_code == 404
    assert desk_client.get("/staff/print/abc/work-order").status_code == 404
    assert desk_client.post(url("printables:work_order", claim)).status_code == 405


def test_long_ro_and_surname_get_smaller_type_on_the_hang_tag(desk_client, location, workspace):
    user = make_staff(workspace, Role.FRONT_DESK, [location])
    claim = make_claim(location, actor=user, ro_number="RO-2024-118877",
                       name="Ana Washington-Gonzalez")
    desk_client.force_login(user)
    html = desk_client.get(url("printables:hang_tag", claim)).content.decode()
    assert re.search(r'tag-ro tag-ro--(s|xs)"', html)
    assert re.search(r'tag-surname tag-surname--(m|xs)"', html)


@pytest.mark.parametrize("fixture", ["claim", "spanish_claim"])
def test_print_pages_promise_only_what_exists(desk_client, fixture, request):
    html = desk_client.get(url("printables:all", request.getfixturevalue(fixture))).content
    text = re.sub(r"<[^>]+>", " ", html.decode()).lower()
    for word in ("photo", "foto", "e-sign", "text you", "mensaje de texto"):
        assert word not in text, word


def test_work_order_page_prints_the_date_in_one_format(desk_client, claim):
    from django.utils.formats import date_format

    from claimory.printables.selectors import printable_for_claim

    date_in = printable_for_claim(claim).date_in
    html = desk_client.get(url("printables:work_order", claim)).content.decode()
    assert html.count(date_format(date_in, "DATE_FORMAT")) == 2
    assert date_format(date_in, "SHORT_DATE_FORMAT") not in html
