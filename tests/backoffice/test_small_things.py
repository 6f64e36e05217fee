"""Small things seen on the staff screens: favicon, US spelling, print buttons shown once."""

from __future__ import annotations

import re

from django.urls import reverse


def test_favicon_ico_is_served_not_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header, not an HTML error page
    assert "max-age" in response["Cache-Control"]


def test_staff_pages_link_a_real_favicon(client, owner_client, db):
    for html in (client.get(reverse("backoffice:login")).content.decode(),
                 owner_client.get(reverse("backoffice:claims")).content.decode()):
        icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
        assert icon.endswith("favicon.svg")
        assert not icon.startswith("data:")


def test_ui_spells_color_the_us_way(owner_client, claim):
    pages = [reverse("backoffice:claim", args=[claim.pk]),
             reverse("backoffice:claim_edit", args=[claim.pk]),
             reverse("backoffice:claim_new"), reverse("backoffice:settings_location")]
    for url in pages:
        html = owner_client.get(url).content.decode()
        assert "colour" not in html.lower(), url
    assert "Color" in owner_client.get(pages[0]).content.decode()


def test_print_buttons_show_once_right_after_opening_a_claim(desk_client, claim):
    work_order = reverse("printables:work_order", args=[claim.pk])
    fresh = desk_client.get(reverse("backoffice:claim", args=[claim.pk]), {"new": "1"})
    assert fresh.content.decode().count(f'href="{work_order}"') == 1
    later = desk_client.get(reverse("backoffice:claim", args=[claim.pk]))
    assert later.content.decode().count(f'href="{work_order}"') == 1
