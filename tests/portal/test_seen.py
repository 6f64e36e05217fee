"""POST /c/<token>/seen: the portal reports the shop's replies as seen once on screen."""

import json

import pytest

from claimory.messaging.models import Message, Status
from claimory.messaging.services import message_receive, message_send
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def seen(client, path, message_id, **headers):
    return client.post(f"{path}/seen", json.dumps({"message_id": message_id}),
                       content_type="application/json", **headers)


def test_shop_messages_up_to_the_id_become_seen(client, claim, front_desk, portal_path):
    first = message_send(claim=claim, body="One", actor=front_desk)
    second = message_send(claim=claim, body="Two", actor=front_desk)
    later = message_send(claim=claim, body="Three", actor=front_desk)
    response = seen(client, portal_path, second.pk)
    assert response.status_code == 200 and response.json() == {"seen": 2}
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == Status.READ
    assert statuses[later.pk] == Status.SENT


def test_form_field_works_too(client, claim, front_desk, portal_path):
    message = message_send(claim=claim, body="One", actor=front_desk)
    assert client.post(f"{portal_path}/seen", {"message_id": str(message.pk)}).json() == {"seen": 1}


def test_customer_messages_and_other_claims_are_untouched(client, claim, location, front_desk,
                                                          portal_path):
    mine = message_receive(claim=claim, body="Mine")
    other = make_claim(location, actor=front_desk, name="Lee Chen")
    theirs = message_send(claim=other, body="Not yours", actor=front_desk)
    assert seen(client, portal_path, theirs.pk).json() == {"seen": 0}
    assert Message.objects.get(pk=theirs.pk).status == Status.SENT
    assert Message.objects.get(pk=mine.pk).status == Status.RECEIVED


@pytest.mark.parametrize("bad", ["", "abc", -1, 0, 10**30, None, [1]])
def test_bad_ids_are_a_400(client, portal_path, bad):
    assert seen(client, portal_path, bad).status_code == 400


def test_malformed_body_is_a_400(client, portal_path):
    response = client.post(f"{portal_path}/seen", "{nope", content_type="application/json")
    assert response.status_code == 400


def test_get_has_no_side_effects(client, claim, front_desk, portal_path):
    message = message_send(claim=claim, body="One", actor=front_desk)
    assert client.get(f"{portal_path}/seen", {"message_id": message.pk}).status_code == 405
    assert Message.objects.get(pk=message.pk).status == Status.SENT


def test_other_site_is_refused_and_unknown_token_is_404(client, claim, front_desk, portal_path):
    message = message_send(claim=claim, body="One", actor=front_desk)
    foreign = seen(client, portal_path, message.pk, HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403
    assert seen(client, "/c/AAAAAAAAAAAAAAAAAAAAAA", message.pk).status_code == 404
    assert Message.objects.get(pk=message.pk).status == Status.SENT
