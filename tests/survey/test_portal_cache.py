"""The cached portal page follows the survey: the offer appears on delivery, turns into the
thanks once answered, closes at expiry. A follow-up never reaches the customer: not on the
page, its fragment, nor the event stream's projection."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from claimory.claims.customer_view import public_event_data
from claimory.claims.models import EventType
from claimory.claims.services import claim_stage_set
from claimory.portal import page_cache
from claimory.shops.services import location_update
from claimory.survey.models import FollowUp, Survey
from claimory.survey.services import survey_answer

pytestmark = pytest.mark.django_db


def survey_section(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return re.search(r'<section id="survey".*?</section>', response.content.decode(),
                     re.S).group(0)


def test_offer_appears_at_once_on_delivery(client, claim, front_desk, portal_path):
    assert "<form" not in survey_section(client, portal_path)
    assert len(page_cache.pages) == 1
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert 'class="survey-form"' in survey_section(client, portal_path)


def test_offer_turns_into_thanks_at_once_after_answering(client, delivered, portal_path):
    assert 'class="survey-form"' in survey_section(client, portal_path)
    survey_answer(claim=delivered, answers={"overall": 5})
    html = survey_section(client, portal_path)
    assert "Thank you for your feedback" in html and "<form" not in html


def test_offer_closes_at_expiry_although_nothing_was_written(client, delivered, portal_path,
                                                             monkeypatch):
    assert 'class="survey-form"' in survey_section(client, portal_path)
    expires = Survey.objects.get(claim=delivered).expires_at
    monkeypatch.setattr(timezone, "now", lambda: expires + dt.timedelta(seconds=1))
    assert "Our survey has closed" in survey_section(client, portal_path)


def test_a_survey_change_without_an_event_is_seen(client, delivered, portal_path):
    """The worker closes a survey it can no longer send (the link died) without a
    customer-visible event: the survey row is part of the cache key."""
    assert 'class="survey-form"' in survey_section(client, portal_path)
    Survey.objects.filter(claim=delivered).update(state="expired", updated_at=timezone.now())
    assert "Our survey has closed" in survey_section(client, portal_path)


def test_cancelling_takes_the_offer_away(client, delivered, front_desk, portal_path):
    assert 'class="survey-form"' in survey_section(client, portal_path)
    claim_stage_set(claim=delivered, stage="completed", actor=front_desk)
    assert "<form" not in survey_section(client, portal_path)


def test_review_link_change_shows_at_once(client, delivered, location, portal_path):
    survey_answer(claim=delivered, answers={"overall": 4})
    assert "g.page/r/northside" in survey_section(client, portal_path)
    location_update(location=location, changes={"review_url": "https://example.com/review"})
    assert 'href="https://example.com/review"' in survey_section(client, portal_path)


def test_follow_up_never_reaches_the_customer(client, delivered, portal_path):
    survey_answer(claim=delivered, answers={"overall": 1, "comment": "Paint run on the door"})
    assert FollowUp.objects.count() == 1
    event = delivered.events.filter(type=EventType.SURVEY).latest("seq")
    assert event.data["follow_up"] is True
    # The stream sends only the type's public keys: the action, nothing of the follow-up.
    assert public_event_data(event) == {"action": "answered"}
    page = client.get(portal_path).content.decode()
    fragment = client.get(f"{portal_path}/fragments/survey").content.decode()
    for html in (page, fragment):
        lowered = html.lower().replace("nofollow", "")
        assert "follow" not in lowered and "manager" not in lowered
        assert "Paint run on the door" not in html


def test_survey_fragment_matches_the_page(client, delivered, portal_path):
    page = client.get(portal_path).content.decode()
    fragment = client.get(f"{portal_path}/fragments/survey").content.decode().strip()
    assert fragment in page
