"""Staff side of the survey: the claim page's result block, the Follow-ups list (owners and
managers, their own locations only) and resolving one with a note."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claimory.claims.services import claim_stage_set
from claimory.shops.models import Role
from claimory.survey.models import FollowUp, FollowUpState
from claimory.survey.services import survey_answer
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
FOLLOW_UPS = "/staff/follow-ups"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def low(delivered):
    survey_answer(claim=delivered, answers={"overall": 2, "quality": 3, "recommend": 4,
                                            "comment": "Paint run on the door"})
    return FollowUp.objects.get(survey__claim=delivered)


def test_claim_page_shows_the_answer_and_the_open_follow_up(owner_client, delivered, low):
    html = owner_client.get(reverse("backoffice:claim", args=[delivered.pk])).content.decode()
    block = html[html.index('id="survey"'):]
    block = block[:block.index("</section>")]
    assert "2/5" in block and "Paint run on the door" in block and "4/10" in block
    assert "Follow-up open" in block and f"#follow-up-{low.pk}" in block


def test_claim_page_before_sending_says_when_it_goes(owner_client, delivered):
    html = owner_client.get(reverse("backoffice:claim", args=[delivered.pk])).content.decode()
    assert "Invitation goes" in html


def test_follow_ups_list_and_resolve(owner_client, owner, delivered, low):
    page = owner_client.get(FOLLOW_UPS).content.decode()
    assert "Maria Lopez" in page and "Paint run on the door" in page
    assert 'id="follow-ups-badge"' in page  # the nav tells managers at once
    url = reverse("backoffice:follow_up_resolve", args=[low.pk])
    empty = owner_client.post(url, {f"f{low.pk}-resolution": "  "})
    assert empty.status_code == 400
    response = owner_client.post(url, {f"f{low.pk}-resolution": "Called Maria; trim refitted."})
    assert response.status_code == 302
    low.refresh_from_db()
    assert low.state == FollowUpState.DONE and low.resolved_by == owner
    assert low.resolution == "Called Maria; trim refitted."
    event = delivered.events.filter(type="survey", data__action="resolved").get()
    assert not event.customer_visible
    page = owner_client.get(FOLLOW_UPS).content.decode()
    assert "Resolved" in page and 'id="follow-ups-badge"' not in page
    again = owner_client.post(url, {f"f{low.pk}-resolution": "twice"})
    assert again.status_code == 400
    low.refresh_from_db()
    assert low.resolution == "Called Maria; trim refitted."


def test_open_follow_ups_come_first(owner_client, location, front_desk, low):
    from claimory.survey.services import follow_up_resolve
    from tests.factories import make_claim

    follow_up_resolve(follow_up=low, note="Done")
    other = make_claim(location, actor=front_desk, name="Zed Later")
    claim_stage_set(claim=other, stage="delivered", actor=front_desk)
    survey_answer(claim=other, answers={"overall": 1})
    page = owner_client.get(FOLLOW_UPS).content.decode()
    assert page.index("Zed Later") < page.index("Maria Lopez")


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRODUCTION, Role.TECHNICIAN])
def test_other_roles_cannot_open_the_list(workspace, location, role, low):
    user = make_staff(workspace, role, [location], email=f"{role}@northside.test")
    client = client_for(user)
    assert client.get(FOLLOW_UPS).status_code == 403
    html = client.get("/staff/").content.decode()
    assert FOLLOW_UPS not in html


def test_manager_sees_it(workspace, low):
    manager = make_staff(workspace, Role.MANAGER, email="mgr@northside.test")
    assert "Paint run" in client_for(manager).get(FOLLOW_UPS).content.decode()


def test_another_shops_follow_up_is_404(outsider, low):
    client = client_for(outsider)
    assert "Paint run" not in client.get(FOLLOW_UPS).content.decode()
    url = reverse("backoffice:follow_up_resolve", args=[low.pk])
    assert client.post(url, {f"f{low.pk}-resolution": "hijack"}).status_code == 404
    low.refresh_from_db()
    assert low.state == FollowUpState.OPEN


def test_location_settings_edit_the_survey(owner_client, location):
    from tests.backoffice.test_settings import location_form

    url = "/staff/settings/location?location=northside"
    data = location_form(owner_client)
    assert data["review_url"].startswith("https://g.page/")
    data.update({"review_url": "https://search.google.com/local/writereview?placeid=abc",
                 "survey_delay_hours": "2", "survey_expiry_days": "7"})
    data.pop("survey_enabled", None)
    assert owner_client.post(url, data).status_code == 302
    location.refresh_from_db()
    assert location.review_url.endswith("placeid=abc")
    assert (location.survey_delay_hours, location.survey_expiry_days) == (2, 7)
    assert location.survey_enabled is False
    for bad in ("javascript:alert(1)", "ftp://example.com/review", "not a url"):
        response = owner_client.post(url, {**data, "review_url": bad})
        assert response.status_code == 400, bad
    location.refresh_from_db()
    assert location.review_url.endswith("placeid=abc")
