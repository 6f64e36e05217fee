"""The claim's Email section: threads grouped by their headers, quoted history collapsed,
attachments kept or refused (and served only to this shop's staff), the people panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from claimory.mail.models import MailAttachment, MailMessage, MailStatus, Participant
from claimory.mail.selectors import group_threads
from tests.backoffice import conftest as personas
from tests.mail import staff_fixtures
from tests.mail.staff_fixtures import file_mail
from tests.photos.samples import jpeg_with_gps

pytestmark = pytest.mark.django_db
desk_client, outsider_client = personas.desk_client, personas.outsider_client
mailbox, adj_claim = staff_fixtures.mailbox, staff_fixtures.adj_claim
ADJUSTER = staff_fixtures.ADJUSTER


def _page(client, claim) -> str:
    answer = client.get(reverse("backoffice:claim", args=[claim.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def _at(minutes: int) -> str:
    when = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def test_threads_group_by_headers_and_a_reply_without_references_still_joins(location,
                                                                            adj_claim):
    ro = adj_claim.ro_number
    first = file_mail(location, sender=ADJUSTER, subject=f"Supplement {ro}", body="One",
                      message_id="<a1@carrier.test>", date=_at(0))
    second = file_mail(location, sender=ADJUSTER, subject=f"Re: Supplement {ro}", body="Two",
                       message_id="<a2@carrier.test>", in_reply_to="<a1@carrier.test>",
                       references="<a1@carrier.test>", date=_at(10))
    # Outlook-style: only In-Reply-To, naming the second message.
    third = file_mail(location, sender=ADJUSTER, subject=f"RE: Supplement {ro}", body="Three",
                      message_id="<a3@carrier.test>", in_reply_to="<a2@carrier.test>",
                      date=_at(20))
    other = file_mail(location, sender=ADJUSTER, subject=f"Photos {ro}", body="Other",
                      message_id="<b1@carrier.test>", date=_at(5))
    assert {m.claim_id for m in (first, second, third, other)} == {adj_claim.pk}
    threads = group_threads(list(MailMessage.objects.filter(claim=adj_claim)))
    assert [[m.pk for m in t.messages] for t in threads] == [
        [first.pk, second.pk, third.pk], [other.pk]]  # latest activity first


def test_claim_page_shows_messages_with_quoted_text_collapsed(desk_client, location, mailbox,
                                                              adj_claim):
    file_mail(location, sender=f"Dana Reyes <{ADJUSTER}>", cc="boss@carrier.test",
              subject=f"Approval {adj_claim.ro_number}", message_id="<q1@carrier.test>",
              body="Approved the supplement.\n\nOn Mon, Dec 1, 2026 Northside wrote:\n"
                   "> Please approve the supplement.")
    html = _page(desk_client, adj_claim)
    assert 'id="email"' in html
    assert "Approved the supplement." in html
    assert '<details class="mail__quoted"><summary>Show quoted text</summary>' in html
    assert "&gt; Please approve the supplement." in html.split("Show quoted text")[1]
    assert "boss@carrier.test" in html  # Cc shown
    assert "Reply all" in html and "?reply=" in html


def test_empty_state_and_no_mailbox_note(desk_client, claim):
    html = _page(desk_client, claim)
    assert "No email on this claim yet. Mail from the customer or adjuster files here" in html
    assert "no connected mailbox" in html and "/staff/settings/email" in html
    assert reverse("backoffice:mail_compose", args=[claim.pk]) not in html  # no New email


def test_outbound_status_and_failure_reason_shown(desk_client, claim, mailbox, front_desk):
    from claimory.mail.outgoing import mail_compose

    mail = mail_compose(claim=claim, actor=front_desk, to="x@example.test", subject="Hi",
                        body="Hello")
    html = _page(desk_client, claim)
    assert "Queued to send" in html
    MailMessage.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED)
    mail.outgoing.error = "550 mailbox unavailable"
    mail.outgoing.save(update_fields=["error"])
    html = _page(desk_client, claim)
    assert "Not sent" in html and "550 mailbox unavailable" in html


def test_text_file_disguised_as_jpg_is_refused_and_listed(desk_client, location, mailbox,
                                                         adj_claim):
    photo = jpeg_with_gps(200, 150)
    mail = file_mail(location, sender=ADJUSTER, subject=f"Files {adj_claim.ro_number}",
                     body="See attached.", message_id="<f1@carrier.test>",
                     files=(("car.jpg", "image/jpeg", b"just some text, not a photo\n" * 20),
                            ("bumper.jpg", "image/jpeg", photo)))
    refused, kept = MailAttachment.objects.filter(mail=mail).order_by("id")
    assert refused.path == "" and refused.refused
    assert kept.path and not kept.refused
    html = _page(desk_client, adj_claim)
    assert "car.jpg" in html and f"not kept: {refused.refused}" in html
    assert reverse("backoffice:mail_attachment", args=[kept.pk]) in html
    # the refused file has nothing to serve
    assert desk_client.get(reverse("backoffice:mail_attachment",
                                   args=[refused.pk])).status_code == 404


def test_attachment_served_with_its_true_type_only_to_this_shop(desk_client, outsider_client,
                                                                location, adj_claim):
    mail = file_mail(location, sender=ADJUSTER, subject=f"Files {adj_claim.ro_number}",
                     body="See attached.", message_id="<f2@carrier.test>",
                     files=(("estimate.png", "application/octet-stream",
                             jpeg_with_gps(120, 90)),))
    kept = mail.attachments.get()
    url = reverse("backoffice:mail_attachment", args=[kept.pk])
    answer = desk_client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"  # from the bytes, not the name
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    assert outsider_client.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_participants_add_remove_and_clear_errors(desk_client, adj_claim):
    url = reverse("backoffice:participant_add", args=[adj_claim.pk])
    answer = desk_client.post(url, {"email": "Appraiser@IA.test", "name": "Ira",
                                    "role": "appraiser"})
    assert answer.status_code == 302 and answer["Location"].endswith("#email")
    person = Participant.objects.get(claim=adj_claim)
    assert (person.email, person.role) == ("appraiser@ia.test", "appraiser")
    html = _page(desk_client, adj_claim)
    assert "Ira" in html and "Appraiser" in html and "Dana Reyes" in html  # adjuster too

    bad = desk_client.post(url, {"email": "not an address", "role": "appraiser"})
    assert bad.status_code == 400
    assert "“not an address” is not an email address." in bad.content.decode()
    again = desk_client.post(url, {"email": ADJUSTER, "role": "adjuster"})
    assert again.status_code == 400 and "adjuster already" in again.content.decode()
    dup = desk_client.post(url, {"email": "appraiser@ia.test", "role": "other"})
    assert dup.status_code == 400 and "already on this claim" in dup.content.decode()
    role = desk_client.post(url, {"email": "x@ia.test", "role": "boss"})
    assert role.status_code == 400 and Participant.objects.count() == 1

    remove = reverse("backoffice:participant_remove", args=[adj_claim.pk, person.pk])
    assert desk_client.post(remove).status_code == 302
    assert not Participant.objects.exists()


def test_participants_need_claim_edit_and_the_claim_is_scoped(technician, outsider_client,
                                                              desk_client, adj_claim,
                                                              other_claim):
    tech = Client()
    tech.force_login(technician)
    url = reverse("backoffice:participant_add", args=[adj_claim.pk])
    assert tech.post(url, {"email": "a@b.test", "role": "other"}).status_code == 403
    assert outsider_client.post(url, {"email": "a@b.test", "role": "other"}).status_code == 404
    row = Participant.objects.create(claim=other_claim, email="x@y.test")
    # Another claim's participant through our claim's URL: not found either way.
    mixed = reverse("backoffice:participant_remove", args=[adj_claim.pk, row.pk])
    assert outsider_client.post(mixed).status_code == 404
    assert desk_client.post(mixed).status_code == 404
    assert Participant.objects.filter(pk=row.pk).exists()


def test_technician_reads_email_but_gets_no_reply_or_people_buttons(technician, location,
                                                                    mailbox, adj_claim):
    file_mail(location, sender=ADJUSTER, subject=f"Photos {adj_claim.ro_number}",
              body="Looks good.", message_id="<t1@carrier.test>")
    tech = Client()
    tech.force_login(technician)
    html = _page(tech, adj_claim)
    assert "Looks good." in html
    assert "?reply=" not in html and "New email" not in html and "Add someone" not in html


def test_claim_page_queries_do_not_grow_with_mail(desk_client, location, mailbox, adj_claim,
                                                  front_desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claimory.mail.filing import mail_attach

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            _page(desk_client, adj_claim)
        return len(seen.captured_queries)

    first = file_mail(location, sender=ADJUSTER, subject=f"One {adj_claim.ro_number}",
                      body="One", message_id="<n0@carrier.test>",
                      files=(("a.jpg", "image/jpeg", jpeg_with_gps(60, 40)),))
    mail_attach(mail=first, claim=adj_claim, actor=front_desk)
    _page(desk_client, adj_claim)
    one = count()
    for n in range(1, 6):
        mail = file_mail(location, sender=f"other{n}@x.test", subject=f"Re {n}", body="x",
                         message_id=f"<n{n}@x.test>", in_reply_to="<n0@carrier.test>",
                         files=(("b.jpg", "image/jpeg", jpeg_with_gps(60, 40)),))
        mail_attach(mail=mail, claim=adj_claim, actor=front_desk)
    assert count() == one
