"""`claimory apikey`: create prints the raw key last, list never shows it, revoke stops it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import ApiClient


def _run(*args: str) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_as_the_last_line_and_it_works(location):
    output = _run("create", "--location", "northside", "--name", "CCC ONE bridge")
    key = output.strip().splitlines()[-1]
    assert key.startswith("clm_") and " " not in key
    response = ApiClient(key).get("/api/v1/location")
    assert response.status_code == 200
    assert response.json()["slug"] == "northside"


def test_list_shows_prefixes_but_never_the_key(location, other_location):
    key = _run("create", "--location", "northside", "--name", "DMS").strip().splitlines()[-1]
    _run("create", "--location", "elsewhere")
    listed = _run("list", "--location", "northside")
    assert key[:10] in listed and "DMS" in listed and "active" in listed
    assert key not in listed
    assert "elsewhere" not in listed
    assert "elsewhere" in _run("list")


def test_revoke_stops_the_key_at_once(location):
    key = _run("create", "--location", "northside").strip().splitlines()[-1]
    assert "Revoked" in _run("revoke", key[:10])
    assert ApiClient(key).get("/api/v1/location").status_code == 401
    assert "revoked" in _run("list")
    assert "already revoked" in _run("revoke", key[:10])


def test_unknown_location_or_prefix_is_a_clear_error(location):
    with pytest.raises(CommandError, match="No location with slug"):
        _run("create", "--location", "nowhere")
    with pytest.raises(CommandError, match="No API key with prefix"):
        _run("revoke", "clm_nothere")
