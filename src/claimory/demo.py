"""Seed data for `claimory demo`: a believable shop with claims in every stage, idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from claimory import demo_photos
from claimory.claims.models import Claim, ClaimEvent, EventType
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
from claimory.money.models import RentalRule, Supplement
from claimory.money.rental import rental_rule_save
from claimory.money.supplements import supplement_add, supplement_decide
from claimory.notifications.models import NotificationRule
from claimory.notifications.selectors import trigger_rows
from claimory.notifications.services import rules_set, templates_approve_all
from claimory.shops.models import Location, Plan, Role, Stage, default_hours
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
    DemoClaim("Priya Shah", "(512) 555-0171", "en", 2019, "Subaru", "Outback",
              "4S4BSANC2K3312345", "Crystal Black", "PSO6120", "USAA", "delivered", 17, 0, "500",
              "2640.00"),
)
# Post-repair surveys of the delivered demo claims (by VIN): Marcus was invited this morning
# and has not answered; Priya answered a 2 with a comment, which opened a manager follow-up
# (and, like every respondent, she was offered the review link).
SURVEY_ANSWERS = {
    "4S4BSANC2K3312345": {"overall": 2, "quality": 3, "communication": 2, "on_time": 2,
                          "recommend": 4, "comment": "The car looks great but it was ready "
                          "three days after the date you gave me, and nobody called."},
}
DEMO_REVIEW_URL = "https://search.google.com/local/writereview?placeid=ChIJNorthsideDemo"


# claim index -> [(who, text, shop-open minutes before the latest open moment)]: "c" is the
# customer, "s" the front desk. Unanswered threads wait for different lengths of time.
THREADS = {
    3: [("c", "Hi, any news from Allstate on the extra parts?", 320),
        ("s", "We sent the supplement this morning; Allstate usually answers in 1-2 days. "
              "We'll update you here as soon as they approve it.", 296)],
    4: [("c", "Hola, ¿para cuándo creen que estará listo mi carro?", 410),
        ("s", "Hola Sofía, estamos esperando la respuesta de la aseguradora sobre el "
              "suplemento. En cuanto la tengamos le avisamos por aquí.", 384)],
    5: [("c", "Is it ok if my wife picks the car up?", 230),
        ("s", "Of course. She just needs to bring her ID and the work order.", 214),
        ("c", "Perfect, thank you!", 12)],
    7: [("c", "¿Ya llegaron las piezas? Gracias.", 95)],
    10: [("c", "Can I come by Saturday morning to pick up some things from the trunk?", 41)],
    11: [("c", "Buenas tardes, ¿ya les contestó Farmers sobre el suplemento?", 640)],
}
# Why the ETA moved, in the customer's language (the portal shows it as the shop wrote it).
ETA_REASON = {
    "en": "Supplement added a rear bumper reinforcement on back-order",
    "es": "El suplemento agregó un refuerzo de la defensa trasera que está pendiente de llegar",
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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ShopClock:
    """Moments inside the shop's opening hours, counted back from the latest open moment
    (now while the shop is open, else its last closing time): demo history happens while
    the shop is open, whatever the time the demo is started."""

    def __init__(self, location: Location, now: dt.datetime):
        self.tz = ZoneInfo(location.timezone)
        self.hours = location.business_hours or default_hours()
        self.latest = next(self._spans_back(now))[1]

    def _span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        hours = self.hours.get(WEEKDAYS[day.weekday()])
        if not hours:
            return None
        opens, closes = (dt.datetime.combine(day, dt.time.fromisoformat(hours[key]),
                                             tzinfo=self.tz) for key in ("open", "close"))
        return (opens, closes) if opens < closes else None

    def _spans_back(self, moment: dt.datetime):
        """Open (start, end) spans before ``moment``, newest first, the first one cut there."""
        day = moment.astimezone(self.tz).date()
        for _ in range(366):
            span = self._span(day)
            if span and span[0] < moment:
                yield span[0], min(span[1], moment)
            day -= dt.timedelta(days=1)

    def back(self, minutes: float, moment: dt.datetime | None = None) -> dt.datetime:
        """The moment ``minutes`` of opening time before ``moment`` (default: latest)."""
        left = minutes
        for opens, closes in self._spans_back(moment or self.latest):
            length = (closes - opens).total_seconds() / 60
            if left <= length:
                return closes - dt.timedelta(minutes=left)
            left -= length
        raise ValueError("no opening hours in the past year")

    def open_minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        total = 0.0
        for opens, closes in self._spans_back(end):
            if closes <= start:
                break
            total += (closes - max(opens, start)).total_seconds() / 60
        return total

    def day_start(self, days_back: int) -> dt.datetime:
        """Opening time of the open day ``days_back`` days before the latest moment."""
        day = self.latest.astimezone(self.tz).date() - dt.timedelta(days=days_back)
        while self._span(day) is None:
            day -= dt.timedelta(days=1)
        return self._span(day)[0]

    def spread(self, start: dt.datetime, end: dt.datetime, n: int) -> list[dt.datetime]:
        """``n`` moments from ``start`` to ``end``, evenly over the opening time between."""
        if n == 1:
            return [end]
        total = self.open_minutes(start, end)
        return [self.back(total * (n - 1 - k) / (n - 1), end) for k in range(n)]


def _through(stages: list[Stage], spec: DemoClaim) -> list[str]:
    """The stage slugs a demo claim has been through, up to its own."""
    slugs = [stage.slug for stage in stages]
    return slugs[:slugs.index(spec.stage) + 1]


def _weekday(day: dt.date) -> dt.date:
    """Promised dates fall on a weekday."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _arrival(clock: ShopClock, spec: DemoClaim, i: int) -> dt.datetime:
    """When the car came in: early on the open day ``days_in`` days ago."""
    return clock.day_start(spec.days_in) + dt.timedelta(minutes=10 + (i * 13) % 50)


