"""The survey from delivery to answer: scheduled once per claim, invited once after the delay,
answered once on the portal; every respondent sees the review link, a low score also opens a
private follow-up at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from claimory.claims.models import EventType
from claimory.claims.services import claim_stage_set
from claimory.core import durable
from claimory.messaging.models import Delivery, Message
from claimory.notifications.models import Trigger
from claimory.notifications.services import rules_set
from claimory.survey.models import FollowUp, FollowUpState, Survey, SurveyState
from claimory.survey.services import survey_send
from tests.survey.conftest import REVIEW_URL

pytestmark = pytest.mark.django_db


def survey_events(claim):
    return list(claim.events.filter(type=EventType.SURVEY).order_by("seq"))


def invitations(claim):
    return [m for m in Message.objects.filter(claim=claim, automated=True)
            if "#survey" in m.body]


def later(monkeypatch, **delta):
    """Move the clock forward by ``delta``."""
    moment = timezone.now() + dt.timedelta(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def section(html):
    return re.search(r'<section id="survey".*?</section>', html, re.S).group(0)


def answer(client, portal_path, **data):
    return client.post(f"{portal_path}/survey", data)


# ---- scheduling ------------------------------------------------------------------------------

def test_delivery_schedules_one_survey_after_the_delay(delivered, location):
    survey = Survey.objects.get(claim=delivered)
    assert survey.state == SurveyState.SCHEDULED and survey.location == location
    assert survey.due_at == delivered.delivered_at + dt.timedelta(hours=24)
    assert survey.expires_at == survey.due_at + dt.timedelta(days=14)
    durable.run_due()  # not due yet: nothing happens
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.SCHEDULED
    assert invitations(delivered) == []


def test_the_invitation_goes_after_the_delay_once(delivered, monkeypatch):
    later(monkeypatch, hours=24, minutes=1)
    durable.run_due()
    survey = Survey.objects.get(claim=delivered)
    assert survey.state == SurveyState.SENT and survey.sent_at is not None
    assert survey.expires_at == survey.sent_at + dt.timedelta(days=14)
    (invite,) = invitations(delivered)
    assert invite.body.startswith("Northside Collision: how did we do with your 2019 Honda")
    assert Delivery.objects.filter(message=invite).count() == 1
    sent = [e for e in survey_events(delivered) if e.data["action"] == "sent"]
    assert len(sent) == 1 and sent[0].data["channels"] == ["sms"] and not sent[0].customer_visible
    # The worker runs again, the task is queued twice, the sweep finds it: nothing more.
    durable.run_due()
    assert durable.run_work.call("survey.survey", survey.pk) == "skipped"
    durable.sweep()
    assert len(invitations(delivered)) == 1


def test_a_crash_mid_send_leaves_it_pending_and_it_goes_once(delivered, monkeypatch):
    later(monkeypatch, hours=25)
    import claimory.notifications.services as notifications

    real = notifications.notify

    def crash(*args, **kwargs):
        real(*args, **kwargs)  # the text is written… and the worker dies before commit
        raise RuntimeError("worker killed")

    monkeypatch.setattr(notifications, "notify", crash)
    durable.run_due()
    survey = Survey.objects.get(claim=delivered)
    assert survey.state == SurveyState.SCHEDULED and survey.attempts == 1
    assert invitations(delivered) == []  # rolled back with the row's state
    monkeypatch.setattr(notifications, "notify", real)
    later(monkeypatch, hours=26)  # past the retry's backoff
    durable.run_due()
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.SENT
    assert len(invitations(delivered)) == 1


def test_a_lease_that_ran_out_is_taken_over_and_sends_once(delivered, monkeypatch):
    survey = Survey.objects.get(claim=delivered)
    moment = later(monkeypatch, hours=25)
    # A worker took it and died: its lease ran out, nothing was committed.
    Survey.objects.filter(pk=survey.pk).update(state=SurveyState.SENDING, attempts=1,
                                               lease_until=moment - dt.timedelta(seconds=1))
    durable.sweep()
    durable.run_due()
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.SENT
    assert len(invitations(delivered)) == 1


def test_a_stale_attempt_does_nothing(delivered, monkeypatch):
    later(monkeypatch, hours=25)
    survey = durable.claim(Survey, Survey.objects.get(claim=delivered).pk)
    survey.attempts -= 1  # what an older attempt holds
    survey_send(survey)
    assert invitations(delivered) == []


def test_consent_is_respected(claim, front_desk, monkeypatch):
    claim.customer.sms_opt_in = False
    claim.customer.save()
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    later(monkeypatch, hours=25)
    durable.run_due()
    survey = Survey.objects.get(claim=claim)
    assert survey.state == SurveyState.SENT and survey.sent_at is None
    assert invitations(claim) == []
    (sent,) = [e for e in survey_events(claim) if e.data["action"] == "sent"]
    assert sent.data["channels"] == [] and "portal still offers" in sent.data["reason"]


def test_the_rule_turned_off_sends_nothing(location, claim, front_desk, monkeypatch):
    rules_set(location=location, enabled={Trigger.SURVEY: False})
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    later(monkeypatch, hours=25)
    durable.run_due()
    assert invitations(claim) == []


def test_a_stop_after_delivery_holds_the_text_in_the_outbox(claim, front_desk, monkeypatch):
    from claimory.sms.simulator import customer_reply, phone_received

    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    customer_reply(location=claim.location, from_number=claim.customer.phone, text="STOP")
    later(monkeypatch, hours=25)
    durable.run_due()
    assert Survey.objects.get(claim=claim).state == SurveyState.SENT
    assert not any("#survey" in d.body
                   for d in phone_received(claim.location, claim.customer.phone))


def test_surveys_off_schedule_nothing(location, claim, front_desk):
    location.survey_enabled = False
    location.save()
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert not Survey.objects.filter(claim=claim).exists()


def test_moving_back_before_sending_cancels_and_redelivery_reuses_the_row(
        delivered, front_desk, monkeypatch):
    first = Survey.objects.get(claim=delivered)
    claim_stage_set(claim=delivered, stage="completed", actor=front_desk)
    assert Survey.objects.get(pk=first.pk).state == SurveyState.CANCELLED
    later(monkeypatch, hours=25)
    durable.run_due()
    assert invitations(delivered) == []  # cancelled: never sent
    claim_stage_set(claim=delivered, stage="delivered", actor=front_desk)
    again = Survey.objects.get(claim=delivered)
    assert again.pk == first.pk and again.state == SurveyState.SCHEDULED
    assert Survey.objects.filter(claim=delivered).count() == 1
    later(monkeypatch, hours=50)
    durable.run_due()
    assert len(invitations(delivered)) == 1


def test_redelivery_after_sending_sends_nothing_new(delivered, front_desk, monkeypatch):
    later(monkeypatch, hours=25)
    durable.run_due()
    claim_stage_set(claim=delivered, stage="completed", actor=front_desk)
    claim_stage_set(claim=delivered, stage="delivered", actor=front_desk)
    later(monkeypatch, hours=60)
    durable.run_due()
    assert len(invitations(delivered)) == 1
    assert Survey.objects.get(claim=delivered).state == SurveyState.SENT


# ---- answering on the portal -----------------------------------------------------------------

@pytest.mark.parametrize("score", [5, 2])
def test_a_5_and_a_2_both_see_the_review_link_and_only_the_2_opens_a_task(
        client, delivered, portal_path, score):
    response = answer(client, portal_path, overall=str(score), comment="Bumper gap uneven",
                      quality="4", recommend="7")
    assert response.status_code == 303 and response["Location"].endswith("#survey")
    html = section(client.get(portal_path).content.decode())
    assert "Thank you for your feedback" in html
    assert f'href="{REVIEW_URL}"' in html
    survey = Survey.objects.get(claim=delivered)
    assert (survey.state, survey.overall, survey.quality, survey.recommend) == \
        ("answered", score, 4, 7)
    assert survey.comment == "Bumper gap uneven" and survey.answered_at is not None
    (event,) = [e for e in survey_events(delivered) if e.data["action"] == "answered"]
    assert event.customer_visible and event.data["overall"] == score
    assert event.data["follow_up"] is (score == 2)
    assert FollowUp.objects.filter(survey=survey).exists() is (score == 2)
    if score == 2:
        follow_up = FollowUp.objects.get(survey=survey)
        assert follow_up.state == FollowUpState.OPEN and follow_up.location == delivered.location


def test_the_thanks_is_the_same_whatever_the_score(client, claim, location, front_desk):
    """No gating: the review offer a 5 and a 1 get is the same markup."""
    from claimory.claims.services import portal_token
    from tests.factories import make_claim

    pages = []
    for score, name in ((5, "Ana Happy"), (1, "Ben Unhappy")):
        other = make_claim(location, actor=front_desk, name=name)
        claim_stage_set(claim=other, stage="delivered", actor=front_desk)
        path = f"/c/{portal_token(other)}"
        answer(client, path, overall=str(score))
        html = section(client.get(path).content.decode())
        pages.append(html.replace(path, "PATH"))
    assert pages[0] == pages[1]


def test_three_is_low_four_is_not(client, location, front_desk):
    from claimory.claims.services import portal_token
    from tests.factories import make_claim

    for score, opened in ((3, True), (4, False)):
        other = make_claim(location, actor=front_desk, name=f"Score {score}")
        claim_stage_set(claim=other, stage="delivered", actor=front_desk)
        answer(client, f"/c/{portal_token(other)}", overall=str(score))
        assert FollowUp.objects.filter(survey__claim=other).exists() is opened


def test_answers_are_final(client, delivered, portal_path):
    assert answer(client, portal_path, overall="5").status_code == 303
    second = answer(client, portal_path, overall="1", comment="changed my mind")
    assert second.status_code == 409
    assert "already answered" in second.content.decode()
    survey = Survey.objects.get(claim=delivered)
    assert survey.overall == 5 and survey.comment == ""
    assert not FollowUp.objects.exists()
    assert len([e for e in survey_events(delivered) if e.data["action"] == "answered"]) == 1


@pytest.mark.parametrize("bad", [{"overall": "0"}, {"overall": "6"}, {"overall": "abc"},
                                 {}, {"overall": "5", "recommend": "11"},
                                 {"overall": "5", "quality": "-1"},
                                 {"overall": "5", "comment": "x" * 2001},
                                 {"overall": "4.5"}])
def test_bad_input_is_a_form_error_not_a_500(client, delivered, portal_path, bad):
    response = answer(client, portal_path, **bad)
    assert response.status_code == 400
    html = section(response.content.decode())
    assert 'role="alert"' in html and "<form" in html
    survey = Survey.objects.get(claim=delivered)
    assert survey.state == SurveyState.SCHEDULED and survey.overall is None


def test_a_bad_post_keeps_what_was_chosen(client, delivered, portal_path):
    response = answer(client, portal_path, quality="4", comment="Nice people")
    html = section(response.content.decode())
    assert 'id="survey-quality-4" name="quality" value="4" checked' in html
    assert "Nice people</textarea>" in html
    assert 'aria-describedby="survey-overall-error"' in html


def test_not_delivered_no_offer_and_a_post_is_refused(client, claim, portal_path):
    assert 'id="survey"' in client.get(portal_path).content.decode()
    assert "<form class=\"survey-form\"" not in client.get(portal_path).content.decode()
    response = answer(client, portal_path, overall="5")
    assert response.status_code == 409
    assert not Survey.objects.exists()


def test_expired_survey_shows_a_message_and_no_form(client, delivered, portal_path, monkeypatch):
    later(monkeypatch, days=16)
    html = section(client.get(portal_path).content.decode())
    assert "Our survey has closed" in html and "<form" not in html
    response = answer(client, portal_path, overall="2")
    assert response.status_code == 410
    assert Survey.objects.get(claim=delivered).overall is None
    assert not FollowUp.objects.exists()


def test_the_sweep_never_sends_an_invitation_that_expired(delivered, location, monkeypatch):
    location.portal_expiry_days = 1  # the link dies before the invitation is due
    location.save()
    later(monkeypatch, hours=25)
    durable.run_due()
    assert Survey.objects.get(claim=delivered).state == SurveyState.EXPIRED
    assert invitations(delivered) == []


def test_cross_site_post_is_refused(client, delivered, portal_path):
    response = client.post(f"{portal_path}/survey", {"overall": "5"},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert Survey.objects.get(claim=delivered).overall is None


def test_unknown_token_is_the_uniform_404(client, delivered):
    assert client.post("/c/not-a-real-token-at-all/survey", {"overall": "5"}).status_code == 404


def test_get_goes_back_to_the_section(client, delivered, portal_path):
    response = client.get(f"{portal_path}/survey")
    assert response.status_code == 302 and response["Location"].endswith("#survey")


def test_spanish_customer_gets_spanish(client, delivered, portal_path):
    delivered.customer.language = "es"
    delivered.customer.save()
    html = section(client.get(portal_path).content.decode())
    assert "¿Qué tal su reparación?" in html
    response = answer(client, portal_path, overall="9")
    assert "Elija una puntuación del 1 al 5." in section(response.content.decode())


def test_the_locations_delay_and_expiry_are_used(location, claim, front_desk, monkeypatch):
    location.survey_delay_hours, location.survey_expiry_days = 2, 3
    location.save()
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    later(monkeypatch, hours=1)
    durable.run_due()
    assert invitations(claim) == []
    later(monkeypatch, hours=2, minutes=1)
    durable.run_due()
    survey = Survey.objects.get(claim=claim)
    assert survey.state == SurveyState.SENT
    assert survey.expires_at == survey.sent_at + dt.timedelta(days=3)


def test_turning_surveys_off_hides_the_offer_and_cancels_the_send(
        client, delivered, location, portal_path, monkeypatch):
    assert "survey-form" in section(client.get(portal_path).content.decode())
    location.survey_enabled = False
    location.save()
    assert "survey-form" not in section(client.get(portal_path).content.decode())
    later(monkeypatch, hours=25)
    durable.run_due()
    assert Survey.objects.get(claim=delivered).state == SurveyState.CANCELLED
    assert invitations(delivered) == []
