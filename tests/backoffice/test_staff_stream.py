"""The staff event stream (/staff/events), driven through Django's async test client.

These tests commit for real (the feed reads outside the test's transaction). The feed's reads
run in the same thread as the test's own writes: SQLite's shared-cache test database locks
whole tables, so a second connection reading mid-write would fail at random.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client
from django.urls import reverse
from django.utils import timezone

from claimory.claims.event_types import PREVIEW_CHARS
from claimory.claims.models import ClaimEvent
from claimory.claims.services import claim_note_add, claim_stage_set
from claimory.messaging.services import (
    conversation_assign,
    conversation_mark_done,
    conversation_mark_read,
    message_customer_seen,
    message_receive,
    message_send,
)
from claimory.realtime import staff_feed

pytestmark = pytest.mark.django_db(transaction=True)
EVENTS = reverse("backoffice:events")


@pytest.fixture(autouse=True)
async def fresh_feed(monkeypatch):
    """Each test's event loop gets its own feed, stopped afterwards."""

    async def same_thread_as_the_test(self, fn):
        return await sync_to_async(fn)()

    monkeypatch.setattr(staff_feed.StaffFeed, "_db", same_thread_as_the_test)
    yield
    feed = staff_feed._feed
    if feed is not None and feed.loop is asyncio.get_running_loop():
        await feed.stop()
    staff_feed._feed = None


