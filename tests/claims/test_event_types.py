"""One event vocabulary: every type is defined once in claims/event_types.py and every place
that gives a type meaning reads that definition."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claimory.backoffice.timeline import describe
from claimory.claims import event_types
from claimory.claims.customer_view import public_event_data
from claimory.claims.event_types import KINDS, EventKind, StaffText, kind_of
from claimory.claims.events import event_record
from claimory.claims.models import ClaimEvent, EventType
from claimory.messaging.services import (
    conversation_assign,
    conversation_mark_done,
    conversation_mark_read,
    message_customer_seen,
    message_receive,
    message_send,
)
from claimory.portal.page import FRAGMENTS, FRAGMENTS_FOR_EVENT
from claimory.realtime import staff_feed, store

pytestmark = pytest.mark.django_db

STAFF_LIVE_JS = Path(settings.BASE_DIR) / "static/backoffice/live.js"


def test_every_event_type_has_exactly_one_definition():
    assert list(EventType.values) == list(KINDS)
    for value, kind in KINDS.items():
        assert kind.value == value and getattr(EventType, kind.name) == value
        assert EventType(value).label == kind.label


def test_definitions_are_consistent():
    for kind in KINDS.values():
        # Portal sections named by a type exist, and only customer-visible types name any.
        assert set(kind.portal_fragments) <= set(FRAGMENTS), kind.value
        if kind.public is not None:
            assert set(kind.public) <= set(kind.payload), kind.value
        # Staff can read every type, whatever subset of its payload an event carries.
        full = kind.describe({key: "x" for key in kind.payload}, {})
        empty = kind.describe({}, {})
        assert isinstance(full, StaffText) and full.title and empty.title, kind.value


def test_a_definition_that_contradicts_itself_is_refused():
    with pytest.raises(ValueError, match="public keys"):
        EventKind("X", "x", "X", payload=("a",), describe=lambda d, s: StaffText("x"),
                  public=("b",))
    with pytest.raises(ValueError, match="only customer-visible"):
        EventKind("X", "x", "X", payload=(), describe=lambda d, s: StaffText("x"),
                  portal_fragments=("eta",))


def test_event_record_holds_writers_to_the_definition(claim):
    with transaction.atomic():
        with pytest.raises(ValueError, match="carry no secret"):
            event_record(claim=claim, type=EventType.NOTE, data={"body": "x", "secret": 1})
        with pytest.raises(ValueError, match="never customer-visible"):
            event_record(claim=claim, type=EventType.NOTE, data={"body": "x"},
                         customer_visible=True)
        with pytest.raises(ValueError, match="Unknown event type"):
            event_record(claim=claim, type="sms", data={})
    assert not claim.events.filter(type=EventType.NOTE).exists()


# ---- each consumer reads the registry: a new type needs nothing but its entry -------------

@pytest.fixture
def survey(monkeypatch):
    """A future type, defined the one way a new type is: one entry in KINDS."""
    kind = EventKind(
        "SURVEY", "survey", "Survey answered", payload=("score", "comment"),
        describe=lambda data, stages: StaffText(f"Survey: {data.get('score')}/5",
                                                data.get("comment", "")),
        public=("score",), changes_access=True, board_card=True, inbox=True,
        feed_extra=lambda data, actor: {"score": data.get("score")})
    monkeypatch.setitem(KINDS, "survey", kind)
    return kind


def _survey_event(claim, **data) -> ClaimEvent:
    with transaction.atomic():
        return event_record(claim=claim, type="survey", customer_visible=True,
                            data={"score": 4, "comment": "Slow to answer", **data})


def test_customer_projection_reads_the_definition(claim, survey):
    event = _survey_event(claim)
    assert public_event_data(event) == {"score": 4}
    assert b"Slow" not in store._encode(event) and b'"score":4' in store._encode(event)


def test_staff_timeline_reads_the_definition(claim, survey):
    entry = describe(_survey_event(claim), {})
    assert (entry.title, entry.detail) == ("Survey: 4/5", "Slow to answer")


def test_staff_feed_frame_reads_the_definition(claim, survey):
    event = _survey_event(claim)
    row = ClaimEvent.objects.filter(pk=event.pk).values_list(*staff_feed._FIELDS).get()
    location_id, event_id, frame = staff_feed.event_frame(row)
    payload = json.loads(frame.decode().split("data: ", 1)[1])
    assert (location_id, event_id) == (claim.location_id, event.pk)
    assert payload["card"] is True and payload["inbox"] is True and payload["score"] == 4


def test_portal_stream_rereads_access_after_a_type_that_says_so(claim, survey):
    before = claim.event_seq
    event = _survey_event(claim)
    assert store.claims_fetch({claim.pk: before})[claim.pk].access is not None
    # ...and not after one whose definition does not.
    with transaction.atomic():
        event_record(claim=claim, type=EventType.NOTE, data={"body": "x"})
    assert store.claims_fetch({claim.pk: event.seq})[claim.pk].access is None


def test_portal_script_map_is_the_definitions():
    assert FRAGMENTS_FOR_EVENT == {kind.value: kind.portal_fragments for kind in KINDS.values()
                                   if kind.portal_fragments}
    assert FRAGMENTS_FOR_EVENT == event_types.portal_fragments_by_type()


def test_staff_script_keeps_no_list_of_types():
    source = STAFF_LIVE_JS.read_text()
    assert "CARD_TYPES" not in source
    assert "event.card" in source and "event.inbox" in source
    # No Set/array literal of event type names.
    names = "|".join(re.escape(value) for value in KINDS)
    assert not re.search(rf'\[\s*"({names})"\s*,', source)


# ---- conversation state is a staff-only event -----------------------------------------------

def test_conversation_changes_are_staff_only_events(claim, front_desk, owner):
    message_receive(claim=claim, body="Is it ready?")
    assert conversation_mark_read(claim=claim, actor=front_desk)
    assert not conversation_mark_read(claim=claim, actor=front_desk)  # nothing new: no event
    conversation_assign(claim=claim, assignee=owner, actor=front_desk)
    conversation_assign(claim=claim, assignee=owner, actor=front_desk)  # no change
    conversation_assign(claim=claim, assignee=None, actor=front_desk)
    conversation_mark_done(claim=claim, actor=front_desk)
    reply = message_send(claim=claim, body="Friday", actor=front_desk)
    message_customer_seen(claim=claim, up_to_message_id=reply.pk)
    events = list(claim.events.filter(type=EventType.CONVERSATION).order_by("seq"))
    assert [e.data["action"] for e in events] == ["read", "assigned", "assigned", "done", "seen"]
    assert events[1].data["assignee_id"] == owner.pk and events[0].actor == front_desk
    for event in events:
        assert not event.customer_visible
        assert public_event_data(event) is None and store._encode(event) is None
    assert [describe(e, {}).title for e in events] == [
        "Messages read", "Thread assigned to Olivia Staff", "Thread unassigned",
        "Thread marked done", "Customer saw the shop's messages"]
    assert all(describe(e, {}).internal for e in events)


def test_conversation_events_never_reach_the_portal_stream(claim, front_desk):
    message_receive(claim=claim, body="Hello")
    before = claim.events.order_by("-seq").first().seq
    conversation_mark_read(claim=claim, actor=front_desk)
    fetched = store.claims_fetch({claim.pk: before})[claim.pk]
    assert fetched.last_seq == before + 1  # the cursor moves past it...
    assert [frame for _seq, frame in fetched.frames] == [None]  # ...but nothing is sent


def test_unknown_stored_type_still_reads(claim):
    event = ClaimEvent(claim=claim, seq=99, type="fax", data={}, created_at=timezone.now())
    assert kind_of("fax") is None and public_event_data(event) is None
    assert describe(event, {}).title == "fax"


def test_api_schema_names_every_type():
    from claimory.api.schemas import EventOut

    description = EventOut.model_json_schema()["properties"]["type"]["description"]
    assert description.split(", ") == list(KINDS)
