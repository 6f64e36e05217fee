""""Track your repair" on /p/<slug>: the link goes to the customer's phone on file, never
to the page; the page answers the same words, with the same work, whether or not a repair
matches; limits stop guessing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimory.claims.models import ClaimEvent
from claimory.claims.services import claim_stage_set
from claimory.claims.services.portal_links import portal_token, portal_token_revoke
from claimory.core import durable
from claimory.messaging.models import Message
from claimory.portal.models import LinkRequest, LinkRequestState
from claimory.portal.track import reference_key
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(texting):
    return texting


def _ask(client: Client, location, reference: str, phone: str, **extra):
    return client.post(reverse("public:track", args=[location.slug]),
                       {"reference": reference, "phone": phone}, **extra)


def _sent_link_texts(claim) -> list[str]:
    return list(Message.objects.filter(claim=claim, automated=True)
                .values_list("body", flat=True))


def test_reference_matching_ignores_case_spaces_and_dashes():
    assert reference_key(" ro 10-42 ") == reference_key("RO1042") == "RO1042"


def test_a_matching_repair_gets_its_link_by_text_never_on_the_page(shop):
    claim = make_claim(shop, ro_number="RO-1042", phone="(512) 555-0142")
    answer = _ask(Client(), shop, "ro 1042", "512-555-0142")
    assert answer.status_code == 303
    page = Client().get(answer["Location"]).content.decode()
    token = portal_token(claim)
    assert token not in answer.content.decode() and token not in page
    assert "we've sent its link to the phone" in page
    durable.run_due()
    [text] = [t for t in _sent_link_texts(claim) if "as you asked" in t]
    assert f"/c/{token}" in text
    row = LinkRequest.objects.get()
    assert row.state == LinkRequestState.SENT and row.claim_id == claim.pk
    event = ClaimEvent.objects.filter(claim=claim, type="notification").last()
    assert event.data["trigger"] == "link_request"


def test_no_match_answers_exactly_the_same_with_the_same_work(shop):
    make_claim(shop, claim_number="CLM-77", phone="(512) 555-0142")
    client = Client()

    def asked(reference, phone):
        with CaptureQueriesContext(connection) as queries:
            answer = _ask(client, shop, reference, phone)
        return answer, len(queries)

    hit, hit_queries = asked("CLM-77", "(512) 555-0142")
    miss, miss_queries = asked("CLM-78", "(512) 555-0199")
    wrong_phone, wrong_phone_queries = asked("CLM-77", "(512) 555-0100")
    assert hit.status_code == miss.status_code == wrong_phone.status_code == 303
    assert hit["Location"] == miss["Location"] == wrong_phone["Location"]
    assert hit_queries == miss_queries == wrong_phone_queries
    assert client.get(hit["Location"]).content == client.get(miss["Location"]).content
    durable.run_due()
    states = list(LinkRequest.objects.order_by("pk").values_list("state", flat=True))
    assert states == [LinkRequestState.SENT, LinkRequestState.NO_MATCH, LinkRequestState.NO_MATCH]


def test_a_revoked_link_or_another_shops_repair_is_never_sent(shop, other_location):
    mine = make_claim(shop, ro_number="RO-5", phone="(512) 555-0142")
    theirs = make_claim(other_location, ro_number="RO-6", phone="(512) 555-0142")
    portal_token_revoke(claim=mine)
    _ask(Client(), shop, "RO-5", "(512) 555-0142")
    _ask(Client(), shop, "RO-6", "(512) 555-0142")
    durable.run_due()
    assert not [t for t in _sent_link_texts(mine) + _sent_link_texts(theirs)
                if "as you asked" in t]
    assert set(LinkRequest.objects.values_list("state", flat=True)) == {
        LinkRequestState.NO_MATCH}


def test_a_customer_without_consent_gets_nothing_and_staff_see_why(shop):
    claim = make_claim(shop, ro_number="RO-9", phone="(512) 555-0142")
    claim.customer.sms_opt_in = False
    claim.customer.email_opt_in = False
    claim.customer.save()
    _ask(Client(), shop, "RO-9", "(512) 555-0142")
    durable.run_due()
    assert LinkRequest.objects.get().state == LinkRequestState.NOT_SENT
    event = ClaimEvent.objects.filter(claim=claim, type="notification").last()
    assert "asked for their link" in event.data["reason"]


def test_a_long_delivered_repair_does_not_match(shop):
    claim = make_claim(shop, ro_number="RO-3", phone="(512) 555-0142")
    claim_stage_set(claim=claim, stage="delivered")
    claim.delivered_at = claim.delivered_at.replace(year=claim.delivered_at.year - 1)
    claim.save(update_fields=["delivered_at"])
    _ask(Client(), shop, "RO-3", "(512) 555-0142")
    durable.run_due()
    assert LinkRequest.objects.get().state == LinkRequestState.NO_MATCH


@pytest.mark.parametrize("reference,phone,field", [
    ("", "(512) 555-0142", "reference"), ("---", "(512) 555-0142", "reference"),
    ("X" * 41, "(512) 555-0142", "reference"), ("RO-1", "", "phone"),
    ("RO-1", "call me", "phone"), ("RO-1", "1" * 200, "phone"),
])
def test_bad_input_is_a_400_with_the_field_marked(shop, reference, phone, field):
    answer = _ask(Client(), shop, reference, phone)
    assert answer.status_code == 400
    assert f'id="track-{field}-error"' in answer.content.decode()
    assert not LinkRequest.objects.exists()


def test_guessing_is_limited_per_client_and_per_phone(shop):
    client = Client()
    for n in range(3):
        assert _ask(client, shop, f"RO-{n}", "(512) 555-0142").status_code == 303
    refused = _ask(client, shop, "RO-9", "(512) 555-0142")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many tries" in refused.content.decode()
    # Another phone from the same client: the refused try counted too, so one more is left.
    assert _ask(client, shop, "RO-1", "(512) 555-0110").status_code == 303
    assert _ask(client, shop, "RO-1", "(512) 555-0170").status_code == 429
    # Another client may still ask about another phone.
    assert _ask(Client(REMOTE_ADDR="203.0.113.9"), shop, "RO-1",
                "(512) 555-0180").status_code == 303
    assert LinkRequest.objects.count() == 5


def test_another_site_cannot_post_it(shop):
    answer = _ask(Client(), shop, "RO-1", "(512) 555-0142",
                  headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403 and not LinkRequest.objects.exists()


def test_unknown_shop_is_a_404_and_get_is_refused(shop):
    assert _ask(Client(), shop.__class__(slug="nope"), "RO-1", "5125550142").status_code == 404
    assert Client().get(reverse("public:track", args=[shop.slug])).status_code == 405


def test_the_form_is_on_the_page_in_spanish_too(shop):
    page = Client().get(reverse("public:shop", args=[shop.slug]), {"lang": "es"})
    html = page.content.decode()
    assert "Siga su reparación" in html and 'for="track-reference"' in html
