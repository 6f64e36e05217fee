"""The message thread on the portal: order, sides, names, times, states, paging, allow-list."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from claimory.claims.events import event_record
from claimory.claims.models import EventType
from claimory.messaging.models import Message, Status
from claimory.messaging.services import message_receive, message_send
from claimory.portal import thread as thread_module
from claimory.portal.page import FRAGMENTS_FOR_EVENT, render_fragment

pytestmark = pytest.mark.django_db


def thread_html(client, portal_path, **params):
    response = client.get(f"{portal_path}/fragments/thread", params)
    assert response.status_code == 200
    return response.content.decode()


def bubbles(html):
    return re.findall(r'<li class="bubble (bubble-mine|bubble-shop)" data-id="(\d+)">(.*?)</li>',
                      html, re.S)


def test_empty_thread_invites_a_question(client, portal_path):
    html = thread_html(client, portal_path)
    assert "No messages yet — ask us anything about your repair." in html
    assert 'data-newest-shop="0"' in html


def test_thread_shows_both_sides_in_order_newest_last(client, claim, front_desk, portal_path):
    first = message_receive(claim=claim, body="Is it ready?")
    second = message_send(claim=claim, body="Tomorrow at noon.", actor=front_desk)
    third = message_receive(claim=claim, body="Thanks!")
    found = bubbles(thread_html(client, portal_path))
    assert [(side, int(pk)) for side, pk, _ in found] == [
        ("bubble-mine", first.pk), ("bubble-shop", second.pk), ("bubble-mine", third.pk)]
    assert "Tomorrow at noon." in found[1][2] and "Is it ready?" in found[0][2]


def test_staff_sign_with_first_name_and_api_messages_with_the_shop_name(client, claim,
                                                                       front_desk, portal_path):
    message_send(claim=claim, body="From Frank", actor=front_desk)
    message_send(claim=claim, body="From the API", actor_label="API key clm_abc")
    found = bubbles(thread_html(client, portal_path))
    assert '<span class="bubble-who">Frank</span>' in found[0][2]
    assert '<span class="bubble-who">Northside Collision</span>' in found[1][2]
    html = thread_html(client, portal_path)
    assert "Staff" not in html and "desk@northside.test" not in html and "clm_abc" not in html


def test_customer_sees_delivery_state_of_their_newest_message_only(client, claim, portal_path):
    older = message_receive(claim=claim, body="One")
    newest = message_receive(claim=claim, body="Two")
    found = dict((int(pk), body) for _side, pk, body in bubbles(thread_html(client, portal_path)))
    assert "bubble-status" not in found[older.pk]
    assert '<p class="bubble-status status-sent">Sent</p>' in found[newest.pk]
    Message.objects.filter(pk=newest.pk).update(status=Status.READ)
    assert "Seen by the shop" in thread_html(client, portal_path)


def test_failed_message_says_so_wherever_it_is(client, claim, portal_path):
    failed = message_receive(claim=claim, body="One")
    message_receive(claim=claim, body="Two")
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    assert "Not delivered" in thread_html(client, portal_path)


def test_times_are_in_the_shops_time_zone(client, claim, portal_path):
    message = message_receive(claim=claim, body="Old question")
    at = dt.datetime(2024, 5, 16, 19, 14, tzinfo=dt.UTC)  # 2:14 PM in Austin (CDT)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    html = thread_html(client, portal_path)
    assert 'datetime="2024-05-16T14:14:00-05:00">May 16, 2024, 2:14 PM</time>' in html


def test_todays_messages_show_only_the_clock(client, claim, portal_path):
    message = message_receive(claim=claim, body="Now")
    local = timezone.localtime(message.created_at, ZoneInfo("America/Chicago"))
    assert f">{dateformat.format(local, 'g:i A')}</time>" in thread_html(client, portal_path)


def test_spanish_thread(client, claim, front_desk, portal_path):
    message_receive(claim=claim, body="Hola")
    html = thread_html(client, portal_path, lang="es")
    assert ">Usted</span>" in html and "Enviado" in html
    assert "Conversación con el taller" in html


def test_links_in_messages_are_safe_and_clickable(client, claim, front_desk, portal_path):
    message_send(claim=claim, actor=front_desk,
                 body="Track it: https://ups.example/t?a=1&b=2. Or javascript:alert(1)")
    html = thread_html(client, portal_path)
    assert ('<a href="https://ups.example/t?a=1&amp;b=2" rel="noopener noreferrer nofollow ugc" '
            'target="_blank">https://ups.example/t?a=1&amp;b=2') in html
    assert "</a>. Or javascript:alert(1)" in html
    assert 'href="javascript' not in html


def test_internal_messages_never_reach_the_portal(client, claim, front_desk, portal_path):
    visible = message_send(claim=claim, body="Visible reply", actor=front_desk)
    hidden = Message.objects.create(claim=claim, direction="out", body="Adjuster is stalling",
                                    status=Status.SENT)
    hidden.event = event_record(claim=claim, type=EventType.MESSAGE, customer_visible=False,
                                data={"message_id": hidden.pk, "body": hidden.body})
    hidden.save()
    html = thread_html(client, portal_path)
    assert "Visible reply" in html and "Adjuster is stalling" not in html
    assert f'data-newest-shop="{visible.pk}"' in html


def test_long_threads_show_the_newest_page_with_a_link_to_the_rest(client, claim, portal_path,
                                                                  monkeypatch):
    monkeypatch.setattr(thread_module, "PAGE_SIZE", 3)
    sent = [message_receive(claim=claim, body=f"Message {n}") for n in range(5)]
    found = bubbles(thread_html(client, portal_path))
    assert [int(pk) for _s, pk, _b in found] == [m.pk for m in sent[2:]]
    page = client.get(portal_path).content.decode()
    assert f'href="{portal_path}?thread=all#messages">Show earlier messages' in page
    everything = bubbles(thread_html(client, portal_path, thread="all"))
    assert len(everything) == 5
    full_page = client.get(portal_path, {"thread": "all"}).content.decode()
    assert "Show earlier messages" not in full_page


def test_thread_fragment_is_in_the_full_page_verbatim(client, claim, front_desk, portal_path):
    message_receive(claim=claim, body="Question")
    message_send(claim=claim, body="Answer https://example.com", actor=front_desk)
    page = client.get(portal_path).content.decode()
    fragment = thread_html(client, portal_path).strip()
    assert fragment in page


def test_message_events_refresh_the_thread_fragment():
    assert FRAGMENTS_FOR_EVENT["message"] == ("thread",)


def test_render_fragment_without_a_request(rf, claim, front_desk):
    message_send(claim=claim, body="Hi Maria", actor=front_desk)
    assert "Hi Maria" in render_fragment(None, claim, "thread")


def test_other_fragments_do_not_query_messages(client, claim, portal_path):
    message_receive(claim=claim, body="Question")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{portal_path}/fragments/eta")
    assert queries.captured_queries
    assert not any("messaging_message" in q["sql"] for q in queries.captured_queries)


def test_thread_fragment_query_count_is_pinned(client, claim, front_desk, portal_path,
                                               django_assert_max_num_queries):
    for n in range(10):
        message_receive(claim=claim, body=f"Q{n}")
        message_send(claim=claim, body=f"A{n}", actor=front_desk)
    # 4, plus the client's miss count (core/rate_window.py).
    with django_assert_max_num_queries(5):
        client.get(f"{portal_path}/fragments/thread")
