"""Compose and reply from the claim: the form starts right (To, Re:, the thread's ids),
what is sent is only queued (a MailMessage + Outgoing row), errors land on their field."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claimory.claims.models import Claim, Customer
from claimory.mail.models import MailboxState, MailMessage, MailStatus, Outgoing
from tests.backoffice import conftest as personas
from tests.mail import staff_fixtures
from tests.mail.staff_fixtures import SHOP, file_mail

pytestmark = pytest.mark.django_db
desk_client, outsider_client = personas.desk_client, personas.outsider_client
mailbox, adj_claim = staff_fixtures.mailbox, staff_fixtures.adj_claim
ADJUSTER = staff_fixtures.ADJUSTER


@pytest.fixture
def adjuster_mail(location, mailbox, adj_claim):
    return file_mail(location, sender=f"Dana Reyes <{ADJUSTER}>",
                     to=f"Northside <{SHOP}>, desk@northside.test",
                     cc="Boss <boss@carrier.test>", subject=f"Supplement {adj_claim.ro_number}",
                     body="Please send the invoice.", message_id="<dana-1@carrier.test>",
                     references="<older@carrier.test>")


def _compose(claim) -> str:
    return reverse("backoffice:mail_compose", args=[claim.pk])


def test_reply_starts_with_the_sender_and_re_subject(desk_client, adj_claim, adjuster_mail):
    answer = desk_client.get(_compose(adj_claim) + f"?reply={adjuster_mail.pk}")
    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.initial["to"] == f"Dana Reyes <{ADJUSTER}>"
    assert form.initial["cc"] == ""
    assert form.initial["subject"] == f"Re: Supplement {adj_claim.ro_number}"
    assert form.initial["reply_to"] == adjuster_mail.pk
    assert "Please send the invoice." in answer.content.decode()  # the message answered


def test_reply_all_adds_the_others_but_never_the_shop(desk_client, adj_claim, adjuster_mail):
    answer = desk_client.get(_compose(adj_claim) + f"?reply={adjuster_mail.pk}&all=1")
    cc = answer.context["form"].initial["cc"]
    assert "boss@carrier.test" in cc and "desk@northside.test" in cc
    assert SHOP not in cc and SHOP not in answer.context["form"].initial["to"]


def test_sending_a_reply_queues_it_with_the_thread_headers(desk_client, adj_claim,
                                                          adjuster_mail, front_desk):
    answer = desk_client.post(_compose(adj_claim), {
        "to": f"Dana Reyes <{ADJUSTER}>", "cc": "boss@carrier.test", "bcc": "files@northside.test",
        "subject": f"Re: Supplement {adj_claim.ro_number}", "body": "Invoice attached soon.",
        "reply_to": adjuster_mail.pk})
    assert answer.status_code == 302 and answer["Location"].endswith("#email")
    sent = MailMessage.objects.get(direction="out")
    assert sent.status == MailStatus.QUEUED and sent.claim == adj_claim
    assert sent.in_reply_to == "<dana-1@carrier.test>"
    assert sent.references == ["<older@carrier.test>", "<dana-1@carrier.test>"]
    assert sent.to == [["Dana Reyes", ADJUSTER]] and sent.cc == [["", "boss@carrier.test"]]
    assert sent.bcc == [["", "files@northside.test"]] and sent.sent_by == front_desk
    assert Outgoing.objects.get(mail=sent).state == "queued"


def test_new_email_to_picked_people_and_typed_addresses(desk_client, adj_claim, mailbox):
    answer = desk_client.post(_compose(adj_claim), {
        "pick": [ADJUSTER], "to": "other@example.test", "subject": "Photos",
        "body": "Photos are ready."})
    assert answer.status_code == 302
    sent = MailMessage.objects.get(direction="out")
    assert [a for _n, a in sent.to] == [ADJUSTER, "other@example.test"]
    assert sent.subject == f"Photos [{adj_claim.ro_number}]" and sent.in_reply_to == ""


def test_errors_show_by_field_and_nothing_is_queued(desk_client, adj_claim, mailbox):
    answer = desk_client.post(_compose(adj_claim), {"to": "not-an-address", "subject": "Hi",
                                                    "body": "Hello"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["to"] == ["“not-an-address” is not an email address."]
    answer = desk_client.post(_compose(adj_claim), {"to": ADJUSTER, "subject": "Hi", "body": " "})
    assert answer.context["form"].errors["body"] == ["Write the email first."]
    answer = desk_client.post(_compose(adj_claim), {"to": "", "subject": "", "body": "x"})
    assert answer.context["form"].errors["to"] == ["Add at least one recipient."]
    assert 'class="errors"' in answer.content.decode()
    assert not MailMessage.objects.exists() and not Outgoing.objects.exists()


def test_a_mailbox_needing_reconnect_is_said_not_a_500(desk_client, adj_claim, mailbox):
    mailbox.state, mailbox.state_reason = MailboxState.RECONNECT, "token revoked"
    mailbox.save()
    answer = desk_client.post(_compose(adj_claim), {"to": ADJUSTER, "subject": "Hi",
                                                    "body": "Hello"})
    assert answer.status_code == 400
    assert "needs reconnecting" in answer.content.decode()
    assert not MailMessage.objects.exists()


def test_reply_to_a_message_of_another_claim_is_refused(desk_client, adj_claim, location,
                                                        front_desk, adjuster_mail):
    from tests.factories import make_claim

    second = make_claim(location, actor=front_desk, name="Other Person")
    assert desk_client.get(_compose(second) + f"?reply={adjuster_mail.pk}").status_code == 404
    answer = desk_client.post(_compose(second), {"to": ADJUSTER, "subject": "x", "body": "y",
                                                 "reply_to": adjuster_mail.pk})
    assert answer.status_code == 400 and not MailMessage.objects.filter(direction="out")


def test_technician_without_message_send_cannot_compose(technician, adj_claim, mailbox):
    tech = Client()
    tech.force_login(technician)
    assert tech.get(_compose(adj_claim)).status_code == 403
    assert tech.post(_compose(adj_claim), {"to": ADJUSTER, "subject": "x",
                                           "body": "y"}).status_code == 403
    assert not MailMessage.objects.exists()


def test_another_shops_claim_is_not_found(outsider_client, adj_claim, mailbox):
    assert outsider_client.get(_compose(adj_claim)).status_code == 404
    assert outsider_client.post(_compose(adj_claim), {"to": ADJUSTER, "subject": "x",
                                                      "body": "y"}).status_code == 404


def test_canned_email_filled_from_the_claim_in_the_customers_language(desk_client, adj_claim,
                                                                     mailbox):
    Customer.objects.filter(pk=adj_claim.customer_id).update(language="es")
    answer = desk_client.get(_compose(adj_claim) + "?template=update")
    initial = answer.context["form"].initial
    assert initial["to"] == adj_claim.customer.email
    assert initial["subject"].startswith("Novedades sobre su") and "Hola Maria" in initial["body"]
    answer = desk_client.get(_compose(adj_claim) + "?template=supplement")
    initial = answer.context["form"].initial
    assert initial["to"] == ADJUSTER and "Hello Dana," in initial["body"]
    assert adj_claim.claim_number in initial["subject"]
    assert adj_claim.claim_number in answer.content.decode()


def test_compose_page_offers_people_and_ready_made_emails(desk_client, adj_claim, mailbox):
    html = desk_client.get(_compose(adj_claim)).content.decode()
    assert f'value="{ADJUSTER}"' in html and "Supplement submitted" in html
    assert "Request for approval" in html and "Draft it for me" in html


def test_write_to_someone_from_the_people_panel(desk_client, adj_claim, mailbox):
    html = desk_client.get(reverse("backoffice:claim", args=[adj_claim.pk])).content.decode()
    link = f"{_compose(adj_claim)}?to=dana.adjuster%40carrier.test"
    assert link in html
    answer = desk_client.get(link)
    assert answer.context["form"].initial["to"] == ADJUSTER


def test_picked_people_alone_are_enough(desk_client, adj_claim, mailbox):
    answer = desk_client.post(_compose(adj_claim), {"pick": [ADJUSTER], "to": "",
                                                    "subject": "Photos", "body": "Ready."})
    assert answer.status_code == 302
    assert MailMessage.objects.get(direction="out").to == [["Dana Reyes", ADJUSTER]]


def test_a_name_with_a_comma_stays_one_recipient(desk_client, adj_claim, mailbox):
    Claim.objects.filter(pk=adj_claim.pk).update(adjuster_name="Reyes, Dana")
    answer = desk_client.post(_compose(adj_claim), {"pick": [ADJUSTER], "subject": "Hi",
                                                    "body": "Ready."})
    assert answer.status_code == 302
    assert MailMessage.objects.get(direction="out").to == [["Reyes, Dana", ADJUSTER]]
