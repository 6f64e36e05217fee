"""Seed data for `claimory demo`: a believable shop with claims in every stage, idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from claimory.claims.models import Claim, ClaimEvent
from claimory.claims.services import (
    ClaimInput,
    CustomerInput,
    VehicleInput,
    claim_create,
    claim_eta_set,
    claim_stage_set,
    portal_token,
    portal_token_rotate,
)
from claimory.messaging.models import Conversation, Message
from claimory.messaging.services import message_receive, message_send
from claimory.shops.models import Location, Plan, Role, Stage
from claimory.shops.services import (
    apikey_authenticate,
    apikey_create,
    location_create,
    membership_add,
    staff_user_create,
    workspace_create,
)

DEMO_SLUG = "northside-collision"
DEMO_PASSWORD = "claimory-demo"  # noqa: S105 - printed on the console for the demo user
STAFF = (
    ("owner@northside.demo", "Olivia", "Grant", Role.OWNER),
    ("desk@northside.demo", "Frank", "Reyes", Role.FRONT_DESK),
    ("production@northside.demo", "Pat", "Nguyen", Role.PRODUCTION),
    ("tech@northside.demo", "Tomas", "Silva", Role.TECHNICIAN),
)


@dataclass(frozen=True)
class DemoClaim:
    name: str
    phone: str
    language: str
    year: int
    make: str
    model: str
    vin: str
    color: str
    plate: str
    carrier: str
    stage: str
    days_in: int
    eta_in_days: int
    deductible: str
    estimate: str


CLAIMS = (
    DemoClaim("Maria Lopez", "(512) 555-0142", "es", 2019, "Honda", "Accord", "1HGCM82633A004352",
              "Lunar Silver", "LKP4821", "State Farm", "pictures", 0, 9, "500", "3180.40"),
    DemoClaim("James Carter", "(512) 555-0187", "en", 2021, "Ford", "F-150", "1FTFW1ET9DFC10312",
              "Oxford White", "JCX2290", "GEICO", "estimate", 1, 10, "1000", "6420.00"),
    DemoClaim("Aisha Patel", "(512) 555-0123", "en", 2018, "Toyota", "Prius", "JTDKN3DU6A0123456",
              "Sea Glass Pearl", "APT0317", "Progressive", "teardown", 2, 8, "500", "2875.15"),
    DemoClaim("Daniel Kim", "(737) 555-0160", "en", 2020, "Tesla", "Model 3", "5YJ3E1EA2KF317000",
              "Pearl White", "DKM3EV", "Allstate", "supp_sent", 5, 9, "250", "8940.60"),
    DemoClaim("Sofia Hernández", "(512) 555-0175", "es", 2017, "Nissan", "Altima",
              "1N4AL3AP0JC123456", "Gun Metallic", "SHZ7734", "USAA", "supp_appr", 6, 6, "500",
              "4310.00"),
    DemoClaim("Robert Nguyen", "(512) 555-0111", "en", 2016, "BMW", "328i", "WBA8E9G58GNT12345",
              "Alpine White", "RBN3280", "Farmers", "started", 8, 4, "1000", "7125.85"),
    DemoClaim("Emily Johnson", "(737) 555-0199", "en", 2015, "Hyundai", "Elantra",
              "5NPE24AF1FH123456", "Venetian Red", "EJH1505", "Liberty Mutual", "started", 4, 5,
              "500", "2190.30"),
    DemoClaim("Carlos Romero", "(512) 555-0134", "es", 2015, "Jeep", "Grand Cherokee",
              "1C4RJFAG6FC123456", "Granite Crystal", "CRJ4411", "State Farm", "teardown", 1, 11,
              "500", "5560.00"),
    DemoClaim("Grace Liu", "(512) 555-0156", "en", 2017, "Kia", "Sportage", "KM8J3CA40HU123456",
              "Snow White Pearl", "GLK2017", "Progressive", "completed", 12, 0, "500", "3890.25"),
    DemoClaim("Marcus Brown", "(737) 555-0128", "en", 2019, "Toyota", "Corolla",
              "2T1BURHE5JC074359", "Blue Crush", "MBC1919", "GEICO", "delivered", 15, 0, "250",
              "1980.00"),
    DemoClaim("Hannah Schultz", "(512) 555-0190", "en", 2018, "Chevrolet", "Malibu",
              "1G1ZD5ST1JF246224", "Cajun Red", "HSM5181", "Allstate", "estimate", 0, 12, "500",
              "2740.00"),
    DemoClaim("Luis Ortega", "(512) 555-0147", "es", 2011, "Volkswagen", "Jetta",
              "3VWDX7AJ2BM339496", "Platinum Gray", "LOJ1100", "Farmers", "supp_sent", 3, 7,
              "1000", "3355.70"),
)


# (claim index, [(who, text)]): "c" is the customer, "s" the front desk.
THREADS = {
    3: [("c", "Hi, any news from Allstate on the extra parts?"),
        ("s", "We sent the supplement this morning; Allstate usually answers in 1-2 days. "
              "We'll update you here as soon as they approve it.")],
    5: [("c", "Is it ok if my wife picks the car up?"),
        ("s", "Of course. She just needs to bring her ID and the work order."),
        ("c", "Perfect, thank you!")],
    7: [("c", "¿Ya llegaron las piezas? Gracias.")],
    10: [("c", "Can I come by Saturday morning to pick up some things from the trunk?")],
}


@dataclass
class DemoResult:
    location: Location
    staff_email: str
    password: str
    portal_claim: Claim
    api_key: str


def _api_key(location: Location) -> str:
    """The demo key is kept in the data dir so re-runs print the same working key."""
    path = Path(settings.DATA_DIR) / "demo_api_key"
    if path.exists():
        raw = path.read_text().strip()
        if apikey_authenticate(raw) is not None:
            return raw
    _, raw = apikey_create(location=location, name="Demo key")
    path.write_text(raw)
    path.chmod(0o600)
    return raw


def _backdate(claim: Claim, entered: dt.datetime) -> None:
    """Spread the seeded history over past days so the board and timeline look lived-in."""
    events = list(ClaimEvent.objects.filter(claim=claim).order_by("seq"))
    start = entered - dt.timedelta(days=len(events))
    for i, event in enumerate(events[:-1]):
        ClaimEvent.objects.filter(pk=event.pk).update(created_at=start + dt.timedelta(days=i))
    if events:
        ClaimEvent.objects.filter(pk=events[-1].pk).update(created_at=entered)
    Claim.objects.filter(pk=claim.pk).update(stage_entered_at=entered, created_at=start)


def _seed_thread(claim: Claim, lines: list[tuple[str, str]], desk, now: dt.datetime) -> None:
    """A short conversation over the last few hours (the inbox shows believable waits)."""
    unanswered_since = None
    for k, (who, text) in enumerate(lines):
        at = now - dt.timedelta(minutes=47 * (len(lines) - k))
        if who == "c":
            message = message_receive(claim=claim, body=text)
            unanswered_since = unanswered_since or at
        else:
            message = message_send(claim=claim, body=text, actor=desk)
            unanswered_since = None
        Message.objects.filter(pk=message.pk).update(created_at=at)
        ClaimEvent.objects.filter(pk=message.event_id).update(created_at=at)
    if unanswered_since:
        Conversation.objects.filter(claim=claim).update(waiting_since=unanswered_since,
                                                        last_message_at=now)


@transaction.atomic
def seed() -> DemoResult:
    location = Location.objects.filter(slug=DEMO_SLUG).first()
    User = get_user_model()
    if location is None:
        workspace = workspace_create(name="Northside Collision", plan=Plan.PROFESSIONAL)
        location = location_create(
            workspace=workspace, slug=DEMO_SLUG, name="Northside Collision",
            phone="+15125550100", sms_number="+15125550199", email="service@northside.demo",
            address_line1="4100 N Lamar Blvd", city="Austin", region="TX", postal_code="78756",
            timezone="America/Chicago", brand_color="#0f5fc2",
            tagline="Family-owned collision repair since 1998",
        )
        for email, first, last, role in STAFF:
            user = User.objects.filter(username=email).first() or staff_user_create(
                email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
            membership_add(user=user, workspace=workspace, role=role, locations=[location])
    desk = User.objects.get(username=STAFF[1][0])
    production = User.objects.get(username=STAFF[2][0])
    stages = list(Stage.objects.filter(location=location).order_by("position"))
    existing = set(location.claims.values_list("vehicle__vin", flat=True))
    now = timezone.now()
    for i, spec in enumerate(CLAIMS):
        if spec.vin in existing:
            continue
        claim = claim_create(location=location, actor=desk, data=ClaimInput(
            customer=CustomerInput(name=spec.name, phone=spec.phone, language=spec.language,
                                   email=f"{spec.name.split()[0].lower()}@example.com",
                                   sms_opt_in=True, email_opt_in=i % 3 == 0),
            vehicle=VehicleInput(year=spec.year, make=spec.make, model=spec.model, vin=spec.vin,
                                 color=spec.color, plate=spec.plate),
            claim_number=f"{spec.carrier[:2].upper()}-{24_118_300 + i * 37}",
            ro_number=f"RO-{24_310 + i}",
            carrier=spec.carrier,
            adjuster_name=["Kelly Tran", "Mike Osborne", "Jen Alvarez"][i % 3],
            deductible=Decimal(spec.deductible),
            estimate_total=Decimal(spec.estimate),
            rental_days_covered=[10, 14, None][i % 3],
            eta=(now + dt.timedelta(days=max(spec.eta_in_days, 0))).date(),
            internal_notes="Labor rate dispute with adjuster; do not mention to customer."
            if i % 4 == 1 else "",
        ))
        target = next(s for s in stages if s.slug == spec.stage)
        for stage in stages[1:]:
            if stage.position > target.position:
                break
            claim_stage_set(claim=claim, stage=stage, actor=production)
        if spec.stage in {"supp_sent", "supp_appr", "started"} and i % 2 == 1:
            claim_eta_set(claim=claim, eta=claim.eta + dt.timedelta(days=3), actor=desk,
                          reason="Supplement added a rear bumper reinforcement on back-order")
        _backdate(claim, now - dt.timedelta(days=spec.days_in, hours=2 + i))
        _seed_thread(claim, THREADS.get(i, []), desk, now)
        if spec.stage == "completed":
            Claim.objects.filter(pk=claim.pk).update(eta=now.date(), eta_first_promised=now.date())
        if spec.stage == "delivered":
            Claim.objects.filter(pk=claim.pk).update(delivered_at=now - dt.timedelta(days=1))
    demo_claims = location.claims.select_related("location", "stage", "customer", "vehicle")
    demo_claims = demo_claims.filter(vehicle__vin__in=[spec.vin for spec in CLAIMS])
    portal_claim = (demo_claims.filter(stage__slug="started").order_by("created_at").first()
                    or demo_claims.first())
    if portal_token(portal_claim) is None:
        # Seeded under another SECRET_KEY (or the link was revoked): print a working link.
        portal_token_rotate(claim=portal_claim, actor=desk)
    return DemoResult(location=location, staff_email=STAFF[0][0], password=DEMO_PASSWORD,
                      portal_claim=portal_claim, api_key=_api_key(location))

