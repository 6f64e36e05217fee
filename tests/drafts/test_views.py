"""The claim page's drafts: draft a reply, edit, send or discard — plain posts, no 500s, and
no view that sends a draft a person has not approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claimory.drafts.models import Draft, DraftStatus
from claimory.drafts.services import draft_create
from claimory.messaging.models import Delivery, Message


@pytest.fixture
def draft(claim, front_desk, settings):
    settings.LLM_BASE_URL = ""
    return draft_create(claim=claim, actor=front_desk)


def _new(claim):
    return reverse("backoffice:draft_new", args=[claim.pk])


def _send(draft):
    return reverse("backoffice:draft_send", args=[draft.claim_id, draft.pk])


def _discard(draft):
    return reverse("backoffice:draft_discard", args=[draft.claim_id, draft.pk])


def test_draft_a_reply_shows_an_editable_draft_marked_not_sent(desk_client, claim,
                                                               llm_settings):
    answer = desk_client.post(_new(claim), follow=True)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Draft — not sent" in html
    assert llm_settings.reply in html  # inside the editable textarea
    assert 'name="body"' in html and "Discard" in html
    assert Draft.objects.get().status == DraftStatus.DRAFTED
    assert not Message.objects.exists()


def test_model_down_says_so_on_the_page(desk_client, claim, llm_settings):
    llm_settings.status = 500
    answer = desk_client.post(_new(claim), follow=True)
    assert answer.status_code == 200
    assert "No draft: The drafting model refused the request (HTTP 500)" in \
        answer.content.decode()
    assert not Draft.objects.exists()


def test_send_approves_and_sends_the_edited_text(desk_client, draft, front_desk, texting,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        answer = desk_client.post(_send(draft), {"body": "Ready Friday, Maria."})
    assert answer.status_code == 302 and answer["Location"].endswith("#thread")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SENT and draft.approved_by == front_desk
    message = Message.objects.get()
    assert message.body == "Ready Friday, Maria." and draft.sent_message == message
    assert Delivery.objects.filter(message=message, channel="sms").exists()


def test_discard_sends_nothing(desk_client, draft):
    answer = desk_client.post(_discard(draft), {"body": draft.body})
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DISCARDED
    assert not Message.objects.exists()
    assert "Draft — not sent" not in desk_client.get(
        reverse("backoffice:claim", args=[draft.claim_id])).content.decode()


def test_no_view_sends_a_draft_nobody_approved(desk_client, client, draft):
    # Not signed in: the login page, nothing sent.
    assert client.post(_send(draft), {"body": draft.body}).status_code == 302
    # GET never sends.
    assert desk_client.get(_send(draft)).status_code == 405
    # The API has no way to send a draft: its message endpoint takes text only.
    assert not any("draft" in route for route in _api_routes())
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED and not Message.objects.exists()


def _api_routes() -> list[str]:
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                yield route

    routes = [r for r in walk(get_resolver().url_patterns) if r.startswith("api/")]
    assert any("claims/<" in r and "messages" in r for r in routes)  # the walk finds them
    return routes


def test_a_sent_draft_cannot_be_sent_again(desk_client, draft):
    desk_client.post(_send(draft), {"body": draft.body})
    answer = desk_client.post(_send(draft), {"body": "twice"}, follow=True)
    assert "already sent" in answer.content.decode()
    assert Message.objects.count() == 1


def test_technician_cannot_draft_or_send(technician, claim, draft, client):
    client.force_login(technician)
    assert client.post(_new(claim)).status_code == 403
    assert client.post(_send(draft), {"body": draft.body}).status_code == 403
    assert client.post(_discard(draft)).status_code == 403
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert "Draft a reply" not in page
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTED and not Message.objects.exists()


def test_another_workspaces_draft_is_404(outsider_client, outsider, other_claim, draft,
                                         desk_client, settings):
    settings.LLM_BASE_URL = ""
    # Their claim id with our draft id, and our claim id: both 404.
    url = reverse("backoffice:draft_send", args=[other_claim.pk, draft.pk])
    assert outsider_client.post(url, {"body": "x"}).status_code == 404
    assert outsider_client.post(_send(draft), {"body": "x"}).status_code == 404
    assert outsider_client.post(_new(draft.claim)).status_code == 404
    # Our staff cannot reach their drafts either.
    theirs = draft_create(claim=other_claim, actor=outsider)
    mixed = reverse("backoffice:draft_send", args=[draft.claim_id, theirs.pk])
    assert desk_client.post(mixed, {"body": "x"}).status_code == 404
    assert desk_client.post(_send(theirs), {"body": "x"}).status_code == 404
    assert not Message.objects.exists()