def _backdate(claim: Claim, clock: ShopClock, spec: DemoClaim, i: int,
              before: dt.datetime | None = None) -> None:
    """Spread the claim's history over the opening hours of the days it has been in: it came
    in ``days_in`` days ago, the latest change happened a little while ago (a delivered car
    left the day before) and, when the claim has a thread, before its first message — the
    timeline reads in one order by time and by sequence."""
    events = list(ClaimEvent.objects.filter(claim=claim).order_by("seq"))
    end = clock.back(5 + (i * 29) % 150)
    if spec.stage == "delivered":
        end = clock.back(600, end)  # a full day of opening hours earlier
    if before is not None:
        end = min(end, clock.back(5, before))
    start = _arrival(clock, spec, i)
    if start >= end:  # came in this morning and the shop has only just opened
        start = clock.back(20 * len(events), end)
    times = clock.spread(start, end, len(events))
    for event, at in zip(events, times, strict=True):
        ClaimEvent.objects.filter(pk=event.pk).update(created_at=at)
    stage_at = max((at for event, at in zip(events, times, strict=True)
                    if event.type == EventType.STAGE), default=times[0])
    changes = {"created_at": times[0], "stage_entered_at": stage_at}
    eta_at = [at for event, at in zip(events, times, strict=True) if event.type == EventType.ETA]
    if eta_at:
        changes["eta_changed_at"] = eta_at[-1]
    stage_day = stage_at.astimezone(clock.tz).date()
    if spec.stage == "completed":  # finished on the promised day
        changes.update(eta=stage_day, eta_first_promised=stage_day)
    if spec.stage == "delivered":  # the same moment on the timeline, the API and the portal
        changes.update(delivered_at=stage_at, eta=stage_day, eta_first_promised=stage_day)
    Claim.objects.filter(pk=claim.pk).update(**changes)


SUPPLEMENT_SHARE = Decimal("0.18")  # a supplement adds about a fifth to the first estimate
RENTAL_STAGES = {"teardown", "supp_sent", "supp_appr", "started", "completed"}


def _seed_rental_rules(location: Location) -> None:
    """Three carriers' rental rules, so claims without typed-in days still show a counter."""
    rules = ({"carrier": "Farmers", "days_allowed": 15, "count_weekends": True},
             {"carrier": "Allstate", "days_allowed": 10, "daily_limit": "40.00",
              "count_weekends": True},
             {"carrier": "State Farm", "hours_per_day": "6", "min_days": 5, "max_days": 21,
              "count_weekends": False})
    for values in rules:
        if not RentalRule.objects.filter(location=location,
                                         carrier__iexact=values["carrier"]).exists():
            rental_rule_save(location=location, values=values)


def _seed_supplement_step(claim: Claim, stage_slug: str, desk) -> None:
    """The supplement that goes with the stage move just made: sent at "Supplement sent",
    approved at "Supplement approved" (dated today; ``_money_backdate`` moves the dates)."""
    if stage_slug == "supp_sent":
        amount = (claim.estimate_total * SUPPLEMENT_SHARE).quantize(Decimal("0.01"))
        supplement_add(claim=claim, amount=amount, actor=desk)
    elif stage_slug == "supp_appr":
        supplement = Supplement.objects.filter(claim=claim).order_by("-number").first()
        if supplement is not None:
            supplement_decide(supplement=supplement, status="approved", actor=desk)