async def open_stream(user, **headers):
    client = AsyncClient()
    await client.aforce_login(user)
    response = await client.get(EVENTS, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    return response, aiter(response.streaming_content)


async def read_until(chunks, done, timeout: float = 5.0) -> str:
    text = ""
    async with asyncio.timeout(timeout):
        while not done(text):
            text += (await anext(chunks)).decode()
    return text


async def hang_up(response, chunks) -> None:
    """What Django's ASGI handler does when the browser leaves: cancel the pending read."""
    pending = asyncio.ensure_future(anext(chunks))
    await asyncio.sleep(0.02)
    pending.cancel()
    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
        await pending


def payloads(text: str) -> list[dict]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def test_anonymous_gets_401_not_a_stream(client):
    response = client.get(EVENTS)
    assert response.status_code == 401
    assert not response.streaming
    assert response["Content-Type"].startswith("text/plain")


def test_a_user_without_a_shop_gets_403():
    user = get_user_model().objects.create_user("drifter", "drifter@example.test", "pw")
    client = Client()
    client.force_login(user)
    assert client.get(EVENTS).status_code == 403


def test_under_wsgi_the_stream_is_refused_instead_of_buffered(desk_client):
    response = desk_client.get(EVENTS)
    assert response.status_code == 503 and not response.streaming


@pytest.mark.parametrize("value", ["abc", "-1", "1" * 20, "١٢"])
def test_malformed_last_event_id_is_400(desk_client, value):
    assert desk_client.get(EVENTS, headers={"Last-Event-ID": value}).status_code == 400
    assert desk_client.get(EVENTS, {"since": value}).status_code == 400


async def test_delivers_our_events_and_never_another_shops(front_desk, claim, other_claim,
                                                          outsider, south_claim, owner):
    response, chunks = await open_stream(front_desk)
    assert (await anext(chunks)).startswith(b"retry: ")
    await sync_to_async(claim_stage_set)(claim=other_claim, stage="teardown", actor=outsider)
    await sync_to_async(claim_stage_set)(claim=south_claim, stage="teardown", actor=owner)
    await sync_to_async(claim_note_add)(claim=claim, body="Check the bumper", actor=front_desk)
    text = await read_until(chunks, lambda t: '"type":"note"' in t)
    events = payloads(text)
    assert {e["claim"] for e in events} == {claim.pk}
    note = events[-1]
    # Staff see internal entries too; the frame id is the ClaimEvent id.
    assert note["type"] == "note" and note["location"] == claim.location_id
    assert f"id: {note['id']}\n" in text
    assert await sync_to_async(ClaimEvent.objects.get)(pk=note["id"], claim=claim)
    await hang_up(response, chunks)


async def test_customer_message_carries_sender_and_preview(front_desk, claim):
    response, chunks = await open_stream(front_desk)
    await anext(chunks)
    await sync_to_async(message_receive)(claim=claim, body="Is my car ready? " + "x" * 300)
    text = await read_until(chunks, lambda t: '"type":"message"' in t)
    message = next(e for e in payloads(text) if e.get("type") == "message")
    assert message["direction"] == "in" and message["sender"] == "Maria Lopez"
    assert message["preview"].startswith("Is my car ready?")
    assert len(message["preview"]) == PREVIEW_CHARS
    # What the page does with it comes from the type's definition, not a list in live.js.
    assert message["inbox"] is True and message["card"] is False
    await hang_up(response, chunks)


async def test_inbox_changes_arrive_as_staff_only_events_and_replay(front_desk, owner, claim):
    await sync_to_async(message_receive)(claim=claim, body="Hello?")
    response, chunks = await open_stream(front_desk)
    await anext(chunks)
    await sync_to_async(conversation_mark_read)(claim=claim, actor=front_desk)
    await sync_to_async(conversation_assign)(claim=claim, assignee=owner, actor=front_desk)
    await sync_to_async(conversation_mark_done)(claim=claim, actor=front_desk)
    text = await read_until(chunks, lambda t: '"action":"done"' in t)
    changes = [e for e in payloads(text) if e["type"] == "conversation"]
    assert [e["action"] for e in changes] == ["read", "assigned", "done"]
    assert all(e["inbox"] and not e["card"] and e["claim"] == claim.pk for e in changes)
    assert all(f"id: {e['id']}\n" in text for e in changes)
    await hang_up(response, chunks)
    # They are rows of the one table, so a page that was away gets them replayed.
    response, chunks = await open_stream(front_desk,
                                         headers={"Last-Event-ID": str(changes[0]["id"] - 1)})
    replayed = [e["action"] for e in payloads((await anext(chunks)).decode())
                if e["type"] == "conversation"]
    assert replayed == ["read", "assigned", "done"]
    await hang_up(response, chunks)


async def test_the_customer_seeing_replies_reaches_staff_pages(front_desk, claim):
    reply = await sync_to_async(message_send)(claim=claim, body="Ready Friday", actor=front_desk)
    response, chunks = await open_stream(front_desk)
    await anext(chunks)
    await sync_to_async(message_customer_seen)(claim=claim, up_to_message_id=reply.pk)
    text = await read_until(chunks, lambda t: '"action":"seen"' in t)
    seen = next(e for e in payloads(text) if e.get("action") == "seen")
    assert seen["type"] == "conversation" and seen["channel"] == "portal"
    await hang_up(response, chunks)


async def test_last_event_id_replays_what_was_missed_in_order(front_desk, claim, outsider,
                                                              other_claim):
    await sync_to_async(claim_note_add)(claim=claim, body="seen", actor=front_desk)
    seen = await sync_to_async(ClaimEvent.objects.latest)("id")
    for stage in ("estimate", "teardown"):
        await sync_to_async(claim_stage_set)(claim=claim, stage=stage, actor=front_desk)
        await sync_to_async(claim_stage_set)(claim=other_claim, stage=stage, actor=outsider)
    missed = await sync_to_async(list)(
        ClaimEvent.objects.filter(claim=claim, id__gt=seen.pk).order_by("id")
        .values_list("id", flat=True))
    response, chunks = await open_stream(front_desk, headers={"Last-Event-ID": str(seen.pk)})
    first = (await anext(chunks)).decode()
    assert first.startswith("retry: ")
    assert [int(i) for i in re.findall(r"^id: (\d+)$", first, re.M)] == missed
    assert all(e["claim"] == claim.pk for e in payloads(first))
    # Live events after the replay come once, not again.
    await sync_to_async(claim_note_add)(claim=claim, body="after", actor=front_desk)
    text = await read_until(chunks, lambda t: '"type":"note"' in t)
    after = await sync_to_async(ClaimEvent.objects.latest)("id")
    assert [int(i) for i in re.findall(r"^id: (\d+)$", text, re.M)] == [after.pk]
    await hang_up(response, chunks)


async def test_since_replays_events_newer_than_the_page(front_desk, claim):
    await asyncio.sleep(0.01)  # the claim's own "created" event is older than the page
    before = int(timezone.now().timestamp() * 1000)
    await sync_to_async(claim_stage_set)(claim=claim, stage="estimate", actor=front_desk)
    response, chunks = await open_stream(front_desk, QUERY_STRING=f"since={before}")
    first = (await anext(chunks)).decode()
    assert [e["type"] for e in payloads(first)] == ["stage"]
    await hang_up(response, chunks)


async def test_leaving_unsubscribes_the_stream(front_desk, claim):
    response, chunks = await open_stream(front_desk)
    await anext(chunks)
    feed = staff_feed._feed
    assert len(feed.subscribers) == 1
    await hang_up(response, chunks)
    assert feed.subscribers == set()


async def test_quiet_stream_sends_heartbeats(claim):
    chunks = staff_feed.stream([claim.location_id], after=None, since=None, heartbeat=0.05)
    assert await anext(chunks) == staff_feed.RETRY
    assert await anext(chunks) == staff_feed.HEARTBEAT
    await chunks.aclose()


async def test_stream_ends_after_its_time_so_access_is_checked_again(claim):
    chunks = staff_feed.stream([claim.location_id], after=None, since=None, max_seconds=0.05)
    assert [chunk async for chunk in chunks] == [staff_feed.RETRY]
    assert staff_feed._feed.subscribers == set()


def test_poll_catches_events_that_commit_below_the_high_water_mark(claim, front_desk):
    reader = staff_feed.Reader()
    reader.prime()
    claim_note_add(claim=claim, body="one", actor=front_desk)
    claim_note_add(claim=claim, body="two", actor=front_desk)
    first, second = ClaimEvent.objects.order_by("-id")[:2][::-1]
    # As if a later id had been read before these two committed (PostgreSQL id order).
    reader.high = second.pk
    delivered = [event_id for _loc, event_id, _frame in reader.read()]
    assert delivered == [first.pk, second.pk]
    assert reader.read() == []


async def test_a_change_in_this_process_wakes_the_feed_without_waiting_for_the_poll(
        settings, front_desk, claim):
    settings.REALTIME_POLL_MS = 60_000
    response, chunks = await open_stream(front_desk)
    await anext(chunks)
    await sync_to_async(claim_stage_set)(claim=claim, stage="estimate", actor=front_desk)
    text = await read_until(chunks, lambda t: '"type":"stage"' in t, timeout=3)
    assert '"stage":"estimate"' in text
    await hang_up(response, chunks)
