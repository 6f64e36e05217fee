"""The Telnyx adapter against the fake Telnyx: what it sends, and how each answer lands on
the delivery row (sent, retried, failed, opted out)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claimory.core import durable
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send
from claimory.sms.consent import consent_latest, may_text
from claimory.sms.models import Consent, ConsentMethod
from claimory.sms.providers import OutgoingText, SendError, sms_provider
from claimory.sms.telnyx import TelnyxClient, TelnyxError, TelnyxProvider
from tests.server_process import free_port


@pytest.fixture
def texting(location):
    location.sms_number = "+15125550199"
    location.messaging_profile_id = "40017a2b-profile-northside"
    location.save(update_fields=["sms_number", "messaging_profile_id"])
    return location


def _send(claim, actor, body, capture):
    with capture(execute=True):
        message = message_send(claim=claim, body=body, actor=actor)
    return Delivery.objects.get(message=message)


def _run_retries() -> None:
    """Make every backed-off row due now and run it (the worker would, after the wait)."""
    Delivery.objects.update(due_at=None)
    durable.run_due()


def _text(key: str = "11111111-2222-3333-4444-555555555555", to: str = "+15125550142"):
    return OutgoingText(sender="+15125550199", to=to, text="Hello", idempotency_key=key)


def test_the_provider_is_telnyx_when_a_key_is_set(fake_telnyx):
    provider = sms_provider()
    assert isinstance(provider, TelnyxProvider) and provider.name == "telnyx"
    assert provider.client.base == fake_telnyx.base_url


def test_staff_reply_goes_out_through_telnyx_and_records_its_id(
        fake_telnyx, texting, claim, front_desk, django_capture_on_commit_callbacks):
    delivery = _send(claim, front_desk, "Your car is ready.", django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.SENT
    [sent] = fake_telnyx.messages
    assert delivery.provider_id == sent.id
    assert sent.idempotency_key == str(delivery.idempotency_key)
    assert sent.body["from"] == "+15125550199" and sent.body["to"] == claim.customer.phone
    assert sent.body["text"].startswith("Northside Collision: Your car is ready.")
    assert sent.body["messaging_profile_id"] == "40017a2b-profile-northside"
    assert sent.body["webhook_url"].endswith("/webhooks/telnyx")
    assert "media_urls" not in sent.body


def test_a_repeated_idempotency_key_never_sends_twice(fake_telnyx):
    provider = TelnyxProvider.from_settings()
    first = provider.send(_text())
    again = provider.send(_text())
    assert first.provider_id == again.provider_id
    assert len(fake_telnyx.messages) == 1 and len(fake_telnyx.attempts) == 2


def test_media_urls_are_sent_when_there_are_some(fake_telnyx):
    text = OutgoingText(sender="+15125550199", to="+15125550142", text="Photo",
                        idempotency_key="k-media", media_urls=("https://x.test/a.jpg",))
    TelnyxProvider.from_settings().send(text)
    assert fake_telnyx.messages[0].body["media_urls"] == ["https://x.test/a.jpg"]


def test_500_then_success_sends_exactly_once(fake_telnyx, texting, claim, front_desk,
                                             django_capture_on_commit_callbacks):
    fake_telnyx.fail_next(1, status=500)
    delivery = _send(claim, front_desk, "Ready Friday.", django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.QUEUED and delivery.due_at > timezone.now()
    assert "Internal error" in delivery.last_error and fake_telnyx.messages == []
    _run_retries()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 2
    assert len(fake_telnyx.attempts) == 2
    [sent] = fake_telnyx.messages
    assert delivery.provider_id == sent.id


def test_429_waits_as_long_as_telnyx_asks(fake_telnyx, texting, claim, front_desk,
                                          django_capture_on_commit_callbacks):
    fake_telnyx.fail_next(1, status=429, retry_after=40)
    before = timezone.now()
    delivery = _send(claim, front_desk, "Hi", django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.QUEUED
    assert delivery.due_at >= before + dt.timedelta(seconds=39)
    _run_retries()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(fake_telnyx.messages) == 1


def test_40300_fails_the_delivery_and_opts_the_number_out(
        fake_telnyx, texting, claim, front_desk, django_capture_on_commit_callbacks):
    fake_telnyx.opted_out.add(claim.customer.phone)
    delivery = _send(claim, front_desk, "Hello?", django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.FAILED and delivery.error_code == "40300"
    latest = consent_latest(texting, claim.customer.phone)
    assert latest.status == Consent.OPTED_OUT and latest.method == ConsentMethod.CARRIER
    assert may_text(claim)[0] is False
    assert claim.events.filter(type="delivery", data__state="failed").exists()
    assert fake_telnyx.messages == []


def test_other_4xx_fails_for_good_with_telnyx_reason(fake_telnyx):
    text = OutgoingText(sender="", to="+15125550142", text="x", idempotency_key="k-bad")
    with pytest.raises(SendError) as caught:
        TelnyxProvider.from_settings().send(text)
    assert not caught.value.retryable and not caught.value.opted_out
    assert caught.value.code == "10002" and "Invalid parameter" in caught.value.detail


def test_a_wrong_key_is_not_retried(fake_telnyx, settings):
    settings.TELNYX_API_KEY = "KEY_wrong"
    with pytest.raises(SendError) as caught:
        TelnyxProvider.from_settings().send(_text())
    assert not caught.value.retryable and caught.value.code == "10009"


def test_network_errors_are_retryable(settings):
    settings.TELNYX_API_KEY = "KEY_x"
    settings.TELNYX_API_BASE = f"http://127.0.0.1:{free_port()}"  # nobody listens
    with pytest.raises(SendError) as caught:
        TelnyxProvider.from_settings().send(_text())
    assert caught.value.retryable and caught.value.retry_after is None


def test_number_search_sends_telnyx_filters(fake_telnyx):
    numbers = TelnyxClient.from_settings().available_numbers(area_code="737", limit=3)
    assert [n.phone_number for n in numbers] == ["+17375550001", "+17375550002",
                                                 "+17375550003"]
    assert numbers[0].locality == "Austin" and "sms" in numbers[0].features
    [query] = fake_telnyx.searches
    assert query["filter[national_destination_code]"] == ["737"]
    assert query["filter[country_code]"] == ["US"] and query["filter[features][]"] == ["sms"]
    assert query["filter[limit]"] == ["3"]
    TelnyxClient.from_settings().available_numbers(locality="Round Rock", region="TX")
    assert fake_telnyx.searches[1]["filter[locality]"] == ["Round Rock"]
    assert fake_telnyx.searches[1]["filter[administrative_area]"] == ["TX"]


def test_number_order_is_pending_then_success(fake_telnyx):
    client = TelnyxClient.from_settings()
    order = client.number_order_create("+17375550001", "profile-1")
    assert order.status == "pending" and order.phone_number == "+17375550001"
    assert fake_telnyx.orders[order.id].messaging_profile_id == "profile-1"
    assert client.number_order_get(order.id).status == "pending"
    assert client.number_order_get(order.id).status == "success"
    with pytest.raises(TelnyxError) as caught:
        client.number_order_get("no-such-order")
    assert not caught.value.retryable
