"""Hostile mail shown to staff (review of issue 11): markup in subjects, names, bodies and
file names is shown as text on the claim, in the inbox and on the message page; another
shop's ids are 404s."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claimory.mail.models import MailStatus, Participant
from tests.backoffice import conftest as personas
from tests.mail import staff_fixtures
from tests.mail.rawmail import ON_POSTGRES
from tests.mail.staff_fixtures import file_mail

pytestmark = pytest.mark.django_db
desk_client, outsider_client = personas.desk_client, personas.outsider_client
mailbox = staff_fixtures.mailbox

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def hostile(location, claim, mailbox):
    return file_mail(location, sender=f'"{XSS}" <evil@attacker.test>', subject=f"Hi {XSS}",
                     body=f"Body {XSS}", message_id="<xss-1@attacker.test>",
                     files=((f"{XSS}.pdf", "application/pdf", b"%PDF-1.4 nope"),))


def _clean(html: str) -> None:
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_hostile_mail_waiting_in_the_inbox_is_text(desk_client, hostile):
    assert hostile.status == MailStatus.UNMATCHED
    for url in (reverse("backoffice:inbox"), reverse("backoffice:mail_detail",
                                                     args=[hostile.pk])):
        answer = desk_client.get(url)
        assert answer.status_code == 200
        _clean(answer.content.decode())
        assert "&lt;script&gt;" in answer.content.decode()


def test_hostile_mail_on_a_claim_is_text(desk_client, hostile, claim, front_desk):
    from claimory.mail.triage import mail_place

    mail_place(mail=hostile, claim=claim, actor=front_desk)
    Participant.objects.filter(claim=claim).update(name=XSS)
    answer = desk_client.get(reverse("backoffice:claim", args=[claim.pk]))
    assert answer.status_code == 200
    _clean(answer.content.decode())
    compose = desk_client.get(reverse("backoffice:mail_compose", args=[claim.pk]) +
                              f"?reply={hostile.pk}&all=1")
    assert compose.status_code == 200
    _clean(compose.content.decode())


def test_another_shops_ids_are_not_found(outsider_client, hostile, claim, front_desk):
    from claimory.mail.triage import mail_place

    mail_place(mail=hostile, claim=claim, actor=front_desk)
    person = Participant.objects.get(claim=claim)
    urls = [("get", reverse("backoffice:mail_detail", args=[hostile.pk])),
            ("get", reverse("backoffice:mail_compose", args=[claim.pk]) +
             f"?reply={hostile.pk}"),
            ("post", reverse("backoffice:participant_remove", args=[claim.pk, person.pk])),
            ("post", reverse("backoffice:mail_dismiss", args=[hostile.pk]))]
    urls += [("get", reverse("backoffice:mail_attachment", args=[a.pk]))
             for a in hostile.attachments.all()]
    for method, url in urls:
        assert getattr(outsider_client, method)(url).status_code == 404, url
    assert Participant.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("name", ["Dana\r\nReyes, x@attacker.test", "Dana\nBcc: x@attacker.test",
                                  'Dana "The Boss" Reyes' + ("" if ON_POSTGRES else "\x00")])
def test_picking_a_person_with_a_hostile_name_sends_to_them_only(desk_client, claim, mailbox,
                                                                 name):
    from claimory.mail.models import MailMessage

    Participant.objects.create(claim=claim, email="dana@carrier.test", name=name)
    answer = desk_client.post(reverse("backoffice:mail_compose", args=[claim.pk]), {
        "pick": ["dana@carrier.test"], "subject": "Photos", "body": "Attached."})
    assert answer.status_code == 302
    mail = MailMessage.objects.get(claim=claim, subject__startswith="Photos")
    assert [address for _name, address in mail.to] == ["dana@carrier.test"]
    assert not any(ch in mail.to[0][0] for ch in "\r\n\x00")