def _money_backdate(claim: Claim, stage_slug: str, clock: ShopClock) -> None:
    """Once the history is spread over past days: the supplement's dates are its events'
    days, and a car still in the shop has had a rental since the day it came in."""
    events = ClaimEvent.objects.filter(claim=claim, type=EventType.SUPPLEMENT).order_by("seq")
    for event in events:
        day = event.created_at.astimezone(clock.tz).date().isoformat()
        field = "sent_on" if event.data.get("status") == "pending" else "decided_on"
        Supplement.objects.filter(pk=event.data["supplement_id"]).update(**{field: day})
        ClaimEvent.objects.filter(pk=event.pk).update(data={**event.data, field: day})
    sent = dict(Supplement.objects.filter(claim=claim).values_list("pk", "sent_on"))
    for event in events:  # the decision's event names the (moved) day it was sent
        if event.data.get("status") != "pending":
            day = sent[event.data["supplement_id"]].isoformat()
            ClaimEvent.objects.filter(pk=event.pk).update(data={**event.data, "sent_on": day})
    if stage_slug in RENTAL_STAGES:
        claim.refresh_from_db()
        Claim.objects.filter(pk=claim.pk).update(
            rental_start=claim.created_at.astimezone(clock.tz).date(),
            rental_company="Enterprise", labor_hours=Decimal("38.5"))


def _thread_times(lines: list[tuple[str, str, int]], clock: ShopClock,
                  arrived: dt.datetime) -> list[dt.datetime]:
    """When each line of a demo thread was written: its ``minutes_ago`` in opening hours,
    never in the car's first hour at the shop (its intake and first moves come first)."""
    return [min(max(clock.back(minutes_ago), arrived + dt.timedelta(minutes=60 + k)),
                clock.latest)
            for k, (_who, _text, minutes_ago) in enumerate(lines)]


def _seed_thread(claim: Claim, lines: list[tuple[str, str, int]], desk,
                 times: list[dt.datetime]) -> None:
    """A short conversation at ``times``; an unanswered one waits since its first
    unanswered customer message."""
    unanswered_since = at = None
    for (who, text, _minutes_ago), at in zip(lines, times, strict=True):
        if who == "c":
            message = message_receive(claim=claim, body=text)
            unanswered_since = unanswered_since or at
        else:
            message = message_send(claim=claim, body=text, actor=desk)
            unanswered_since = None
        Message.objects.filter(pk=message.pk).update(created_at=at)
        ClaimEvent.objects.filter(pk=message.event_id).update(created_at=at)
    if at is not None:
        Conversation.objects.filter(claim=claim).update(waiting_since=unanswered_since,
                                                        last_message_at=at)


@transaction.atomic
def _seed_unmatched_text(location: Location) -> None:
    """A text from a number no claim has, waiting under "Unmatched texts" in the inbox; it
    goes through the real inbound path (filed once: its message id is remembered)."""
    from claimory.sms.inbound import inbound_receive

    if location.sms_number:
        inbound_receive({
            "id": "demo-unmatched-1", "from": {"phone_number": "+15125550987"},
            "to": [{"phone_number": location.sms_number}],
            "text": "Hola, soy Elena, la esposa de Luis Ortega. ¿Ya está listo el Jetta? "
                    "Puedo pasar por él después de las 5.",
        }, provider="simulator")


def _seed_document(location: Location, desk, clock: ShopClock) -> None:
    """A betterment approval waiting for the signature of the portal claim's customer (the
    claim the demo prints a link to), once; sent in shop hours after the claim's history."""
    from claimory.esign.models import AuditEntry, Document
    from claimory.esign.services import document_send

    claims = location.claims.filter(vehicle__vin__in=[spec.vin for spec in CLAIMS])
    claim = (claims.filter(stage__slug="started").order_by("created_at").first()
             or claims.first())
    if claim is None or Document.objects.filter(claim=claim).exists():
        return
    with transaction.atomic():
        document = document_send(claim=claim, kind="betterment", actor=desk, values={
            "amount": "186.40", "parts": "Two front tyres (worn past 4/32 in.)"})
        events = ClaimEvent.objects.filter(claim=claim)
        last = events.exclude(type=EventType.DOCUMENT).order_by("-created_at").first()
        at = clock.back(30)
        if last is not None:  # after everything the claim shows, still in shop hours
            at = min(max(at, last.created_at + dt.timedelta(seconds=1)), clock.latest)
        Document.objects.filter(pk=document.pk).update(sent_at=at)
        AuditEntry.objects.filter(document=document).update(at=at)
        events.filter(type=EventType.DOCUMENT).update(created_at=at)


