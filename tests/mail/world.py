"""The labelled shop mailbox (tests/mail/data/corpus, from the shared test data) as claims at
a location: its four open claims with their customers and adjusters, and the mail the shop
sent earlier (stored Message-IDs, as an import of the shop's Sent folder would leave)."""

from __future__ import annotations

import json
from pathlib import Path

from claimory.claims.models import Claim, Customer, Vehicle
from claimory.mail.models import MailDirection, MailMessage, MailStatus, Source
from tests.factories import make_claim

CORPUS = Path(__file__).parent / "data" / "corpus"


def corpus_world() -> dict:
    return json.loads((CORPUS / "world.json").read_text())


def corpus_labels() -> dict[str, dict]:
    return json.loads((CORPUS / "labels.json").read_text())


def corpus_files() -> list[Path]:
    return sorted((CORPUS / "mail").glob("*.eml"))


def build_world(location, actor) -> dict[str, Claim]:
    """ref ("A"…) -> the claim made for it."""
    world = corpus_world()
    claims: dict[str, Claim] = {}
    for spec in world["claims"]:
        claim = make_claim(location, actor=actor, name=spec["customer"][0],
                           claim_number=spec["claim"], ro_number=spec["ro"],
                           adjuster_name=spec["adjuster"][0], adjuster_email=spec["adjuster"][1])
        Customer.objects.filter(pk=claim.customer_id).update(email=spec["customer"][1])
        Vehicle.objects.filter(pk=claim.vehicle_id).update(vin=spec["vin"])
        claims[spec["ref"]] = Claim.objects.select_related("customer", "vehicle").get(pk=claim.pk)
    for sent in world["sent"]:
        claim = claims[sent["claim"]]
        MailMessage.objects.create(
            location=location, claim=claim, direction=MailDirection.OUTBOUND,
            status=MailStatus.SENT, source=Source.COMPOSE, message_id=sent["message_id"],
            subject=sent["subject"], from_address=world["shop_address"],
            to=[[claim.customer.name, claim.customer.email]])
    return claims
