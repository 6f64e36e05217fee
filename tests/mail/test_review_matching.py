"""Mail that would land on the wrong claim (review of issue 11). Wrong is worse than
unmatched: each of these must wait for a person."""

from __future__ import annotations

import pytest

from claimory.claims.models import Customer
from claimory.mail.filing import mail_file
from claimory.mail.matching import references_in
from claimory.mail.models import MailStatus, Source
from claimory.shops.models import Location
from tests.mail.rawmail import raw_mail
from tests.mail.world import build_world

pytestmark = pytest.mark.django_db
SHOP = "service@northsidecollision.example"


@pytest.fixture
def world(location, front_desk):
    return build_world(location, front_desk)


def file(location, **kwargs):
    return mail_file(location=location, raw=raw_mail(**kwargs), source=Source.IMPORT).mail


def test_a_claim_number_inside_a_longer_one_is_not_it():
    # SFG-99-301177-02 is the claimant's car on the same loss: another claim.
    assert "SFG99301177" not in references_in("Supplement for SFG-99-301177-02 attached")
    assert "SFG99301177" not in references_in("Supplement for X-SFG-99-301177")
    # Written plainly, or ended by punctuation, it still is.
    for text in ("Claim SFG-99-301177.", "claim SFG-99-301177, thanks", "(SFG 99 301177)",
                 "ACM-2026-118842/RO-5521"):
        assert "SFG99301177" in references_in(text.replace("ACM-2026-118842/RO-5521",
                                                           "SFG-99-301177/RO-5521")), text


def test_mail_about_a_longer_claim_number_waits(location, world):
    mail = file(location, sender="Desk <desk@carrier-x.example>",
                subject="Supplement approved: SFG-99-301177-02", body="See attached.")
    assert mail.status == MailStatus.UNMATCHED, mail.match_reason


def test_an_adjuster_on_one_claim_sending_a_new_cars_vin_waits(location, world):
    # Tom adjusts only claim B; this is a new assignment for another car.
    mail = file(location, sender="Tom Becker <tbecker@statewidefarm.example>",
                subject="New assignment",
                body="Please inspect the 2003 Honda Accord, VIN 1HGCM82633A004352.")
    assert mail.status == MailStatus.UNMATCHED, mail.match_reason
    assert world["B"].pk in mail.candidates


def test_the_customer_writing_their_own_vin_still_files(location, world):
    mail = file(location, sender="Luis Peña <luis.pena@example.com>", subject="my car",
                body="The VIN is 1HGCV1F37LA012345, is it ready?")
    assert mail.claim_id == world["B"].pk


def test_the_shops_own_address_on_a_claim_never_ties_mail_to_it(location, world):
    # The front desk typed the shop's address for a customer without email.
    Customer.objects.filter(pk=world["D"].customer_id).update(email=SHOP)
    Location.objects.filter(pk=location.pk).update(email=SHOP)
    location.refresh_from_db()
    from tests.mail.staff_fixtures import raw_mail as raw_with_cc

    mail = mail_file(location=location, source=Source.IMPORT, raw=raw_with_cc(
        sender=f"Northside <{SHOP}>", to="someone@else.example", cc=SHOP, subject="Quote",
        body="Here is the quote you asked for.",
        message_id="<quote-1@northsidecollision.example>")).mail
    assert mail.claim_id is None, mail.match_reason


def test_a_bracketed_claim_id_from_another_system_is_not_our_tag(location, world):
    # Claim A has an RO, so our tag is [RO-5521]; "[Claim <A's id>]" is some other system's.
    mail = file(location, sender="Portal <noreply@carrier-portal.example>",
                subject=f"[Claim {world['A'].pk}] Statement available", body="Log in to see it.")
    assert mail.claim_id is None, mail.match_reason


def test_our_own_claim_tag_still_files(location, world):
    from claimory.claims.models import Claim

    Claim.objects.filter(pk=world["A"].pk).update(ro_number="", claim_number="")
    mail = file(location, sender="Someone <someone@example.test>",
                subject=f"Re: photos [Claim {world['A'].pk}]", body="Here.")
    assert mail.claim_id == world["A"].pk


def test_another_claims_vin_in_the_quoted_history_never_moves_a_customers_mail(location, world):
    mail = file(location, sender="Luis Peña <luis.pena@example.com>", subject="thanks",
                body="Thanks, see you then.\n\nOn Mon, Northside wrote:\n"
                     "> Your car (VIN 4S4BSANC6K3212345) is ready.")
    assert mail.claim_id != world["A"].pk


def test_the_shops_mail_to_two_customers_waits(location, world):
    Location.objects.filter(pk=location.pk).update(email=SHOP)
    location.refresh_from_db()
    mail = file(location, sender=f"Northside <{SHOP}>",
                to="dana.whitfield@example.com, luis.pena@example.com",
                subject="Closed Friday", body="We are closed this Friday.")
    assert mail.claim_id is None and mail.direction == "out"
    assert set(mail.candidates) == {world["A"].pk, world["B"].pk}


def test_placing_the_shops_own_mail_does_not_make_the_shop_a_participant(location, world,
                                                                       front_desk):
    from claimory.mail.filing import mail_attach
    from claimory.mail.models import Participant

    Location.objects.filter(pk=location.pk).update(email=SHOP)
    location.refresh_from_db()
    mail = file(location, sender=f"Northside <{SHOP}>", to="stranger@else.example",
                subject="Quote", body="Here is the quote.")
    assert mail.direction == "out" and mail.claim_id is None
    mail_attach(mail=mail, claim=world["A"], actor=front_desk)
    assert not Participant.objects.filter(email=SHOP).exists()
