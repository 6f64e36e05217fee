"""The inbox: threads waiting for the shop, oldest first, with tabs, actions and the nav badge."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from claimory.messaging.models import Conversation
from claimory.messaging.services import conversation_assign, message_receive, message_send
from tests.factories import make_claim

INBOX = reverse("backoffice:inbox")


def waiting(claim, body, minutes_ago):
    message_receive(claim=claim, body=body)
    Conversation.objects.filter(claim=claim).update(
        waiting_since=timezone.now() - dt.timedelta(minutes=minutes_ago))


def names(response) -> list[str]:
    return re.findall(r'class="thread-row__open">([^<]+)</a>', response.content.decode())


def badge(response) -> str:
    html = response.content.decode()
    return re.search(r'id="inbox-badge"[^>]*data-waiting="(\d+)"', html).group(1)


def test_waiting_threads_oldest_first_with_preview_and_unread(desk_client, location):
    recent = make_claim(location, name="Recent Rita")
    old = make_claim(location, name="Old Oscar", ro_number="RO-OLD")
    waiting(recent, "Is it ready?", 5)
    waiting(old, "Hello?", 120)
    message_receive(claim=old, body="Hello again, any update on the bumper?")
    response = desk_client.get(INBOX)
    assert names(response) == ["Old Oscar", "Recent Rita"]
    html = response.content.decode()
    assert "2 unread" in html and "1 unread" in html
    assert "Hello again, any update on the bumper?" in html
    assert "RO-OLD" in html and "Waiting 2\xa0hours" in html


def test_answered_threads_leave_waiting_but_stay_in_all(desk_client, claim, front_desk):
    waiting(claim, "Hi", 10)
    message_send(claim=claim, body="Hello!", actor=front_desk)
    assert names(desk_client.get(INBOX)) == []
    response = desk_client.get(INBOX, {"tab": "all"})
    assert names(response) == ["Maria Lopez"]
    assert "You:</span> Hello!" in response.content.decode()


def test_mine_tab_lists_threads_assigned_to_me(desk_client, location, front_desk, production):
    mine = make_claim(location, name="Mine Mona")
    theirs = make_claim(location, name="Theirs Theo")
    waiting(mine, "a", 3)
    waiting(theirs, "b", 4)
    conversation_assign(claim=mine, assignee=front_desk)
    conversation_assign(claim=theirs, assignee=production)
    assert names(desk_client.get(INBOX, {"tab": "mine"})) == ["Mine Mona"]


def test_unknown_tab_falls_back_to_waiting(desk_client, claim):
    waiting(claim, "Hi", 1)
    response = desk_client.get(INBOX, {"tab": "<script>"})
    assert response.status_code == 200 and names(response) == ["Maria Lopez"]


def test_empty_inbox_says_nobody_is_waiting(desk_client, claim):
    html = desk_client.get(INBOX).content.decode()
    assert "Nobody is waiting" in html
    assert "Nothing assigned to you" in desk_client.get(INBOX, {"tab": "mine"}).content.decode()


def test_inbox_shows_only_our_locations(desk_client, claim, south_claim, other_claim):
    for each in (claim, south_claim, other_claim):
        waiting(each, "Hi", 1)
    assert names(desk_client.get(INBOX)) == ["Maria Lopez"]


def test_mark_done_from_the_inbox_returns_to_the_tab(desk_client, claim):
    waiting(claim, "Thanks!", 3)
    response = desk_client.post(reverse("backoffice:thread_done", args=[claim.pk]),
                                {"back": "inbox", "tab": "all"})
    assert response["Location"] == f"{INBOX}?tab=all"
    after = desk_client.get(INBOX)
    assert names(after) == []
    assert "Thread with Maria Lopez marked done." in after.content.decode()


def test_assign_from_the_inbox(desk_client, claim, production):
    waiting(claim, "Hi", 3)
    response = desk_client.post(reverse("backoffice:thread_assign", args=[claim.pk]),
                                {"assignee": production.pk, "back": "inbox", "tab": "waiting"})
    assert response["Location"] == f"{INBOX}?tab=waiting"
    html = desk_client.get(INBOX).content.decode()
    assert f"Assigned to <strong>{production.get_full_name()}</strong>" in html


def test_assign_error_from_the_inbox_is_shown_on_the_row(desk_client, claim, outsider):
    waiting(claim, "Hi", 3)
    response = desk_client.post(reverse("backoffice:thread_assign", args=[claim.pk]),
                                {"assignee": outsider.pk, "back": "inbox", "tab": "waiting"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a teammate from the list." in html and 'class="thread-row' in html


def test_nav_badge_counts_waiting_threads_on_every_page(desk_client, location):
    assert badge(desk_client.get(reverse("backoffice:claims"))) == "0"
    for i in range(3):
        waiting(make_claim(location, name=f"Customer {i}"), "Hi", i)
    assert badge(desk_client.get(reverse("backoffice:board"))) == "3"
    fragment = desk_client.get(reverse("backoffice:inbox_badge")).content.decode()
    assert fragment.startswith('<span class="nav-badge" id="inbox-badge" data-live-region')
    assert "3 threads waiting, 3 unread messages" in fragment


def test_list_fragment_is_the_list_alone(desk_client, claim):
    waiting(claim, "Hi", 1)
    html = desk_client.get(INBOX, {"fragment": "list"}).content.decode()
    assert html.startswith('<div id="inbox-list" data-live-region>')
    assert "Maria Lopez" in html and "<html" not in html


def test_inbox_query_count_does_not_grow_with_threads(desk_client, location,
                                                     django_assert_num_queries):
    waiting(make_claim(location, name="First"), "Hi", 3)
    desk_client.get(INBOX)
    # session, user; membership per scoped read (access, locations, count, rows, badge);
    # locations; page count, rows; teammates and their locations; badge counts; unmatched texts;
    # mail to place and kept-out mail
    with django_assert_num_queries(13):  # + the location picker
        desk_client.get(INBOX)
    for i in range(6):
        waiting(make_claim(location, name=f"More {i}"), "Hi", i)
    with django_assert_num_queries(13):  # + the location picker
        desk_client.get(INBOX)
