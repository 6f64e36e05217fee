"""The SMS simulator's staff side: the simulated phone on the claim page and on its own page,
and "reply as the customer" storing the same event a Telnyx webhook would."""

from __future__ import annotations

import json

from django.urls import reverse

from claimory.messaging.services import message_send
from claimory.sms.models import ProviderEvent


def _claim_page(client, claim) -> str:
    return client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()


def _reply(client, claim, text="Is it ready?", **extra):
    data = {"location": claim.location.slug, "phone": claim.customer.phone, "text": text,
            "next": reverse("backoffice:claim", args=[claim.pk]) + "#sim-phone", **extra}
    return client.post(reverse("backoffice:simulator_reply"), data)


def test_the_claim_page_shows_the_customers_simulated_phone(
        desk_client, texting, claim, front_desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message_send(claim=claim, body="Your car is ready at 3 pm.", actor=front_desk)
    html = _claim_page(desk_client, claim)
    assert "Simulated phone — no real texts are sent" in html
    assert "Northside Collision: Your car is ready at 3 pm." in html
    assert "Reply as the customer" in html


def test_the_live_fragment_redraws_the_phone(desk_client, texting, claim):
    html = desk_client.get(reverse("backoffice:claim_live", args=[claim.pk])).content.decode()
    assert 'id="sim-phone"' in html and "data-live-region" in html


def test_no_phone_with_a_real_telnyx_key(desk_client, texting, claim, settings):
    settings.TELNYX_API_KEY = "KEY-real"
    assert "Simulated phone" not in _claim_page(desk_client, claim)
    assert desk_client.get(reverse("backoffice:simulator")).status_code == 404
    assert _reply(desk_client, claim).status_code == 404
    assert not ProviderEvent.objects.exists()


def test_reply_as_the_customer_stores_a_telnyx_shaped_inbound_event(desk_client, texting,
                                                                    claim):
    answer = _reply(desk_client, claim, "Is the bumper in yet?")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("backoffice:claim", args=[claim.pk]) + "#sim-phone"
    event = ProviderEvent.objects.get(event_type="message.received")
    assert event.provider == "simulator"
    payload = json.loads(event.raw)["data"]["payload"]
    assert payload["from"]["phone_number"] == claim.customer.phone == "+15125550142"
    assert payload["to"][0]["phone_number"] == "+15125550199"
    assert payload["text"] == "Is the bumper in yet?" and payload["direction"] == "inbound"
    # The phone shows what the customer typed.
    assert "Is the bumper in yet?" in _claim_page(desk_client, claim)


def test_an_empty_reply_is_refused_without_a_500(desk_client, texting, claim):
    answer = _reply(desk_client, claim, "")
    assert answer.status_code == 302
    assert not ProviderEvent.objects.exists()


def test_next_never_leaves_the_site(desk_client, texting, claim):
    answer = _reply(desk_client, claim, "hi", next="https://evil.example/")
    assert answer.status_code == 302 and "evil" not in answer["Location"]
    assert reverse("backoffice:simulator") in answer["Location"]


def test_standalone_page_lists_numbers_and_shows_one_phone(desk_client, texting, claim):
    page = desk_client.get(reverse("backoffice:simulator")).content.decode()
    assert claim.customer.name in page and "Choose a number" in page
    url = reverse("backoffice:simulator")
    chosen = desk_client.get(url, {"location": texting.slug, "phone": claim.customer.phone})
    assert "Simulated phone — no real texts are sent" in chosen.content.decode()
    fragment = desk_client.get(url, {"location": texting.slug, "phone": claim.customer.phone,
                                     "fragment": "1"}).content.decode()
    assert fragment.startswith('<section id="sim-phone"') or 'id="sim-phone"' in fragment
    assert "<html" not in fragment


def test_another_shops_phone_is_404(outsider_client, texting, claim, other_claim,
                                    desk_client):
    url = reverse("backoffice:simulator")
    assert outsider_client.get(url, {"location": texting.slug,
                                     "phone": claim.customer.phone}).status_code == 404
    assert _reply(outsider_client, claim).status_code == 404
    assert claim.customer.name not in outsider_client.get(url).content.decode()
    # Our staff with their location, or their customer's number at ours: 404 too.
    assert desk_client.get(url, {"location": other_claim.location.slug,
                                 "phone": other_claim.customer.phone}).status_code == 404
    assert _reply(desk_client, other_claim).status_code == 404
    assert not ProviderEvent.objects.exists()


def test_a_number_that_is_no_customer_here_is_404(desk_client, texting, claim):
    answer = desk_client.post(reverse("backoffice:simulator_reply"), {
        "location": texting.slug, "phone": "+15125550000", "text": "hello"})
    assert answer.status_code == 404
    assert not ProviderEvent.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, texting, claim):
    assert _reply(client, claim).status_code == 302
    assert not ProviderEvent.objects.exists()


def test_the_customers_reply_lands_on_the_claims_thread(desk_client, texting, claim,
                                                        django_capture_on_commit_callbacks):
    from claimory.messaging.models import Direction, Message

    with django_capture_on_commit_callbacks(execute=True):
        _reply(desk_client, claim, "Can I pick it up at 5?")
    message = Message.objects.get(claim=claim, direction=Direction.INBOUND)
    assert message.body == "Can I pick it up at 5?" and message.channel == "sms"
    assert "Can I pick it up at 5?" in desk_client.get(
        reverse("backoffice:claim_live", args=[claim.pk])).content.decode()
