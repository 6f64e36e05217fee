"""`claimory demo` seeds a believable shop, idempotently, and prints how to get in."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from claimory import demo, demo_photos
from claimory.api.present import claim_out
from claimory.claims.models import Claim, ClaimEvent, EventType
from claimory.claims.selectors import claim_get_for_token
from claimory.claims.vin import validate_vin
from claimory.messaging.models import Conversation, Direction, Message
from claimory.photos.models import Kind, Photo, Source, State
from claimory.shops.models import Stage
from claimory.shops.services import apikey_authenticate


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Seeding stores real photo files: in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_seed_covers_every_stage_and_is_idempotent(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    first = demo.seed()
    again = demo.seed()
    claims = Claim.objects.filter(location=first.location)
    assert claims.count() == len(demo.CLAIMS) == 13
    stage_slugs = set(Stage.objects.filter(location=first.location).values_list("slug", flat=True))
    assert set(claims.values_list("stage__slug", flat=True)) == stage_slugs
    for vin in claims.values_list("vehicle__vin", flat=True):
        validate_vin(vin)
    assert again.api_key == first.api_key
    # The seeded threads, and the customer's question by email (demo_mail.py).
    assert Message.objects.filter(claim__location=first.location).count() == sum(
        len(lines) for lines in demo.THREADS.values()) + 1
    assert Conversation.objects.filter(waiting_since__isnull=False).count() == 4
    assert apikey_authenticate(first.api_key).location == first.location
    from claimory.sms.models import UnmatchedText  # one text waits for staff to file it

    assert UnmatchedText.objects.filter(location=first.location).count() == 1
    from claimory.esign.models import Document  # one document waits for a signature

    waiting = Document.objects.get(claim__location=first.location)
    assert waiting.claim == first.portal_claim and waiting.open


@pytest.mark.django_db
def test_seed_has_processed_photos_once(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    first = demo.seed()
    photos = Photo.objects.filter(claim__location=first.location)
    expected = sum(len(shots) for shots in demo_photos.SHOTS.values()) + 1  # + the card
    assert photos.count() == expected
    assert set(photos.values_list("state", flat=True)) == {State.READY}
    for photo in photos:  # the real variants, on disk, GPS-free by construction
        for field in (photo.file, photo.file_webp, photo.thumbnail, photo.thumbnail_webp):
            assert (settings.MEDIA_ROOT / field.name).stat().st_size > 1000
        assert not photo.original.name and photo.thumb_width == 480
        event = ClaimEvent.objects.filter(claim=photo.claim, data__photo_id=photo.pk).get()
        assert photo.published_at == photo.created_at == event.created_at
    card = photos.get(source=Source.CUSTOMER)
    assert card.claim == first.portal_claim and card.kind == Kind.INSURANCE_CARD
    portal = photos.filter(claim=first.portal_claim, source=Source.BAY)
    assert {p.stage for p in portal} >= {"pictures", "teardown", "started"}
    assert portal.filter(internal=True).count() == 1
    demo.seed()
    assert photos.count() == expected
    events = ClaimEvent.objects.filter(claim__location=first.location,
                                       type__in=[EventType.PHOTO, EventType.UPLOAD])
    assert events.count() == expected


@pytest.mark.django_db
def test_a_demo_seeded_before_photos_gets_them_without_texting(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    first = demo.seed()
    Photo.objects.filter(claim__location=first.location).delete()
    texts = Message.objects.filter(claim__location=first.location).count()
    demo.seed()
    expected = sum(len(shots) for shots in demo_photos.SHOTS.values()) + 1
    assert Photo.objects.filter(claim__location=first.location,
                                state=State.READY).count() == expected
    assert Message.objects.filter(claim__location=first.location).count() == texts


@pytest.mark.django_db
def test_demo_command_prints_login_portal_qr_and_api_key(tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.BASE_URL = "http://demo.test:8000"
    monkeypatch.setenv("CLAIMORY_BASE_URL", "http://demo.test:8000")
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "owner@northside.demo" in text and demo.DEMO_PASSWORD in text
    portal_line = next(line for line in text.splitlines() if "/c/" in line)
    token = portal_line.strip().rsplit("/c/", 1)[1]
    assert claim_get_for_token(token) is not None
    assert "█" in text  # the QR drawn in the terminal
    key_line = next(line for line in text.splitlines() if line.startswith("API key: "))
    assert apikey_authenticate(key_line.removeprefix("API key: ").strip()) is not None




def _coming(weekday: int, hour: int, minute: int) -> dt.datetime:
    """A moment next week or the one after (seeding checks promised dates against today)."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


