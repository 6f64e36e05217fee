"""A small, hand-computable history at Northside (America/Chicago, CST = UTC−6 in February;
open Mon–Fri 07:30–17:30, Sat 09:00–12:00, closed Sunday).

Period: Mon Feb 2 – Sun Feb 15, 2026, weekly buckets "Feb 2" and "Feb 9".

| claim | carrier      | opened        | started       | delivered          | promised | rental |
| A     | State Farm   | Mon 2 09:00   | Wed 4 10:00   | Fri 6 15:00        | Feb 6    | Feb 3  |
| B     | state farm   | Tue 3 08:00   | Mon 9 08:00   | Thu 12 14:00       | Feb 11   | –      |
| C     | Progressive  | Mon 9 12:00   | –             | Sat 14 11:00       | –        | –      |
| E     | Progressive  | Tue 10 08:00  | –             | Sun 15 23:30 (=16th UTC) | –  | –      |
| F     | Progressive  | Jan 26 08:00  | –             | Sun Feb 1 23:30 (=2nd UTC): outside |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from claimory.claims.models import Claim, ClaimEvent
from claimory.messaging.models import Direction, Message
from claimory.money.models import Supplement, SupplementStatus
from claimory.reports import portal_counter
from claimory.reports.period import Period
from claimory.survey.models import Survey, SurveyState
from tests.factories import make_claim

CHI = ZoneInfo("America/Chicago")
PERIOD = Period(dt.date(2026, 2, 2), dt.date(2026, 2, 15), "week")


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CHI)


def _event(claim: Claim, type: str, when: dt.datetime, data: dict, *, channel: str = "staff"
           ) -> None:
    seq = (ClaimEvent.objects.filter(claim=claim).order_by("-seq").values_list(
        "seq", flat=True).first() or 0) + 1
    ClaimEvent.objects.create(claim=claim, seq=seq, type=type, data=data, channel=channel,
                              customer_visible=True, created_at=when)


def history_claim(location, *, carrier: str, opened, delivered, started=None, promised=None,
                  rental=None) -> Claim:
    claim = make_claim(location, carrier=carrier)
    ClaimEvent.objects.filter(claim=claim).update(created_at=opened)
    Message.objects.filter(claim=claim).delete()  # intake's automated text, if any
    if started is not None:
        _event(claim, "stage", started, {"from": "estimate", "to": "started"})
    Claim.objects.filter(pk=claim.pk).update(created_at=opened, delivered_at=delivered,
                                             eta_first_promised=promised, rental_start=rental)
    claim.refresh_from_db()
    return claim


def message(claim: Claim, direction: str, when: dt.datetime, *, automated: bool = False
            ) -> None:
    row = Message.objects.create(claim=claim, direction=direction, body="…", channel="sms",
                                 automated=automated, status="sent")
    Message.objects.filter(pk=row.pk).update(created_at=when)


def survey(claim: Claim, when: dt.datetime, overall: int, recommend: int | None) -> None:
    Survey.objects.create(claim=claim, location=claim.location, state=SurveyState.ANSWERED,
                          answered_at=when, overall=overall, recommend=recommend)


@dataclass
class History:
    a: Claim
    b: Claim
    c: Claim
    e: Claim
    f: Claim


@pytest.fixture
def history(location) -> History:
    a = history_claim(location, carrier="State Farm", opened=at(2, 9), started=at(4, 10),
                      delivered=at(6, 15), promised=dt.date(2026, 2, 6),
                      rental=dt.date(2026, 2, 3))
    b = history_claim(location, carrier="state farm ", opened=at(3, 8), started=at(9, 8),
                      delivered=at(12, 14), promised=dt.date(2026, 2, 11))
    c = history_claim(location, carrier="Progressive", opened=at(9, 12), delivered=at(14, 11))
    e = history_claim(location, carrier="Progressive", opened=at(10, 8), delivered=at(15, 23, 30))
    f = history_claim(location, carrier="Progressive", opened=at(26, 8, month=1),
                      delivered=at(1, 23, 30))
    # Customer-visible updates: B's customer wrote (not an update); E got an ETA on the 12th.
    _event(b, "message", at(6, 9), {"direction": "in", "body": "any news?"}, channel="sms")
    _event(e, "eta", at(12, 9), {"eta": "2026-02-16"})
    # Supplements: A's first decided after 2 days, the second still pending.
    Supplement.objects.create(claim=a, number=1, amount="640.00", sent_on=dt.date(2026, 2, 3),
                              decided_on=dt.date(2026, 2, 5), status=SupplementStatus.APPROVED)
    Supplement.objects.create(claim=a, number=2, amount="120.00", sent_on=dt.date(2026, 2, 5))
    # Surveys.
    survey(a, at(7, 10), 5, 10)
    survey(b, at(13, 10), 2, 6)
    survey(c, at(14, 12), 4, 8)
    survey(e, at(15, 20), 5, 9)
    survey(f, at(1, 22), 1, 0)  # answered Feb 1 local: outside the period
    # Portal views (through the real counter).
    portal_counter.discard()
    for when, claim in [(at(2, 10, 15), a)] * 3 + [(at(3, 9), a), (at(3, 20), b),
                                                    (at(3, 20, 30), b), (at(9, 6, 30), c),
                                                    (at(1, 23, 30), f)]:
        portal_counter.record(claim.pk, at=when)
    portal_counter.flush()
    # Messages.
    message(a, Direction.INBOUND, at(2, 16))
    message(a, Direction.INBOUND, at(2, 16, 30))
    message(a, Direction.OUTBOUND, at(2, 17), automated=True)  # no answer; a status text
    message(a, Direction.OUTBOUND, at(3, 8))
    message(a, Direction.INBOUND, at(3, 10))
    message(a, Direction.OUTBOUND, at(3, 10, 10))
    message(b, Direction.INBOUND, at(7, 11, 50))
    message(b, Direction.OUTBOUND, at(9, 7, 40))
    message(c, Direction.INBOUND, at(10, 9))
    message(c, Direction.OUTBOUND, at(10, 9, 45))
    message(e, Direction.OUTBOUND, at(10, 11), automated=True)  # E's only touch that day
    message(e, Direction.INBOUND, at(12, 13))
    return History(a, b, c, e, f)


@pytest.fixture(autouse=True)
def no_pending_views():
    """Views counted by other tests in this process (claims long rolled back) stay out."""
    portal_counter.discard()
    yield
    portal_counter.discard()
