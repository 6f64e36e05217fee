"""/u/<token>: the unsubscribe link of a customer email. GET only asks (mail scanners open
links); a POST — the page's button or a mail app's RFC 8058 one-click — really opts out."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse

from claimory.claims.event_types import kind_of
from claimory.claims.models import Channel, Customer
from claimory.core import durable
from claimory.mail.unsubscribe import (
    SALT,
    customer_for_unsubscribe_token,
    unsubscribe_token,
)
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send
from tests.factories import make_claim
from tests.mail.smtp_sink import (  # noqa: F401 - the fixture smtp_sink
    make_mailbox,
    smtp_sink_fixture,
)

pytestmark = pytest.mark.django_db
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def emailable(location, front_desk):
    make_mailbox(location)
    claim = make_claim(location, actor=front_desk, name="Maria Lopez")
    Customer.objects.filter(pk=claim.customer_id).update(email_opt_in=True)
    claim.customer.refresh_from_db()
    return claim


def _url(claim) -> str:
    return reverse("unsubscribe", args=[unsubscribe_token(claim.customer)])


def _opted_in(claim) -> bool:
    return Customer.objects.get(pk=claim.customer_id).email_opt_in


def _consent_events(claim):
    return list(claim.events.filter(type="consent").order_by("seq"))


def test_get_only_asks(client, emailable):
    response = client.get(_url(emailable))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop emails from Northside Collision?" in html
    assert 'method="post"' in html and 'name="action" value="stop"' in html
    assert "c•••@example.test" in html  # which inbox, not the whole address
    assert _opted_in(emailable)  # a scanner opening the link changes nothing
    assert not _consent_events(emailable)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert "style-src 'self';" in response["Content-Security-Policy"]


def test_the_button_unsubscribes_and_offers_to_undo(client, emailable):
    url = _url(emailable)
    response = client.post(url, {"action": "stop"})
    assert response.status_code == 303
    assert not _opted_in(emailable)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "You won't get emails from Northside Collision any more" in html
    assert 'name="action" value="start"' in html
    [event] = _consent_events(emailable)
    assert event.channel == Channel.EMAIL and not event.customer_visible
    assert event.data["status"] == "out" and event.data["method"] == "email_link"
    assert emailable.customer.email in event.data["evidence"]
    assert kind_of("consent").describe(event.data, {}).title == \
        "Customer unsubscribed from emails"


def test_starting_again_opts_back_in(client, emailable):
    url = _url(emailable)
    client.post(url, {"action": "stop"})
    response = client.post(url, {"action": "start"})
    assert response.status_code == 303
    assert _opted_in(emailable)
    assert "get emails from Northside Collision again" in client.get(
        response["Location"]).content.decode()
    assert [e.data["status"] for e in _consent_events(emailable)] == ["out", "in"]
    assert Customer.objects.get(pk=emailable.customer_id).email_opt_in_at is not None


def test_one_click_post_from_the_mail_app_unsubscribes_without_csrf(emailable):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(emailable), ONE_CLICK,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not _opted_in(emailable)
    [event] = _consent_events(emailable)
    assert event.data["method"] == "email_one_click"
    # Mail apps may repeat it: one opt-out, one event.
    client.post(_url(emailable), ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert len(_consent_events(emailable)) == 1


def test_the_form_needs_no_csrf_cookie_but_refuses_other_sites(emailable):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(_url(emailable), {"action": "stop"},
                          headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert _opted_in(emailable)
    assert client.post(_url(emailable), {"action": "stop"}).status_code == 303
    assert not _opted_in(emailable)


def test_a_post_that_says_nothing_is_a_400(client, emailable):
    response = client.post(_url(emailable), {"action": "delete-everything"})
    assert response.status_code == 400
    assert _opted_in(emailable)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature edited
    lambda t: signing.Signer(salt=SALT).sign_object([1, 1, "sms"]),  # another purpose
    lambda t: signing.Signer(salt="other").sign_object([1, 1, "email"]),  # another salt
    lambda t: "nonsense",
    lambda t: t.split(":")[0],  # signature cut off
])
def test_a_tampered_token_is_the_portals_404(client, emailable, mangle):
    token = mangle(unsubscribe_token(emailable.customer))
    response = client.post(reverse("unsubscribe", args=[token]), {"action": "stop"})
    assert response.status_code == 404
    assert "This link doesn't work anymore" in response.content.decode()
    assert client.get(reverse("unsubscribe", args=[token])).status_code == 404
    assert _opted_in(emailable)


def test_a_token_names_its_location_too(emailable, other_location):
    forged = signing.Signer(salt=SALT).sign_object(
        [emailable.customer_id, other_location.pk, "email"])
    assert customer_for_unsubscribe_token(forged) is None


@override_settings(PORTAL_404_LIMIT_PER_MINUTE=2)
def test_guessing_tokens_is_rate_limited_like_the_portal(client, emailable):
    for _ in range(2):
        assert client.get(reverse("unsubscribe", args=["guess"])).status_code == 404
    response = client.get(_url(emailable))
    assert response.status_code == 429 and response["Retry-After"]


def test_the_page_speaks_the_customers_language(client, location, front_desk):
    claim = make_claim(location, actor=front_desk, language="es")
    Customer.objects.filter(pk=claim.customer_id).update(email_opt_in=True)
    response = client.get(reverse("unsubscribe", args=[unsubscribe_token(claim.customer)]))
    html = response.content.decode()
    assert response["Content-Language"] == "es"
    assert "¿Dejar de recibir correos de Northside Collision?" in html
    assert "Dejar de recibir correos</button>" in html


def test_every_customer_row_with_that_address_at_the_shop_stops(client, location,
                                                                 front_desk, other_location,
                                                                 outsider):
    first = make_claim(location, actor=front_desk)
    again = make_claim(location, actor=front_desk)
    elsewhere = make_claim(other_location, actor=outsider)
    address = first.customer.email
    Customer.objects.filter(pk__in=[first.customer_id, again.customer_id,
                                    elsewhere.customer_id]).update(email=address,
                                                                   email_opt_in=True)
    first.customer.refresh_from_db()
    client.post(_url(first), {"action": "stop"})
    assert not _opted_in(first) and not _opted_in(again)
    assert _opted_in(elsewhere)  # another shop's consent is that shop's


def test_after_unsubscribing_queued_emails_stay_unsent_and_new_ones_are_not_queued(
        client, emailable, front_desk, smtp_sink):
    queued = message_send(claim=emailable, body="Queued before the click", actor=front_desk)
    assert client.post(_url(emailable), {"action": "stop"}).status_code == 303
    durable.run_due()
    delivery = Delivery.objects.get(message=queued, channel=Channel.EMAIL)
    assert delivery.state == DeliveryState.NOT_SENT
    assert smtp_sink.received == []
    emailable.customer.refresh_from_db()
    later = message_send(claim=emailable, body="After the click", actor=front_desk)
    assert not Delivery.objects.filter(message=later, channel=Channel.EMAIL).exists()
