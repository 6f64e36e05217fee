import datetime as dt

import pytest
from django.utils import timezone

from claimory.claims.services import claim_stage_set, portal_token_revoke, portal_token_rotate
from claimory.core import rate_window
from claimory.core.middleware import PORTAL_CSP

pytestmark = pytest.mark.django_db


def _not_found_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    return response.content


def test_every_kind_of_dead_link_gets_the_same_404(client, claim, front_desk, portal_path):
    unknown = _not_found_body(client, "/c/AAAAAAAAAAAAAAAAAAAAAA")
    malformed_tokens = ("short", "x" * 200, "has%20space", "%F0%9F%9A%97", "A" * 21 + "!", "..")
    malformed = [_not_found_body(client, f"/c/{bad}") for bad in malformed_tokens]
    portal_token_rotate(claim=claim, actor=front_desk)
    rotated_old = _not_found_body(client, portal_path)
    assert unknown == rotated_old
    assert all(body == unknown for body in malformed)
    assert _not_found_body(client, "/c/") == unknown


def test_revoked_link_gets_the_same_404(client, claim, front_desk, portal_path):
    unknown = _not_found_body(client, "/c/AAAAAAAAAAAAAAAAAAAAAA")
    portal_token_revoke(claim=claim, actor=front_desk)
    assert _not_found_body(client, portal_path) == unknown


def test_expired_link_gets_the_same_404(client, claim, front_desk, portal_path):
    unknown = _not_found_body(client, "/c/AAAAAAAAAAAAAAAAAAAAAA")
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert client.get(portal_path).status_code == 200  # still inside the window
    claim.delivered_at = timezone.now() - dt.timedelta(days=claim.location.portal_expiry_days + 1)
    claim.save()
    assert _not_found_body(client, portal_path) == unknown


def test_404_page_names_no_shop_and_says_what_to_do(client, claim):
    html = client.get("/c/AAAAAAAAAAAAAAAAAAAAAA").content.decode()
    assert "This link doesn't work anymore" in html and "call the shop" in html
    assert claim.location.name not in html and "brand.css" not in html
    assert "5125550100" not in html


def test_404_page_follows_the_browser_language(client):
    response = client.get("/c/AAAAAAAAAAAAAAAAAAAAAA", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "Este enlace ya no funciona" in response.content.decode()


def test_dead_fragment_link_gets_the_same_404(client):
    page = _not_found_body(client, "/c/AAAAAAAAAAAAAAAAAAAAAA")
    assert _not_found_body(client, "/c/AAAAAAAAAAAAAAAAAAAAAA/fragments/stages") == page


@pytest.fixture
def frozen_minute(monkeypatch):
    # Mid-window, so the test cannot straddle a minute boundary.
    monkeypatch.setattr(rate_window.time, "time", lambda: 1_800_000_030.0)


def test_too_many_misses_from_one_client_get_429(client, settings, frozen_minute):
    settings.PORTAL_404_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/c/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    response = client.get("/c/BBBBBBBBBBBBBBBBBBBBBB")
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert "Too many tries" in response.content.decode()


def test_blocked_client_learns_nothing_even_with_a_valid_token(client, settings, portal_path,
                                                               frozen_minute):
    settings.PORTAL_404_LIMIT_PER_MINUTE = 2
    client.get("/c/AAAAAAAAAAAAAAAAAAAAAA")
    client.get("/c/AAAAAAAAAAAAAAAAAAAAAA")
    assert client.get(portal_path).status_code == 429
    assert client.get(f"{portal_path}/fragments/eta").status_code == 429


def test_limit_is_per_client_and_per_minute(client, settings, portal_path, monkeypatch):
    settings.PORTAL_404_LIMIT_PER_MINUTE = 1
    now = [1_800_000_010.0]
    monkeypatch.setattr(rate_window.time, "time", lambda: now[0])
    client.get("/c/AAAAAAAAAAAAAAAAAAAAAA")
    assert client.get("/c/AAAAAAAAAAAAAAAAAAAAAA").status_code == 429
    assert client.get("/c/AAAAAAAAAAAAAAAAAAAAAA", REMOTE_ADDR="10.1.2.3").status_code == 404
    now[0] += 60
    assert client.get(portal_path).status_code == 200


def test_valid_visits_do_not_count_toward_the_limit(client, settings, portal_path,
                                                    frozen_minute):
    settings.PORTAL_404_LIMIT_PER_MINUTE = 2
    for _ in range(5):
        assert client.get(portal_path).status_code == 200


@pytest.mark.parametrize("kind", ["page", "not_found", "too_many"])
def test_portal_responses_carry_security_headers(client, settings, portal_path, kind,
                                                 frozen_minute):
    if kind == "too_many":
        settings.PORTAL_404_LIMIT_PER_MINUTE = 1
        client.get("/c/AAAAAAAAAAAAAAAAAAAAAA")
    path = portal_path if kind == "page" else "/c/AAAAAAAAAAAAAAAAAAAAAA"
    response = client.get(path)
    assert response.status_code == {"page": 200, "not_found": 404, "too_many": 429}[kind]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Content-Security-Policy"] == PORTAL_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
