"""Consent to texts captured where it is given — the intake form, the API, a staff edit —
and what staff see of it on the claim page."""

from __future__ import annotations

from claimory.claims.models import EventType
from claimory.claims.services import customer_update
from claimory.sms.consent import may_text
from claimory.sms.inbound import inbound_receive
from claimory.sms.models import ConsentRecord
from tests.backoffice.test_edit_services import customer_of
from tests.factories import make_claim
from tests.sms.conftest import MARIA, payload, send_all


def test_intake_with_opt_in_records_who_when_how(location, front_desk):
    claim = make_claim(location, actor=front_desk)
    record = ConsentRecord.objects.get()
    assert (record.status, record.method, record.phone) == ("in", "intake", MARIA)
    assert record.recorded_by == front_desk and record.recorded_by_label == "Frank Staff"
    assert "Intake form" in record.evidence and record.claim == claim
    # The claim-opened event says it; the ledger keeps who, when and how.
    assert not claim.events.filter(type=EventType.CONSENT).exists()


def test_intake_without_opt_in_records_nothing(client, location, front_desk):
    client.force_login(front_desk)
    stage = location.stages.order_by("position").first()
    response = client.post("/staff/claims/new", {
        "location": location.slug, "customer_name": "No Texts", "customer_phone": "5125550160",
        "customer_language": "en", "stage": stage.slug, "vehicle_make": "Ford",
    })
    assert response.status_code in (302, 400)
    assert not ConsentRecord.objects.filter(phone="+15125550160").exists()


def test_api_intake_records_the_keys_label(location):
    from claimory.shops.services import apikey_create
    from tests.api.conftest import ApiClient, claim_body

    key = apikey_create(location=location, name="DMS bridge")[1]
    response = ApiClient(key).post("/api/v1/claims", claim_body())
    assert response.status_code == 201, response.content
    record = ConsentRecord.objects.get()
    assert record.method == "api" and record.recorded_by is None
    assert record.recorded_by_label.startswith("API key ")  # the API's actor label
    assert "sms_opt_in" in record.evidence


def test_staff_turning_texts_off_and_on_is_recorded(claim, front_desk):
    customer_update(claim=claim, data=customer_of(claim, sms_opt_in=False), actor=front_desk)
    claim.refresh_from_db()
    customer_update(claim=claim, data=customer_of(claim, sms_opt_in=True), actor=front_desk)
    methods = list(ConsentRecord.objects.order_by("created_at", "id")
                   .values_list("status", "method"))
    assert methods == [("in", "intake"), ("out", "staff"), ("in", "staff")]
    assert may_text(claim)[0]


def test_claim_page_says_texts_are_off_and_why(client, texting, claim, front_desk):
    inbound_receive(payload("STOP"), "telnyx")
    send_all()
    client.force_login(front_desk)
    page = client.get(f"/staff/claims/{claim.pk}").content.decode()
    assert "Texts off — Opted out by texting “STOP” on" in page
    assert "Texts will not be sent" in page
    assert "Text consent history" in page
    assert "Keyword text (STOP, START…)" in page and "Intake form" in page


def test_claim_page_quiet_when_texts_are_on(client, texting, claim, front_desk):
    client.force_login(front_desk)
    page = client.get(f"/staff/claims/{claim.pk}").content.decode()
    assert "Texts off" not in page and "Texts will not be sent" not in page


def test_a_customers_stop_outlives_a_new_intake_or_a_staff_tick(texting, claim, front_desk):
    """Only the customer undoes their opt-out (START): a new claim with "agreed to texts",
    or staff ticking the box again, leaves texts off and says why."""
    from claimory.messaging.models import Delivery
    from claimory.messaging.services import message_send

    inbound_receive(payload("please don't text me anymore"), "telnyx")
    send_all()
    second = make_claim(claim.location, actor=front_desk, name="Maria Lopez")
    assert not ConsentRecord.objects.filter(status="in", method="intake",
                                            claim=second).exists()
    second.customer.refresh_from_db()
    assert second.customer.sms_opt_in is False
    allowed, reason = may_text(second)
    assert not allowed and reason.startswith("Opted out by texting")
    refused = second.events.filter(type=EventType.CONSENT).last()
    assert "until the customer texts START" in refused.data["evidence"]
    message_send(claim=second, body="Has your car been fixed?", actor=front_desk)
    send_all()
    assert not Delivery.objects.filter(message__body="Has your car been fixed?",
                                       state__in=["sent", "delivered"]).exists()

    customer_update(claim=claim, data=customer_of(claim, sms_opt_in=True), actor=front_desk)
    assert not may_text(claim)[0]
    assert ConsentRecord.objects.filter(status="in").count() == 1  # the first intake only
    inbound_receive(payload("START"), "telnyx")
    claim.customer.refresh_from_db()
    assert may_text(claim)[0]
