import re

import pytest

from claimory.claims.services import claim_stage_set
from claimory.portal.page import FRAGMENTS, FRAGMENTS_FOR_EVENT, render_fragment


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_each_fragment_is_one_element_with_its_stable_id(client, portal_path, name):
    response = client.get(f"{portal_path}/fragments/{name}")
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert re.match(rf'^<(section|header|div) id="{name}"', html)
    assert "<html" not in html
    assert response["Cache-Control"] == "private, no-store"


def test_fragment_matches_the_same_section_of_the_full_page(client, claim, front_desk,
                                                            portal_path):
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    page = client.get(portal_path).content.decode()
    fragment = client.get(f"{portal_path}/fragments/stages").content.decode().strip()
    assert fragment in page


def test_unknown_fragment_is_404(client, portal_path):
    assert client.get(f"{portal_path}/fragments/nope").status_code == 404
    assert client.get(f"{portal_path}/fragments/__init__").status_code == 404


def test_render_fragment_follows_the_customers_language(rf, claim, front_desk):
    claim.customer.language = "es"
    html = render_fragment(rf.get("/"), claim, "stages")
    assert "Avance de la reparación" in html
    assert "Repair progress" in render_fragment(None, claim, "stages", language="en")


def test_fragment_language_switch(client, portal_path):
    html = client.get(f"{portal_path}/fragments/eta", {"lang": "es"}).content.decode()
    assert "Fecha estimada de entrega" in html


def test_every_event_maps_to_known_fragments():
    for names in FRAGMENTS_FOR_EVENT.values():
        assert set(names) <= set(FRAGMENTS)
