"""The inbox's mail to place: listed with why it waits; one click attaches it to its claim
(and the sender's next mail files itself); "Not about a claim" sets it aside; kept-out mail
is listed apart; every id is scoped to the user's shop."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claimory.mail.models import MailMessage, MailStatus, Participant
from claimory.mail.triage import mail_dismiss, mail_place
from tests.backoffice import conftest as personas
from tests.factories import make_claim
from tests.mail import staff_fixtures
from tests.mail.staff_fixtures import file_mail

pytestmark = pytest.mark.django_db
desk_client, outsider_client = personas.desk_client, personas.outsider_client
mailbox = staff_fixtures.mailbox

STRANGER = "ivan@independent-appraisers.test"


@pytest.fixture
def loose_mail(location, claim):
    mail = file_mail(location, sender=f"Ivan Appraiser <{STRANGER}>", subject="Inspection photos",
                     body="Photos from this morning's inspection are attached.",
                     message_id="<loose-1@ia.test>")
    assert mail.status == MailStatus.UNMATCHED
    return mail


@pytest.fixture
def bounce(location):
    raw = staff_fixtures.raw_mail(sender="MAILER-DAEMON@mx.test", subject="Undeliverable",
                                  body="Delivery failed.", message_id="<bounce-1@mx.test>")
    raw = b"Auto-Submitted: auto-replied\r\n" + raw
    from claimory.mail.filing import mail_file

    return mail_file(location=location, raw=raw, source="import").mail


def test_inbox_lists_mail_to_place_with_why_and_keeps_auto_mail_apart(desk_client, loose_mail,
                                                                      bounce):
    html = desk_client.get(reverse("backoffice:inbox")).content.decode()
    queue = html.split('id="mail-queue-title"')[1].split('class="kept-out"')[0]
    assert "Ivan Appraiser" in queue and "Inspection photos" in queue
    assert "Photos from this morning" in queue and "nothing in it says which claim" in queue
    assert "Undeliverable" not in queue
    kept = html.split('<details class="kept-out">')[1]
    assert "Undeliverable" in kept and bounce.match_reason in kept


def test_the_message_page_offers_candidates_and_search(desk_client, location, front_desk,
                                                       claim, mailbox):
    other = make_claim(location, actor=front_desk, name="Sam Two")
    Participant.objects.create(claim=claim, email=STRANGER)
    Participant.objects.create(claim=other, email=STRANGER)
    mail = file_mail(location, sender=STRANGER, subject="Photos", body="Attached.",
                     message_id="<two-claims@ia.test>")
    assert set(mail.candidates) == {claim.pk, other.pk}
    html = desk_client.get(reverse("backoffice:mail_detail", args=[mail.pk])).content.decode()
    assert f"Attach to {claim.ro_number}" in html and f"Attach to {other.ro_number}" in html
    found = desk_client.get(reverse("backoffice:mail_detail", args=[mail.pk]),
                            {"q": "Sam Two"}).content.decode()
    assert f"Attach to {other.ro_number}" in found and f"Attach to {claim.ro_number}" not in found


def test_attach_in_one_click_teaches_the_sender(desk_client, location, claim, loose_mail,
                                                front_desk):
    answer = desk_client.post(reverse("backoffice:mail_attach", args=[loose_mail.pk]),
                              {"claim": claim.pk})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("backoffice:claim", args=[claim.pk]) + "#email"
    loose_mail.refresh_from_db()
    assert (loose_mail.status, loose_mail.claim_id) == (MailStatus.FILED, claim.pk)
    assert loose_mail.attached_by == front_desk
    assert Participant.objects.filter(claim=claim, email=STRANGER).exists()
    # Their next mail files itself.
    nxt = file_mail(location, sender=STRANGER, subject="More photos", body="Two more.",
                    message_id="<loose-2@ia.test>")
    assert (nxt.status, nxt.claim_id) == (MailStatus.FILED, claim.pk)
    # And the placed one shows on the claim.
    html = desk_client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert "Photos from this morning" in html and "placed here by" in html


def test_placed_mail_cannot_be_placed_again(desk_client, claim, loose_mail, front_desk):
    mail_place(mail=loose_mail, claim=claim, actor=front_desk)
    answer = desk_client.post(reverse("backoffice:mail_attach", args=[loose_mail.pk]),
                              {"claim": claim.pk})
    assert answer.status_code == 400 and "already placed" in answer.content.decode()
    bad = desk_client.post(reverse("backoffice:mail_attach", args=[loose_mail.pk]), {})
    assert bad.status_code == 400


def test_not_about_a_claim_sets_it_aside(desk_client, loose_mail):
    answer = desk_client.post(reverse("backoffice:mail_dismiss", args=[loose_mail.pk]))
    assert answer.status_code == 302
    loose_mail.refresh_from_db()
    assert loose_mail.status == MailStatus.IGNORED
    assert loose_mail.match_reason == "dismissed by staff" and loose_mail.claim_id is None
    html = desk_client.get(reverse("backoffice:inbox")).content.decode()
    assert 'id="mail-queue-title"' not in html and "dismissed by staff" in html
    again = desk_client.post(reverse("backoffice:mail_dismiss", args=[loose_mail.pk]))
    assert again.status_code == 400


def test_another_shops_mail_and_claims_are_not_found(outsider_client, desk_client, loose_mail,
                                                     other_claim, claim):
    for name in ("mail_detail",):
        assert outsider_client.get(reverse(f"backoffice:{name}",
                                           args=[loose_mail.pk])).status_code == 404
    for name in ("mail_attach", "mail_dismiss"):
        assert outsider_client.post(reverse(f"backoffice:{name}", args=[loose_mail.pk]),
                                    {"claim": other_claim.pk}).status_code == 404
    # Our mail onto their claim: their claim is not found for us.
    answer = desk_client.post(reverse("backoffice:mail_attach", args=[loose_mail.pk]),
                              {"claim": other_claim.pk})
    assert answer.status_code == 404
    loose_mail.refresh_from_db()
    assert loose_mail.status == MailStatus.UNMATCHED


def test_technician_cannot_place_mail(technician, loose_mail, claim):
    tech = Client()
    tech.force_login(technician)
    assert tech.get(reverse("backoffice:mail_detail", args=[loose_mail.pk])).status_code == 403
    assert tech.post(reverse("backoffice:mail_attach", args=[loose_mail.pk]),
                     {"claim": claim.pk}).status_code == 403
    with pytest.raises(Exception):  # noqa: B017 - the service refuses too (PermissionDenied)
        mail_dismiss(mail=loose_mail, actor=technician)
    assert MailMessage.objects.get(pk=loose_mail.pk).status == MailStatus.UNMATCHED
