"""/staff/estimates/import: office staff upload files (an EMS set file by file, a BMS file,
a zip); the worker imports them; results show per file; others are refused."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from claimory.claims.models import Claim
from claimory.core import durable
from claimory.estimates.models import ImportFile, ImportFolder
from tests.estimates.conftest import BMS, EMS

URL = "/staff/estimates/import"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _file(path):
    handle = io.BytesIO(path.read_bytes())
    handle.name = path.name
    return handle


def test_front_desk_uploads_a_bms_file_and_an_ems_set_and_sees_results(front_desk, media):
    client = _client(front_desk)
    files = [_file(BMS / "est1-original.xml"), *[_file(p) for p in EMS.glob("1F3A0002.*")]]
    response = client.post(f"{URL}?location=northside", {"files": files})
    assert response.status_code == 302
    assert ImportFile.objects.count() == 2  # the set is one import
    page = client.get(response["Location"])
    assert "data-import-running" in page.content.decode()
    assert durable.run_due() == 2
    page = client.get(f"{URL}?location=northside").content.decode()
    assert "created claim ACM-2026-118842" in page
    assert "created claim RO-5530" in page
    assert "data-import-running" not in page
    assert Claim.objects.count() == 2


def test_a_rejected_file_shows_its_reason(front_desk, media):
    client = _client(front_desk)
    client.post(f"{URL}?location=northside", {"files": [_file(BMS / "wrong-root.xml")]})
    durable.run_due()
    page = client.get(f"{URL}?location=northside").content.decode()
    assert "Rejected" in page
    assert "root element is RepairOrderAddRq" in page
    assert not Claim.objects.exists()


def test_technician_may_not_import(technician, media):
    client = _client(technician)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"files": [_file(BMS / "est1-original.xml")]})
    assert response.status_code == 403
    assert not ImportFile.objects.exists()


def test_another_shops_location_is_404(front_desk, other_location, media):
    client = _client(front_desk)
    assert client.get(f"{URL}?location=elsewhere").status_code == 404
    response = client.post(f"{URL}?location=elsewhere",
                           {"files": [_file(BMS / "est1-original.xml")]})
    assert response.status_code == 404
    assert not ImportFile.objects.exists()


def test_others_results_are_not_shown(front_desk, outsider, other_location, media):
    _client(outsider).post(f"{URL}?location=elsewhere",
                           {"files": [_file(BMS / "est2-original.xml")]})
    durable.run_due()
    page = _client(front_desk).get(f"{URL}?location=northside").content.decode()
    assert "est2-original.xml" not in page


@pytest.mark.parametrize("role", ["owner"])
def test_owner_turns_on_the_watched_folder(request, role, location, media, settings, tmp_path):
    settings.ESTIMATE_INBOX_DIR = tmp_path / "inbox"
    client = _client(request.getfixturevalue(role))
    client.post(f"{URL}?location=northside", {"action": "folder"})
    folder = ImportFolder.objects.get(location=location)
    assert folder.path == str(tmp_path / "inbox" / "northside")
    assert (tmp_path / "inbox" / "northside").is_dir()


def test_front_desk_cannot_set_a_folder(front_desk, media):
    response = _client(front_desk).post(f"{URL}?location=northside", {"action": "folder"})
    assert response.status_code == 403
    assert not ImportFolder.objects.exists()


def test_claim_list_links_to_the_import_page(front_desk, technician):
    assert URL in _client(front_desk).get("/staff/").content.decode()
    assert URL not in _client(technician).get("/staff/").content.decode()
