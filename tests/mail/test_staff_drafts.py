"""AI drafts of email: written from the claim and the message answered, queued only once a
person approves them (draft_send_email → mail_compose); the send path refuses the rest."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claimory.claims.models import Claim
from claimory.drafts.models import Draft, DraftChannel, DraftStatus
from claimory.drafts.selectors import drafts_waiting, email_drafts_waiting
from claimory.drafts.services import (
    DraftNotApproved,
    _send_approved_email,
    draft_create,
    draft_create_email,
    draft_send,
    draft_send_email,
)
from claimory.mail.models import MailMessage, Outgoing
from tests.backoffice import conftest as personas
from tests.drafts import conftest as draft_fixtures
from tests.mail import staff_fixtures
from tests.mail.staff_fixtures import file_mail

pytestmark = pytest.mark.django_db
desk_client = personas.desk_client
mailbox = staff_fixtures.mailbox
fake_llm, llm_settings = draft_fixtures.fake_llm, draft_fixtures.llm_settings

ADJUSTER = "dana.adjuster@carrier.test"


@pytest.fixture
def no_model(settings):
    settings.LLM_BASE_URL = ""


@pytest.fixture
def adj_claim(claim):
    Claim.objects.filter(pk=claim.pk).update(adjuster_name="Dana Reyes", adjuster_email=ADJUSTER)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def question(location, mailbox, adj_claim):
    return file_mail(location, sender=f"Dana Reyes <{ADJUSTER}>",
                     subject=f"Status {adj_claim.ro_number}", message_id="<ask-1@carrier.test>",
                     body="When will the car be ready? We need it for the file.")


def test_the_model_is_given_the_claim_and_the_message_answered(adj_claim, question, front_desk,
                                                              llm_settings):
    llm_settings.reply = "Hello Dana,\n\nThe car should be ready Friday.\n\nNorthside"
    draft = draft_create_email(claim=adj_claim, actor=front_desk, reply_to=question)
    assert draft.channel == DraftChannel.EMAIL and draft.status == DraftStatus.DRAFTED
    assert draft.body == llm_settings.reply
    prompt = llm_settings.last_prompt
    assert "When will the car be ready?" in prompt and "adjuster" in prompt
    assert adj_claim.claim_number in prompt and "emails" in prompt
    assert draft.context["reply_to"]["id"] == question.pk
    assert not MailMessage.objects.filter(direction="out").exists()


def test_the_template_drafter_writes_to_the_adjuster(adj_claim, question, front_desk, no_model):
    draft = draft_create_email(claim=adj_claim, actor=front_desk, reply_to=question)
    assert draft.body.startswith("Hello Dana,") and adj_claim.claim_number in draft.body
    assert draft.body.rstrip().endswith(adj_claim.location.name)


def test_approving_queues_the_email_with_the_thread_headers(adj_claim, question, front_desk,
                                                           no_model):
    draft = draft_create_email(claim=adj_claim, actor=front_desk, reply_to=question)
    mail = draft_send_email(draft=draft, actor=front_desk, to=ADJUSTER, subject="",
                            body="Ready Friday.", reply_to=question, cc="boss@carrier.test")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SENT and draft.approved_by == front_desk
    assert draft.approved_at is not None and draft.sent_mail == mail
    assert draft.body == "Ready Friday."
    assert mail.status == "queued" and mail.in_reply_to == "<ask-1@carrier.test>"
    assert mail.subject.startswith("Re: Status") and mail.body_text == "Ready Friday."
    assert Outgoing.objects.filter(mail=mail).exists()


def test_the_send_path_refuses_an_unapproved_draft_and_queues_nothing(adj_claim, question,
                                                                      front_desk, no_model):
    draft = draft_create_email(claim=adj_claim, actor=front_desk, reply_to=question)
    with pytest.raises(DraftNotApproved):
        _send_approved_email(draft, to=ADJUSTER, subject="Re", reply_to=question)
    with pytest.raises(DraftNotApproved):  # the system or an API key is not a person
        draft_send_email(draft=draft, actor=None, to=ADJUSTER, subject="Re", body="x")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED and draft.approved_by is None
    assert not MailMessage.objects.filter(direction="out").exists()
    assert not Outgoing.objects.exists()


def test_a_refused_send_leaves_the_draft_waiting(adj_claim, question, front_desk, no_model):
    draft = draft_create_email(claim=adj_claim, actor=front_desk, reply_to=question)
    with pytest.raises(ValidationError):
        draft_send_email(draft=draft, actor=front_desk, to="nobody", subject="x", body="y")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED and draft.approved_by is None


def test_technician_may_not_draft_or_approve(adj_claim, question, front_desk, technician,
                                             no_model):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        draft_create_email(claim=adj_claim, actor=technician)
    draft = draft_create_email(claim=adj_claim, actor=front_desk)
    with pytest.raises(PermissionDenied):
        draft_send_email(draft=draft, actor=technician, to=ADJUSTER, subject="x", body="y")
    assert not Outgoing.objects.exists()


def test_email_and_text_drafts_keep_to_their_own_send_paths(adj_claim, front_desk, no_model,
                                                            mailbox):
    email_draft = draft_create_email(claim=adj_claim, actor=front_desk)
    text_draft = draft_create(claim=adj_claim, actor=front_desk)
    assert drafts_waiting(adj_claim) == [text_draft]
    assert email_drafts_waiting(adj_claim) == [email_draft]
    with pytest.raises(ValidationError):
        draft_send(draft=email_draft, actor=front_desk, body="hello")
    with pytest.raises(ValidationError):
        draft_send_email(draft=text_draft, actor=front_desk, to=ADJUSTER, subject="x",
                         body="y")


def test_draft_button_opens_the_draft_in_compose_and_send_approves_it(desk_client, adj_claim,
                                                                      question, front_desk,
                                                                      no_model):
    compose = reverse("backoffice:mail_compose", args=[adj_claim.pk])
    answer = desk_client.post(reverse("backoffice:mail_draft_new", args=[adj_claim.pk]),
                              {"reply_to": question.pk})
    draft = Draft.objects.get(channel=DraftChannel.EMAIL)
    assert answer.status_code == 302 and answer["Location"] == f"{compose}?draft={draft.pk}"
    page = desk_client.get(answer["Location"])
    form = page.context["form"]
    assert form.initial["body"] == draft.body and form.initial["reply_to"] == question.pk
    assert form.initial["to"] == f"Dana Reyes <{ADJUSTER}>"
    assert "Draft — not sent." in page.content.decode()
    claim_html = desk_client.get(reverse("backoffice:claim", args=[adj_claim.pk])).content.decode()
    assert "Email draft — not sent" in claim_html
    sent = desk_client.post(compose, {"to": ADJUSTER, "subject": "", "body": "Edited.",
                                      "reply_to": question.pk, "draft": draft.pk})
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SENT and draft.approved_by == front_desk
    assert draft.sent_mail.body_text == "Edited." and draft.sent_mail.in_reply_to


def test_discarding_an_email_draft(desk_client, adj_claim, front_desk, no_model):
    draft = draft_create_email(claim=adj_claim, actor=front_desk)
    url = reverse("backoffice:mail_draft_discard", args=[adj_claim.pk, draft.pk])
    assert desk_client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DISCARDED
    assert desk_client.post(url).status_code == 404


def test_model_down_says_so_and_keeps_the_reply_open(desk_client, adj_claim, question,
                                                     llm_settings):
    llm_settings.status = 500
    answer = desk_client.post(reverse("backoffice:mail_draft_new", args=[adj_claim.pk]),
                              {"reply_to": question.pk}, follow=True)
    assert answer.status_code == 200
    assert "No draft: The drafting model refused the request (HTTP 500)" in \
        answer.content.decode()
    assert answer.context["reply"] == question and not Draft.objects.exists()