def _seed_surveys(location: Location, clock: ShopClock) -> None:
    """The delivered demo claims' surveys, through the real services, then moved into shop
    hours after the delivery: the invitation (history texts nobody, so the portal offers it
    alone) and, where ``SURVEY_ANSWERS`` says, the customer's answer."""
    from claimory.core import durable
    from claimory.survey.models import FollowUp, Survey, SurveyState
    from claimory.survey.services import survey_answer, survey_send

    surveys = Survey.objects.filter(
        claim__location=location, state=SurveyState.SCHEDULED,
        claim__vehicle__vin__in=[spec.vin for spec in CLAIMS]).select_related("claim__vehicle")
    for n, survey in enumerate(surveys.order_by("claim__created_at")):
        claim = survey.claim
        answers = SURVEY_ANSWERS.get(claim.vehicle.vin)
        sent_at = clock.back(240 if answers else 45 + n)
        if sent_at <= claim.delivered_at:
            continue
        seq = claim.event_seq
        Survey.objects.filter(pk=survey.pk).update(due_at=None)
        row = durable.claim(Survey, survey.pk)
        if row is None:
            continue
        survey_send(row)
        expires = sent_at + dt.timedelta(days=location.survey_expiry_days)
        Survey.objects.filter(pk=survey.pk).update(due_at=sent_at, expires_at=expires)
        times = [sent_at]
        if answers:
            survey_answer(claim=claim, answers=answers)
            answered_at = clock.back(150)
            Survey.objects.filter(pk=survey.pk).update(answered_at=answered_at)
            FollowUp.objects.filter(survey=survey).update(created_at=answered_at)
            times.append(answered_at)
        events = ClaimEvent.objects.filter(claim=claim, seq__gt=seq).order_by("seq")
        for event, at in zip(events, times, strict=False):
            ClaimEvent.objects.filter(pk=event.pk).update(created_at=at)
# New customers who booked online (no claim yet, so no history to backdate): (kind, day
# index among the open days ahead, slot index that day, name, phone, vehicle, confirmed).
APPOINTMENTS = [
    ("estimate", 0, 2, "Jordan Blake", "+15125550161", "2021 Toyota RAV4", True),
    ("estimate", 0, 9, "Priya Natarajan", "+15125550162", "2018 Ford Escape", False),
    ("drop_off", 1, 0, "Luis Herrera", "+15125550163", "2016 Honda Civic", True),
    ("estimate", 1, 6, "Grace Kim", "+15125550164", "2022 Kia Telluride", False),
    ("pickup", 2, 14, "Sam Okafor", "+15125550165", "2019 Chevrolet Malibu", True),
    ("drop_off", 3, 1, "Elena Morales", "+15125550166", "2020 Nissan Altima", False),
]


def _seed_appointments(location: Location) -> None:
    """A few requested and confirmed appointments in the coming days, so the calendar and
    the feed show something (once: a seeded location keeps the ones it has)."""
    from claimory.appointments.models import Appointment
    from claimory.appointments.services import (
        BookingRefused,
        Request,
        appointment_book,
        appointment_confirm,
        free_slots,
    )

    if Appointment.objects.filter(location=location).exists():
        return
    for kind, day, slot, name, phone, vehicle, confirmed in APPOINTMENTS:
        days = free_slots(location, kind, days=14)
        if day >= len(days):
            continue
        slots = days[day].slots
        try:
            row = appointment_book(location=location, request=Request(
                kind=kind, start=slots[min(slot, len(slots) - 1)].start, name=name,
                phone=phone, vehicle=vehicle, source="web"))
        except BookingRefused:
            continue
        if confirmed:
            appointment_confirm(appointment=row)


