"""A customer email whose customer, shop or car has a line break in its name still goes out
with clean headers (review of issue 11)."""

from __future__ import annotations

import pytest

from claimory.claims.models import Channel, Customer
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send
from claimory.shops.models import Location
from tests.factories import make_claim
from tests.mail.smtp_sink import (  # noqa: F401 - the fixtures smtp_sink, transport
    make_mailbox,
    smtp_sink_fixture,
    transport_fixture,
)

pytestmark = pytest.mark.django_db


def test_hostile_names_in_a_customer_email(location, front_desk, smtp_sink,
                                           django_capture_on_commit_callbacks):
    Location.objects.filter(pk=location.pk).update(name="Northside\r\nBcc: x@attacker.test")
    location.refresh_from_db()
    make_mailbox(location)
    claim = make_claim(location, actor=front_desk, name="Maria\nX-Evil: 1")
    Customer.objects.filter(pk=claim.customer_id).update(email_opt_in=True, sms_opt_in=False)
    claim.customer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(claim=claim, body="Your car is ready.", actor=front_desk)
    delivery = Delivery.objects.get(message=message, channel=Channel.EMAIL)
    assert delivery.state == DeliveryState.SENT, delivery.error_detail
    [wire] = smtp_sink.messages()
    assert "Bcc" not in wire and "X-Evil" not in wire
    [(_from, envelope_to, _raw)] = smtp_sink.received
    assert envelope_to == [claim.customer.email]
