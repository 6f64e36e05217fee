"""The inbox's unmatched texts: listed for staff with inbox rights, attached to a claim they
pick, and invisible to every other shop."""

from __future__ import annotations

import pytest

from claimory.messaging.models import Direction, Message
from claimory.sms.inbound import inbound_receive
from claimory.sms.models import UnmatchedText
from tests.factories import make_claim
from tests.sms.conftest import payload


@pytest.fixture
def unmatched(texting, front_desk):
    make_claim(texting, actor=front_desk, name="Maria Lopez", ro_number="RO-7001")
    make_claim(texting, actor=front_desk, name="Maria Lopez", ro_number="RO-7002")
    inbound_receive(payload("Is the blue one ready?"), "telnyx")
    return UnmatchedText.objects.get()


def test_inbox_lists_unmatched_texts(client, front_desk, unmatched):
    client.force_login(front_desk)
    page = client.get("/staff/inbox").content.decode()
    assert "Unmatched texts" in page
    assert "Is the blue one ready?" in page
    assert f"/staff/inbox/unmatched/{unmatched.pk}" in page
    assert "2 open claims" in page


def test_unmatched_page_offers_candidates_and_search(client, front_desk, unmatched, texting):
    make_claim(texting, actor=front_desk, name="Rosa Diaz", phone="(512) 555-0150",
               ro_number="RO-8800")
    client.force_login(front_desk)
    page = client.get(f"/staff/inbox/unmatched/{unmatched.pk}").content.decode()
    assert "RO-7001" in page and "RO-7002" in page and "RO-8800" not in page
    found = client.get(f"/staff/inbox/unmatched/{unmatched.pk}?q=Rosa").content.decode()
    assert "RO-8800" in found and "RO-7001" not in found


def test_staff_attach_files_the_text_on_the_claim(client, front_desk, unmatched):
    target = unmatched.candidates[0]
    client.force_login(front_desk)
    response = client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach", {"claim": target})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/claims/{target}#thread"
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.claim_id == target and message.body == "Is the blue one ready?"
    unmatched.refresh_from_db()
    assert unmatched.attached_by == front_desk
    assert "Unmatched texts" not in client.get("/staff/inbox").content.decode()
    again = client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach", {"claim": target})
    assert again.status_code == 400
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_attach_needs_a_claim(client, front_desk, unmatched):
    client.force_login(front_desk)
    assert client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach", {}).status_code == 400


def test_another_shop_cannot_see_or_attach(client, outsider, other_claim, unmatched):
    client.force_login(outsider)
    assert "Unmatched texts" not in client.get("/staff/inbox").content.decode()
    assert client.get(f"/staff/inbox/unmatched/{unmatched.pk}").status_code == 404
    assert client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach",
                       {"claim": other_claim.pk}).status_code == 404
    assert client.get(f"/staff/inbox/unmatched/{unmatched.pk}/media/0").status_code == 404


def test_our_text_cannot_go_to_another_shops_claim(client, front_desk, other_claim, unmatched):
    client.force_login(front_desk)
    response = client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach",
                           {"claim": other_claim.pk})
    assert response.status_code == 404
    assert not Message.objects.filter(direction=Direction.INBOUND).exists()


def test_technicians_do_not_triage_unmatched_texts(client, technician, unmatched):
    client.force_login(technician)
    assert "Unmatched texts" not in client.get("/staff/inbox").content.decode()
    assert client.get(f"/staff/inbox/unmatched/{unmatched.pk}").status_code == 403
    target = unmatched.candidates[0]
    assert client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach",
                       {"claim": target}).status_code == 403


def test_staff_set_a_text_aside_without_filing_it(client, front_desk, unmatched):
    client.force_login(front_desk)
    response = client.post(f"/staff/inbox/unmatched/{unmatched.pk}/dismiss")
    assert response.status_code == 302 and response["Location"] == "/staff/inbox"
    unmatched.refresh_from_db()
    assert unmatched.dismissed_by == front_desk and unmatched.attached_at is None
    assert "Unmatched texts" not in client.get("/staff/inbox").content.decode()
    page = client.get(f"/staff/inbox/unmatched/{unmatched.pk}").content.decode()
    assert "Set aside" in page and "File here" not in page
    target = unmatched.candidates[0]
    assert client.post(f"/staff/inbox/unmatched/{unmatched.pk}/attach",
                       {"claim": target}).status_code == 400
    assert not Message.objects.filter(direction=Direction.INBOUND).exists()


def test_another_shop_cannot_set_our_text_aside(client, outsider, technician, unmatched):
    client.force_login(outsider)
    assert client.post(f"/staff/inbox/unmatched/{unmatched.pk}/dismiss").status_code == 404
    client.force_login(technician)
    assert client.post(f"/staff/inbox/unmatched/{unmatched.pk}/dismiss").status_code == 403
    unmatched.refresh_from_db()
    assert unmatched.dismissed_at is None
