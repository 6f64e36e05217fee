"""POST /api/v1/estimates: 201 created, 200 updated/unchanged, 4xx with a reason and nothing
changed; answers match the OpenAPI document; keys of another shop never touch our claims."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from claimory.claims.models import Claim
from claimory.shops.services import apikey_create
from tests.api.openapi_check import check
from tests.estimates.conftest import BMS, EMS


@pytest.fixture
def key(location):
    return apikey_create(location=location, name="Estimating")[1]


@pytest.fixture
def other_key(other_location):
    return apikey_create(location=other_location, name="Elsewhere")[1]


def _post(key, name, data, **headers):
    client = Client()
    response = client.post("/api/v1/estimates",
                           {"file": _named(name, data)},
                           headers={"Authorization": f"Bearer {key}", **headers})
    check("POST", "/api/v1/estimates", response)
    return response, json.loads(response.content)


def _named(name, data):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _ems_zip(stem):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in EMS.glob(f"{stem}.*"):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def test_bms_creates_then_supplement_updates_then_unchanged(key, media):
    response, body = _post(key, "est1.xml", (BMS / "est1-original.xml").read_bytes())
    assert response.status_code == 201
    assert body["action"] == "created"
    claim_id = body["claim_id"]
    response, body = _post(key, "est1-s1.xml", (BMS / "est1-supp1.xml").read_bytes())
    assert (response.status_code, body["action"], body["claim_id"]) == (200, "updated", claim_id)
    response, body = _post(key, "est1-s1.xml", (BMS / "est1-supp1.xml").read_bytes())
    assert (response.status_code, body["action"]) == (200, "unchanged")
    response, body = _post(key, "est1.xml", (BMS / "est1-original.xml").read_bytes())
    assert (response.status_code, body["action"]) == (200, "unchanged")
    assert Claim.objects.count() == 1


def test_zip_of_an_ems_set_creates(key, media):
    response, body = _post(key, "set.zip", _ems_zip("1F3A0002"))
    assert response.status_code == 201
    assert Claim.objects.get(pk=body["claim_id"]).ro_number == "RO-5530"


@pytest.mark.parametrize(("name", "reason"), [
    ("xxe.xml", "DOCTYPE"), ("entity-bomb.xml", "DOCTYPE"), ("truncated.xml", "well-formed"),
    ("wrong-root.xml", "RepairOrderAddRq"), ("no-vehicle.xml", "VIN"),
])
def test_unusable_file_is_422_with_a_reason_and_nothing_changed(key, media, name, reason):
    response, body = _post(key, name, (BMS / name).read_bytes())
    assert response.status_code == 422
    assert reason in body["reason"]
    assert "root:" not in response.content.decode()  # nothing of /etc/passwd
    assert not Claim.objects.exists()


def test_ems_set_without_veh_and_a_single_table_are_refused(key, media):
    response, body = _post(key, "noveh.zip", _ems_zip("NOVEH001"))
    assert (response.status_code, body["reason"]) == (422, "missing VEH table")
    response, body = _post(key, "8B0D0001.VEH", (EMS / "8B0D0001.VEH").read_bytes())
    assert response.status_code == 422
    assert "whole set" in body["reason"]
    assert not Claim.objects.exists()


def test_too_big_is_413(key, media, monkeypatch):
    from claimory.api import routes_estimates

    monkeypatch.setattr(routes_estimates, "MAX_FILE_BYTES", 1000)
    response, body = _post(key, "est1.xml", (BMS / "est1-original.xml").read_bytes())
    assert response.status_code == 413
    assert not Claim.objects.exists()


def test_another_shops_key_opens_its_own_claim(key, other_key, media, location, other_location):
    _response, ours = _post(key, "est1.xml", (BMS / "est1-original.xml").read_bytes())
    response, theirs = _post(other_key, "est1.xml", (BMS / "est1-original.xml").read_bytes())
    assert response.status_code == 201
    assert theirs["claim_id"] != ours["claim_id"]
    response, _ = _post(other_key, "s1.xml", (BMS / "est1-supp1.xml").read_bytes())
    assert Claim.objects.get(pk=ours["claim_id"]).estimate_total.to_eng_string() == "4321.10"


def test_without_a_key_is_401(db, media):
    response = Client().post("/api/v1/estimates",
                             {"file": _named("a.xml", (BMS / "est1-original.xml").read_bytes())})
    assert response.status_code == 401
    assert not Claim.objects.exists()


def test_idempotency_key_replays_the_first_answer(key, media):
    data = (BMS / "est2-original.xml").read_bytes()
    first, body = _post(key, "e.xml", data, **{"Idempotency-Key": "abc-1"})
    again, replay = _post(key, "e.xml", data, **{"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert replay == body
    assert again["Idempotent-Replayed"] == "true"
