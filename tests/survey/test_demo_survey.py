"""The demo shows the survey both ways: one delivered claim offered it, one answered a 2 (its
follow-up waits in the Follow-ups list), and re-seeding changes nothing."""

from __future__ import annotations

import pytest

from claimory import demo
from claimory.claims.services import portal_token
from claimory.portal.page_cache import pages
from claimory.survey.models import FollowUp, Survey, SurveyState


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path


@pytest.mark.django_db
def test_demo_has_an_offered_and_an_answered_survey(client):
    result = demo.seed()
    surveys = {s.claim.customer.name: s for s in
               Survey.objects.filter(location=result.location).select_related("claim__customer")}
    assert set(surveys) == {"Marcus Brown", "Priya Shah"}
    offered, answered = surveys["Marcus Brown"], surveys["Priya Shah"]
    assert offered.state == SurveyState.SENT and offered.answered_at is None
    assert answered.state == SurveyState.ANSWERED and answered.overall == 2
    assert answered.answered_at > answered.due_at > answered.claim.delivered_at
    follow_up = FollowUp.objects.get(survey=answered)
    assert follow_up.state == "open"
    pages.clear()
    html = client.get(f"/c/{portal_token(offered.claim)}").content.decode()
    assert 'class="survey-form"' in html
    html = client.get(f"/c/{portal_token(answered.claim)}").content.decode()
    assert "Thank you for your feedback" in html and demo.DEMO_REVIEW_URL.split("?")[0] in html
    demo.seed()
    assert Survey.objects.filter(location=result.location).count() == 2
    assert FollowUp.objects.filter(location=result.location).count() == 1
