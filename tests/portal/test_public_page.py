import pytest

from claimory.portal.brand import WHITE, _rgb, brand_palette, contrast
from tests.factories import make_location, make_workspace


def test_public_page_shows_shop_contact_hours_and_qr_explainer(client, location):
    location.tagline = "Family-owned since 1987"
    location.save()
    response = client.get("/p/northside")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Northside Collision" in html and "Family-owned since 1987" in html
    assert 'href="tel:+15125550100"' in html and "(512) 555-0100" in html
    assert "4100 N Lamar Blvd" in html and "https://maps.google.com/?q=" in html
    assert 'rel="noreferrer noopener"' in html
    assert "Business hours" in html and "Pickup hours" in html and "Mon – Fri" in html
    assert "Already dropped off your car?" in html and "QR code" in html


def test_public_page_has_no_claim_data(client, claim):
    html = client.get("/p/northside").content.decode()
    for secret in ("Maria", "Accord", claim.ro_number, claim.claim_number, "4,250", "/c/"):
        assert secret not in html


def test_unknown_shop_is_404(client, db):
    response = client.get("/p/no-such-shop")
    assert response.status_code == 404
    assert "We couldn't find that shop" in response.content.decode()


def test_public_page_in_spanish(client, location):
    html = client.get("/p/northside", {"lang": "es"}).content.decode()
    assert '<html lang="es">' in html and "¿Ya dejó su auto?" in html
    assert "Horario de recogida" in html and "Lun – vie" in html
    html = client.get("/p/northside", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html


def test_brand_css_carries_the_shops_colour(client, location):
    location.brand_color = "#b91c1c"
    location.save()
    response = client.get("/p/northside/brand.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert "--brand:#b91c1c" in response.content.decode()
    assert "max-age" in response["Cache-Control"]


def test_starter_plan_gets_no_brand_css_and_no_logo(client, db):
    make_location(make_workspace("Budget Body", plan="starter"), slug="budget", name="Budget")
    assert client.get("/p/budget/brand.css").status_code == 404
    html = client.get("/p/budget").content.decode()
    assert "brand.css" not in html and "Budget" in html


@pytest.mark.parametrize("colour", ["#ffeb3b", "#ffffff", "#1d4ed8", "#000000", "#22c55e"])
def test_brand_palette_keeps_text_readable_for_any_colour(colour):
    palette = brand_palette(colour)
    assert contrast(_rgb(palette["--brand-text"]), WHITE) >= 4.5
    assert contrast(_rgb(palette["--brand-text"]), _rgb(palette["--brand-soft"])) >= 4.5
    assert contrast(WHITE, _rgb(palette["--brand-text"])) >= 4.5  # primary button label
    assert contrast(_rgb(palette["--on-brand"]), _rgb(palette["--brand"])) >= 4.5


def test_brand_palette_ignores_malformed_colour():
    assert brand_palette("red; } body { display:none")["--brand"] == "#1d4ed8"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_public_page_promises_only_what_exists(client, location, lang):
    html = client.get("/p/northside", {"lang": lang}).content.decode().lower()
    for word in ("photo", "foto", "e-sign", "text you", "mensaje de texto"):
        assert word not in html, word
