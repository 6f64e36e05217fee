"""The message thread on the claim page: read it, reply, mark read, mark done, assign."""

import pytest
from django.urls import reverse

from claimory.claims.models import Channel, EventType
from claimory.messaging.models import Conversation, Direction, Message, Status
from claimory.messaging.services import message_customer_seen, message_receive, message_send
from claimory.shops.models import Role
from tests.factories import make_staff

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def url(name, claim):
    return reverse(f"backoffice:{name}", args=[claim.pk])


def page(client, claim) -> str:
    return client.get(url("claim", claim)).content.decode()


def test_claim_page_shows_the_thread_oldest_first_with_channel_sender_and_state(
        desk_client, claim, front_desk):
    message_receive(claim=claim, body="When will it be ready?")
    reply = message_send(claim=claim, body="Friday afternoon.", actor=front_desk)
    message_customer_seen(claim=claim, up_to_message_id=reply.pk)
    html = page(desk_client, claim)
    thread = html[html.index('id="thread"'):html.index('id="timeline"')]
    assert thread.index("When will it be ready?") < thread.index("Friday afternoon.")
    assert "bubble--in" in thread and "bubble--out" in thread
    assert "Maria Lopez" in thread and front_desk.get_full_name() in thread
    assert ">Portal<" in thread and ">Seen<" in thread


def test_customer_text_is_escaped_and_links_are_safe(desk_client, claim):
    message_receive(claim=claim, body='<script>alert(1)</script> see https://example.com/a?b=1 '
                                      "or javascript:alert(2)")
    html = page(desk_client, claim)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.com/a?b=1" rel="nofollow">' in html
    assert 'href="javascript:' not in html


def test_thread_times_are_in_the_location_time_zone(desk_client, claim, location):
    location.timezone = "America/Chicago"
    location.save()
    message = message_receive(claim=claim, body="Hello")
    Message.objects.filter(pk=message.pk).update(
        created_at="2026-03-02T18:30:00+00:00")
    assert "Mar 2, 12:30 PM" in page(desk_client, claim)


def test_reply_lands_on_the_timeline_as_a_staff_message_the_customer_sees(desk_client, claim,
                                                                          front_desk):
    message_receive(claim=claim, body="Any news?")
    response = desk_client.post(url("thread_reply", claim), {"body": "Parts arrive Thursday."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/staff/claims/{claim.pk}#thread")
    event = claim.events.filter(type=EventType.MESSAGE).last()
    assert event.channel == Channel.STAFF and event.customer_visible
    assert event.actor == front_desk
    assert event.data["direction"] == "out" and event.data["body"] == "Parts arrive Thursday."
    conversation = Conversation.objects.get(claim=claim)
    assert not conversation.is_waiting and conversation.unread_count == 0
    assert Message.objects.get(direction=Direction.INBOUND).status == Status.READ


@pytest.mark.parametrize("body, error", [
    ("", "Write a message first."),
    ("   \n  ", "Write a message first."),
    ("x" * 2001, "Keep messages under 2,000 characters"),
])
def test_bad_reply_is_a_400_that_keeps_the_text(desk_client, claim, body, error):
    response = desk_client.post(url("thread_reply", claim), {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert f">\n{body}</textarea>" in html or f">{body}</textarea>" in html
    assert not Message.objects.filter(claim=claim).exists()


def test_reply_by_fetch_answers_the_thread_fragment(desk_client, claim):
    response = desk_client.post(url("thread_reply", claim), {"body": "On it!"}, **FETCH)
    assert response.status_code == 201
    html = response.content.decode()
    assert html.startswith('<div id="thread-live" data-live-region')
    assert "On it!" in html and "<html" not in html


def test_bad_reply_by_fetch_is_a_json_400(desk_client, claim):
    response = desk_client.post(url("thread_reply", claim), {"body": " "}, **FETCH)
    assert response.status_code == 400
    assert response.json() == {"error": "Write a message first."}


def test_mark_read_clears_unread_and_shows_seen_to_the_customer(desk_client, claim):
    message_receive(claim=claim, body="Hello?")
    message_receive(claim=claim, body="Anyone?")
    assert 'data-unread="2"' in page(desk_client, claim)  # opening the page changes nothing
    response = desk_client.post(url("thread_read", claim))
    assert response.status_code == 204
    conversation = Conversation.objects.get(claim=claim)
    assert conversation.unread_count == 0 and conversation.is_waiting
    assert set(Message.objects.values_list("status", flat=True)) == {Status.READ}


def test_thread_actions_want_post(desk_client, claim):
    for name in ("thread_reply", "thread_read", "thread_done", "thread_assign"):
        assert desk_client.get(url(name, claim)).status_code == 405


def test_mark_done_takes_the_thread_out_of_waiting(desk_client, claim):
    message_receive(claim=claim, body="Thanks, all good!")
    response = desk_client.post(url("thread_done", claim))
    assert response["Location"].endswith("#thread")
    conversation = Conversation.objects.get(claim=claim)
    assert conversation.done_at is not None and not conversation.is_waiting
    assert "Marked done" in page(desk_client, claim)


def test_assign_to_a_teammate_of_the_location(desk_client, claim, production):
    message_receive(claim=claim, body="Hi")
    response = desk_client.post(url("thread_assign", claim), {"assignee": production.pk})
    assert response.status_code == 302
    assert Conversation.objects.get(claim=claim).assigned_to == production
    assert f"Assigned to <strong>{production.get_full_name()}</strong>" in page(desk_client, claim)
    desk_client.post(url("thread_assign", claim), {"assignee": ""})
    assert Conversation.objects.get(claim=claim).assigned_to is None


def test_assign_to_someone_of_another_location_is_refused(desk_client, claim, workspace,
                                                          southside):
    message_receive(claim=claim, body="Hi")
    south_prod = make_staff(workspace, Role.PRODUCTION, [southside], email="s@south.test")
    response = desk_client.post(url("thread_assign", claim), {"assignee": south_prod.pk})
    assert response.status_code == 400
    assert "does not work at this location" in response.content.decode()
    assert Conversation.objects.get(claim=claim).assigned_to is None


@pytest.mark.parametrize("value", ["outsider", "999999", "not-a-number"])
def test_assign_to_a_stranger_is_refused(desk_client, claim, outsider, value):
    message_receive(claim=claim, body="Hi")
    assignee = outsider.pk if value == "outsider" else value
    response = desk_client.post(url("thread_assign", claim), {"assignee": assignee})
    assert response.status_code == 400
    assert "Choose a teammate from the list." in response.content.decode()
    assert Conversation.objects.get(claim=claim).assigned_to is None


def test_assign_select_lists_only_teammates_of_the_location(desk_client, claim, workspace,
                                                            southside, owner, production,
                                                            technician, outsider):
    message_receive(claim=claim, body="Hi")
    make_staff(workspace, Role.PRODUCTION, [southside], email="s@south.test", first_name="Sam")
    html = page(desk_client, claim)
    select = html[html.index('name="assignee"'):]
    select = select[:select.index("</select>")]
    assert f'value="{production.pk}"' in select and f'value="{owner.pk}"' in select
    assert "Sam" not in select and f'value="{outsider.pk}"' not in select
    # A technician cannot message customers, so a thread is never theirs to answer.
    assert f'value="{technician.pk}"' not in select