# In Chicago: a Tuesday just after opening, a Sunday (closed), a Wednesday night.
NOWS = [_coming(1, 13, 40), _coming(6, 18, 0), _coming(3, 3, 30)]


def _seeded(now, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    result = demo.seed(now=now)
    return result, demo.ShopClock(result.location, now)


def spec_name(claim):
    return next(s.name for s in demo.CLAIMS if s.vin == claim.vehicle.vin)


def _in_hours(clock, at):
    span = clock._span(at.astimezone(clock.tz).date())
    return span is not None and span[0] <= at <= span[1]


@pytest.mark.django_db
@pytest.mark.parametrize("now", NOWS)
def test_history_happens_in_shop_hours_over_the_days_the_car_is_in(now, tmp_path, settings):
    result, clock = _seeded(now, tmp_path, settings)
    for claim in Claim.objects.filter(location=result.location):
        events = list(ClaimEvent.objects.filter(claim=claim).order_by("seq"))
        assert all(_in_hours(clock, e.created_at) and e.created_at <= now for e in events)
        history = [e.created_at for e in events if e.type != EventType.MESSAGE]
        assert history == sorted(history) and len(set(history)) == len(history)
        # Messages too: the timeline (newest first by sequence) reads in time order.
        every = [e.created_at for e in events]
        assert every == sorted(every), spec_name(claim)
        assert claim.created_at == history[0]
        stage_events = [e.created_at for e in events if e.type == EventType.STAGE]
        assert claim.stage_entered_at == (stage_events[-1] if stage_events else history[0])
        spec = next(s for s in demo.CLAIMS if s.vin == claim.vehicle.vin)
        came_in = (clock.latest - claim.created_at).days
        assert spec.days_in - 3 <= came_in <= spec.days_in + 3, (spec.name, came_in)
        assert claim.eta is None or clock._span(claim.eta) is not None  # an open day


@pytest.mark.django_db
@pytest.mark.parametrize("now", NOWS[:2])
def test_eta_changed_on_the_day_its_event_happened(now, tmp_path, settings):
    result, _clock = _seeded(now, tmp_path, settings)
    moved = Claim.objects.filter(location=result.location, eta_changed_at__isnull=False)
    assert moved.count() == 3
    for claim in moved:
        event = ClaimEvent.objects.filter(claim=claim, type=EventType.ETA).latest("seq")
        assert claim.eta_changed_at == event.created_at
        assert claim.eta > claim.eta_first_promised


@pytest.mark.django_db
@pytest.mark.parametrize("now", NOWS)
def test_delivered_claim_dates_agree_everywhere(now, tmp_path, settings):
    result, clock = _seeded(now, tmp_path, settings)
    claims = Claim.objects.select_related("location", "stage", "customer", "vehicle").filter(
        location=result.location, stage__slug="delivered")
    assert claims.count() == 2  # one survey waits for an answer, one was answered
    for claim in claims:
        delivered = ClaimEvent.objects.filter(claim=claim, type=EventType.STAGE).latest("seq")
        assert claim.delivered_at == claim.stage_entered_at == delivered.created_at
        assert claim_out(claim)["delivered_at"] == delivered.created_at
        day = delivered.created_at.astimezone(ZoneInfo(claim.location.timezone)).date()
        assert claim.eta == claim.eta_first_promised == day
        assert delivered.created_at < clock.latest  # delivered before the latest open day


@pytest.mark.django_db
def test_spanish_customers_read_spanish_from_the_shop(tmp_path, settings):
    result, _clock = _seeded(NOWS[0], tmp_path, settings)
    english = {text for i, lines in demo.THREADS.items() if demo.CLAIMS[i].language == "en"
               for _who, text, _at in lines} | {demo.ETA_REASON["en"]}
    shop_texts = []
    for claim in Claim.objects.filter(location=result.location, customer__language="es"):
        shop_texts += list(Message.objects.filter(claim=claim, direction=Direction.OUTBOUND)
                           .values_list("body", flat=True))
        shop_texts += [claim.eta_reason] if claim.eta_reason else []
    assert len(shop_texts) >= 2  # a reply and an ETA reason at least
    assert not set(shop_texts) & english
    assert all(any(mark in text for mark in "áéíóúñ¿") for text in shop_texts), shop_texts


@pytest.mark.django_db
@pytest.mark.parametrize("now", NOWS[:1])
def test_inbox_waiting_times_vary(now, tmp_path, settings):
    result, clock = _seeded(now, tmp_path, settings)
    waits = sorted(Conversation.objects.filter(claim__location=result.location,
                                               waiting_since__isnull=False)
                   .values_list("waiting_since", flat=True))
    assert len(waits) == len(set(waits)) == 4
    assert clock.open_minutes(waits[0], waits[-1]) > 6 * 60


def test_shop_clock_counts_only_opening_hours():
    location = demo.Location(timezone="America/Chicago", business_hours={})
    # Sunday 12:00 in Chicago: the latest open moment is Saturday's 12:00 closing.
    clock = demo.ShopClock(location, dt.datetime(2026, 3, 8, 17, 0, tzinfo=dt.UTC))
    tz = ZoneInfo("America/Chicago")
    assert clock.latest == dt.datetime(2026, 3, 7, 12, 0, tzinfo=tz)
    # 3 h of Saturday (9-12) plus 30 min back into Friday (closing 17:30).
    assert clock.back(210) == dt.datetime(2026, 3, 6, 17, 0, tzinfo=tz)
    assert clock.open_minutes(clock.back(210), clock.latest) == 210
    assert clock.day_start(1) == dt.datetime(2026, 3, 6, 7, 30, tzinfo=tz)


@pytest.mark.django_db
@pytest.mark.parametrize("now", NOWS[:2])
def test_supplements_and_rentals_follow_the_stage_history(now, tmp_path, settings):
    from claimory.money.models import Supplement
    from claimory.money.rental import rental_coverage

    result, clock = _seeded(now, tmp_path, settings)
    for claim in Claim.objects.filter(location=result.location).select_related("stage"):
        moves = {e.data["to"]: e.created_at.astimezone(clock.tz).date() for e in
                 ClaimEvent.objects.filter(claim=claim, type=EventType.STAGE)}
        supplements = list(Supplement.objects.filter(claim=claim))
        assert len(supplements) == (1 if "supp_sent" in moves else 0), claim.stage.slug
        days = [(e.data["status"], e.created_at.astimezone(clock.tz).date()) for e in
                ClaimEvent.objects.filter(claim=claim, type=EventType.SUPPLEMENT).order_by("seq")]
        for supplement in supplements:  # dated by its own (backdated) events
            assert supplement.status == ("approved" if "supp_appr" in moves else "pending")
            assert [("pending", supplement.sent_on)] + (
                [("approved", supplement.decided_on)] if supplement.decided_on else []) == days
            assert moves["supp_sent"] <= supplement.sent_on <= clock.latest.date()
        if claim.stage.slug in demo.RENTAL_STAGES:
            coverage = rental_coverage(claim, clock.latest.astimezone(clock.tz).date())
            assert coverage.started and coverage.company == "Enterprise"


@pytest.mark.django_db
def test_seed_files_demo_email_through_matching_once(tmp_path, settings):
    from claimory.mail.models import MailAttachment, MailMessage, MailStatus

    settings.DATA_DIR = tmp_path
    first = demo.seed()
    mail = MailMessage.objects.filter(location=first.location)
    on_portal_claim = mail.filter(claim=first.portal_claim)
    # The shop's message, the adjuster's threaded reply and the customer's tagged answer.
    assert on_portal_claim.count() == 3
    reply = on_portal_claim.get(direction="in", match_reason__startswith="thread")
    assert MailAttachment.objects.get(mail=reply).path  # the photo passed the checks
    assert mail.filter(status=MailStatus.UNMATCHED).count() == 1
    assert mail.filter(status=MailStatus.IGNORED).count() == 1
    demo.seed()
    assert mail.count() == 5