def seed(now: dt.datetime | None = None) -> DemoResult:
    location = Location.objects.filter(slug=DEMO_SLUG).first()
    User = get_user_model()
    if location is None:
        workspace = workspace_create(name="Northside Collision", plan=Plan.PROFESSIONAL,
                                     trial=False)
        location = location_create(
            workspace=workspace, slug=DEMO_SLUG, name="Northside Collision",
            phone="+15125550100", sms_number="+15125550199", email="service@northside.demo",
            address_line1="4100 N Lamar Blvd", city="Austin", region="TX", postal_code="78756",
            timezone="America/Chicago", brand_color="#0f5fc2",
            tagline="Family-owned collision repair since 1998",
        )
        location.review_url = DEMO_REVIEW_URL
        location.save(update_fields=["review_url", "updated_at"])
        for email, first, last, role in STAFF:
            user = User.objects.filter(username=email).first() or staff_user_create(
                email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
            membership_add(user=user, workspace=workspace, role=role, locations=[location])
    desk = User.objects.get(username=STAFF[1][0])
    production = User.objects.get(username=STAFF[2][0])
    tech = User.objects.get(username=STAFF[3][0])
    stages = list(Stage.objects.filter(location=location).order_by("position"))
    existing = {claim.vehicle.vin: claim for claim in
                location.claims.select_related("location", "stage", "customer", "vehicle")}
    now = now or timezone.now()
    clock = ShopClock(location, now)
    today = now.astimezone(clock.tz).date()  # promised dates start from today, never before
    # The seeded history is the past: it texts nobody (every rule off while it is written).
    # Photos a demo seeded before photos existed still lacks (bay photos text the customer).
    old_photos = {existing[spec.vin]: demo_photos.wanted_keys(i, _through(stages, spec))
                  for i, spec in enumerate(CLAIMS) if spec.vin in existing}
    history = (any(spec.vin not in existing for spec in CLAIMS)
               or demo_photos.photos_missing(old_photos))
    if history:
        rules_set(location=location,
                  enabled={row.trigger: False for row in trigger_rows(location)})
    _seed_rental_rules(location)
    for i, spec in enumerate(CLAIMS):
        if spec.vin in existing:
            demo_photos.seed_photos(existing[spec.vin], i, _through(stages, spec), actor=tech)
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
            eta=_weekday(today + dt.timedelta(days=max(spec.eta_in_days, 0))),
            internal_notes="Labor rate dispute with adjuster; do not mention to customer."
            if i % 4 == 1 else "",
        ))
        target = next(s for s in stages if s.slug == spec.stage)
        # Photos are taken as the car goes through the stages (tagged with each).
        demo_photos.seed_stage_photos(claim, i, stages[0].slug, actor=tech)
        for stage in stages[1:]:
            if stage.position > target.position:
                break
            claim_stage_set(claim=claim, stage=stage, actor=production)
            _seed_supplement_step(claim, stage.slug, desk)
            demo_photos.seed_stage_photos(claim, i, stage.slug, actor=tech)
        if spec.stage in {"supp_sent", "supp_appr", "started"} and i % 2 == 1:
            claim_eta_set(claim=claim, eta=_weekday(claim.eta + dt.timedelta(days=3)),
                          actor=desk, reason=ETA_REASON[spec.language])
        thread = THREADS.get(i, [])
        times = _thread_times(thread, clock, _arrival(clock, spec, i))
        _backdate(claim, clock, spec, i, before=times[0] if times else None)
        _money_backdate(claim, spec.stage, clock)
        demo_photos.photos_backdate(claim)
        _seed_thread(claim, thread, desk, times)
    _seed_unmatched_text(location)
    _seed_document(location, desk, clock)  # while the seeded history texts nobody
    _seed_surveys(location, clock)
    if history:  # back to the defaults (everything on) for what happens live
        NotificationRule.objects.filter(location=location).delete()
    # Approved (the shop's one click) so the live demo texts the simulated phone.
    templates_approve_all(location=location)
    demo_claims = location.claims.select_related("location", "stage", "customer", "vehicle")
    demo_claims = demo_claims.filter(vehicle__vin__in=[spec.vin for spec in CLAIMS])
    portal_claim = (demo_claims.filter(stage__slug="started").order_by("created_at").first()
                    or demo_claims.first())
    from claimory.demo_mail import seed_mail

    seed_mail(location, portal_claim, list(demo_claims), clock)
    _seed_appointments(location)
    if portal_token(portal_claim) is None:
        # Seeded under another SECRET_KEY (or the link was revoked): print a working link.
        portal_token_rotate(claim=portal_claim, actor=desk)
    return DemoResult(location=location, staff_email=STAFF[0][0], password=DEMO_PASSWORD,
                      portal_claim=portal_claim, api_key=_api_key(location))

