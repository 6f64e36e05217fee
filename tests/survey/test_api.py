"""The survey over the API: the location's review link and survey settings (PATCH
/api/v1/location), the claim's survey (GET /api/v1/claims/<id>/survey) and its timeline."""

from __future__ import annotations

import pytest

from claimory.survey.services import survey_answer
from tests.api.conftest import ApiClient
from tests.survey.conftest import REVIEW_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(location):
    from claimory.shops.services import apikey_create

    return ApiClient(apikey_create(location=location, name="Tests")[1])


def test_location_shows_and_takes_the_review_url(api, location):
    assert api.get("/api/v1/location").json()["review_url"] == REVIEW_URL
    url = "https://search.google.com/local/writereview?placeid=ChIJ123"
    response = api.patch("/api/v1/location", {"review_url": url, "survey_delay_hours": 4,
                                               "survey_expiry_days": 10,
                                               "survey_enabled": False})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["review_url"], body["survey_delay_hours"], body["survey_expiry_days"],
            body["survey_enabled"]) == (url, 4, 10, False)
    location.refresh_from_db()
    assert location.review_url == url
    assert api.patch("/api/v1/location", {"review_url": ""}).json()["review_url"] == ""


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.com/r", "not a url",
                                 "https://", 42, "https://x.example/" + "a" * 500])
def test_a_bad_review_url_is_a_422_and_changes_nothing(api, location, bad):
    response = api.patch("/api/v1/location", {"review_url": bad})
    assert response.status_code == 422, response.content
    assert "review_url" in response.content.decode()
    location.refresh_from_db()
    assert location.review_url == REVIEW_URL


@pytest.mark.parametrize("body", [{"survey_delay_hours": -1}, {"survey_delay_hours": 337},
                                  {"survey_expiry_days": 0}, {"survey_enabled": "yes"}])
def test_bad_survey_settings_are_422(api, body):
    assert api.patch("/api/v1/location", body).status_code == 422


def test_claim_survey_through_its_life(api, claim, front_desk):
    path = f"/api/v1/claims/{claim.pk}/survey"
    assert api.get(path).json()["state"] == "none"
    api.post(f"/api/v1/claims/{claim.pk}/stage", {"stage": "delivered"})
    body = api.get(path).json()
    assert body["state"] == "scheduled" and body["due_at"] and body["follow_up"] is None
    survey_answer(claim=claim, answers={"overall": 2, "comment": "Scratch on the hood"})
    body = api.get(path).json()
    assert (body["state"], body["overall"], body["comment"]) == \
        ("answered", 2, "Scratch on the hood")
    assert body["follow_up"]["state"] == "open"
    timeline = api.get(f"/api/v1/claims/{claim.pk}/timeline").json()
    answered = [e for e in timeline if e["type"] == "survey"
                and e["data"]["action"] == "answered"]
    assert len(answered) == 1 and answered[0]["data"]["follow_up"] is True


def test_another_locations_claim_is_404(api, other_claim):
    assert api.get(f"/api/v1/claims/{other_claim.pk}/survey").status_code == 404
