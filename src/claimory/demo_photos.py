"""Photos for the demo shop: bay photos and a customer's insurance card, drawn here with
Pillow (no downloads, the same pixels every run) and sent through the real path — checked by
``photo_receive``, processed into JPEG+WebP variants by the durable handler — so the demo's
portal shows what a real claim would. Each file carries an upload key, so seeding again
finds it instead of adding a copy.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from django.db.models import Q
from PIL import Image, ImageDraw, ImageFont

from claimory.claims.models import Channel, Claim, ClaimEvent, EventType
from claimory.core import durable
from claimory.photos.models import Kind, Photo, Source

WIDTH, HEIGHT = 1600, 1200  # the canvas the scenes are drawn on
# Sent at this size: a phone's photo is 4000 px, but seeding processes each one and must
# stay quick; the display variant is then 1280 px, the thumbnail 480.
SENT = (1280, 960)
CARD = (1200, 760)


@dataclass(frozen=True)
class Shot:
    key: str  # the upload key: unique per claim
    view: str  # "front" | "side" | "rear" | "detail" | "booth"
    stage: str  # the stage it is tagged with (taken right after the claim reaches it)
    caption_en: str
    caption_es: str
    internal: bool = False

    def caption(self, language: str) -> str:
        return self.caption_es if language == "es" else self.caption_en


# Claim index in demo.CLAIMS -> its bay photos, in the order they were taken.
SHOTS: dict[int, tuple[Shot, ...]] = {
    0: (Shot("demo-bay-1", "front", "pictures", "Front bumper and grille on arrival",
             "Defensa y parrilla delantera al llegar"),
        Shot("demo-bay-2", "detail", "pictures", "Headlight mount cracked",
             "Soporte del faro roto")),
    3: (Shot("demo-bay-1", "rear", "pictures", "Rear damage on arrival",
             "Daño trasero al llegar"),
        Shot("demo-bay-2", "detail", "teardown", "Hidden damage behind the bumper cover",
             "Daño oculto detrás de la cubierta de la defensa")),
    5: (Shot("demo-bay-1", "side", "pictures", "Driver side on arrival",
             "Lado del conductor al llegar"),
        Shot("demo-bay-2", "detail", "teardown", "Hidden damage: rear rail pushed in",
             "Daño oculto: larguero trasero hundido"),
        Shot("demo-bay-3", "detail", "teardown", "Adjuster measurement sheet",
             "Hoja de medidas para el ajustador", internal=True),
        Shot("demo-bay-4", "booth", "started", "Quarter panel primed, ready for paint",
             "Panel lateral con primer, listo para pintar")),
    8: (Shot("demo-bay-1", "front", "completed", "Finished and washed, ready for pickup",
             "Terminado y lavado, listo para entregar"),),
}
# The customer's own upload on the portal claim (by index), after the estimate.
CARD_CLAIM, CARD_KEY, CARD_STAGE = 5, "demo-card-1", "estimate"

COLOURS = {
    "silver": (176, 180, 186), "white": (236, 236, 232), "red": (168, 30, 36),
    "blue": (36, 84, 170), "gray": (96, 100, 106), "metallic": (96, 100, 106),
    "pearl": (228, 230, 226), "granite": (70, 72, 78), "glass": (120, 160, 150),
}


def _paint(colour_name: str) -> tuple[int, int, int]:
    words = colour_name.lower().split()
    return next((COLOURS[w] for w in reversed(words) if w in COLOURS), (120, 120, 130))


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def bay_photo(claim: Claim, shot: Shot, number: int) -> bytes:
    """A car in a bay, seen from ``shot.view``, with the shop's label on it: the claim's own
    colour, plate and RO number, so each claim's photos are recognisably its car."""
    rng = random.Random(f"{claim.vehicle.vin}:{shot.key}")  # noqa: S311 - scenery, not secrets
    image = Image.new("RGB", (WIDTH, HEIGHT), (58, 62, 70))
    draw = ImageDraw.Draw(image)
    for y in range(0, 640, 8):  # the bay wall, lighter towards the lamps
        shade = 70 + y // 12
        draw.rectangle((0, y, WIDTH, y + 8), fill=(shade, shade + 4, shade + 10))
    draw.rectangle((0, 640, WIDTH, HEIGHT), fill=(128, 126, 120))  # the floor
    for x in range(-400, WIDTH, 220):  # floor joints in perspective
        draw.line((x + 400, 640, x - 200, HEIGHT), fill=(112, 110, 104), width=4)
    draw.rectangle((80, 140, 420, 400), fill=(40, 44, 52))  # a tool board
    for k in range(6):
        draw.rectangle((110 + k * 50, 180, 130 + k * 50, 300 + rng.randint(0, 60)),
                       fill=(200, 60 + k * 25, 40))
    body = _paint(claim.vehicle.color)
    dark = tuple(max(c - 60, 0) for c in body)
    if shot.view == "detail":
        _detail(draw, body, dark, rng)
    else:
        _car(draw, shot.view, body, dark, rng)
    label = f"{claim.ro_number} · {claim.vehicle} · #{number}"
    draw.rectangle((0, HEIGHT - 110, WIDTH, HEIGHT), fill=(16, 20, 28))
    draw.text((40, HEIGHT - 92), label, font=_font(44), fill=(240, 240, 240))
    draw.text((40, 40), f"{claim.vehicle.plate or ''}  {shot.stage.upper()}", font=_font(40),
              fill=(255, 214, 10))
    return _jpeg(image.resize(SENT, Image.Resampling.BILINEAR))


def _car(draw: ImageDraw.ImageDraw, view: str, body, dark, rng: random.Random) -> None:
    """A side profile (long) or a front/rear view (square-ish), with its damage or mask."""
    if view in {"side"}:
        left, right, top, bottom = 160, 1440, 560, 900
        draw.rounded_rectangle((left, top, right, bottom), radius=90, fill=body)
        draw.rounded_rectangle((420, 400, 1150, 600), radius=80, fill=body)
        draw.polygon([(470, 420), (760, 420), (760, 570), (440, 570)], fill=(40, 56, 74))
        draw.polygon([(790, 420), (1090, 420), (1120, 570), (790, 570)], fill=(40, 56, 74))
        wheels = ((400, 900), (1200, 900))
    else:
        left, right, top, bottom = 360, 1240, 520, 940
        draw.rounded_rectangle((left, top, right, bottom), radius=110, fill=body)
        draw.rounded_rectangle((470, 360, 1130, 560), radius=70, fill=body)
        draw.rectangle((520, 390, 1080, 540), fill=(40, 56, 74))
        lamp = (250, 250, 220) if view == "front" else (200, 20, 30)
        draw.rounded_rectangle((400, 640, 560, 720), radius=20, fill=lamp)
        draw.rounded_rectangle((1040, 640, 1200, 720), radius=20, fill=lamp)
        draw.rectangle((680, 760, 920, 830), fill=(240, 240, 240))  # the plate
        wheels = ((450, 950), (1150, 950))
    for cx, cy in wheels:
        draw.ellipse((cx - 120, cy - 120, cx + 120, cy + 120), fill=(24, 24, 26))
        draw.ellipse((cx - 60, cy - 60, cx + 60, cy + 60), fill=(150, 150, 156))
    if view == "booth":  # masked for paint: paper and tape over the glass
        draw.rectangle((430, 410, 1130, 580), fill=(214, 200, 160))
        draw.line((430, 410, 1130, 410), fill=(40, 110, 200), width=10)
    else:  # the damage: a dent and scratches
        cx, cy = rng.randint(left + 200, right - 200), rng.randint(top + 60, bottom - 80)
        draw.ellipse((cx - 110, cy - 70, cx + 110, cy + 70), fill=dark)
        for _ in range(7):
            x, y = cx + rng.randint(-180, 120), cy + rng.randint(-80, 80)
            draw.line((x, y, x + rng.randint(60, 160), y + rng.randint(-20, 20)),
                      fill=(225, 225, 225), width=4)


def _detail(draw: ImageDraw.ImageDraw, body, dark, rng: random.Random) -> None:
    """A close-up: panel, a crease, the technician's tape and a marker circle."""
    draw.rectangle((0, 200, WIDTH, 1090), fill=body)
    for k in range(5):
        y = 420 + k * 90 + rng.randint(-20, 20)
        draw.line((200, y, 1400, y + rng.randint(-80, 80)), fill=dark, width=14)
    draw.ellipse((560, 420, 1060, 860), outline=(255, 140, 0), width=14)
    draw.rectangle((1180, 260, 1240, 1000), fill=(40, 110, 200))
    draw.text((620, 880), "HIDDEN DAMAGE", font=_font(56), fill=(255, 140, 0))


def insurance_card(claim: Claim) -> bytes:
    """A photographed insurance ID card: the customer's name, carrier, policy and car."""
    image = Image.new("RGB", CARD, (200, 196, 186))  # the table it lies on
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((80, 70, CARD[0] - 80, CARD[1] - 70), radius=36, fill=(250, 250, 246))
    draw.rectangle((80, 70, CARD[0] - 80, 190), fill=(20, 70, 150))
    draw.text((120, 100), claim.carrier or "Insurance", font=_font(56), fill="white")
    lines = ("AUTOMOBILE INSURANCE ID CARD", f"Insured: {claim.customer.name}",
             f"Policy: {claim.claim_number or 'POL-0000'}", f"Vehicle: {claim.vehicle}",
             f"VIN: {claim.vehicle.vin}")
    for k, text in enumerate(lines):
        draw.text((120, 230 + k * 72), text, font=_font(40 if k else 32), fill=(30, 30, 30))
    return _jpeg(image)


def _process(photo: Photo) -> None:
    """Run the worker's handler now, in this process (the demo starts its worker later)."""
    durable.run_work.call(durable.label_of(Photo), photo.pk)


def _taken(claim: Claim, key: str) -> bool:
    return Photo.objects.filter(claim=claim, upload_key=key).exists()


def seed_stage_photos(claim: Claim, index: int, stage: str, *, actor) -> int:
    """The photos of claim ``index`` tagged ``stage`` (and the customer's card when it is
    due), received and processed; returns how many were new."""
    from claimory.photos.services import photo_receive

    made = 0
    shots = SHOTS.get(index, ())
    for number, shot in enumerate(shots, start=1):
        if shot.stage != stage or _taken(claim, shot.key):
            continue
        photo = photo_receive(
            claim=claim, upload=bay_photo(claim, shot, number), source=Source.BAY,
            name=f"IMG_{4100 + index * 10 + number}.jpg", stage=shot.stage,
            caption=shot.caption(claim.customer.language), internal=shot.internal,
            actor=actor, upload_key=shot.key)
        _process(photo)
        made += 1
    if index == CARD_CLAIM and stage == CARD_STAGE and not _taken(claim, CARD_KEY):
        photo = photo_receive(
            claim=claim, upload=insurance_card(claim), source=Source.CUSTOMER,
            name="insurance-card.jpg", kind=Kind.INSURANCE_CARD, channel=Channel.PORTAL,
            actor_label=claim.customer.name, upload_key=CARD_KEY)
        _process(photo)
        made += 1
    return made


def seed_photos(claim: Claim, index: int, stages: list[str], *, actor) -> int:
    """Every photo of claim ``index`` for ``stages`` it has been through (a claim seeded
    before photos existed gets them now; one that has them gets nothing new)."""
    return sum(seed_stage_photos(claim, index, stage, actor=actor) for stage in stages)


def wanted_keys(index: int, stages: list[str]) -> list[str]:
    """The upload keys claim ``index`` should have once it has been through ``stages``."""
    keys = [shot.key for shot in SHOTS.get(index, ()) if shot.stage in stages]
    return keys + ([CARD_KEY] if index == CARD_CLAIM and CARD_STAGE in stages else [])


def photos_missing(wanted: dict[Claim, list[str]]) -> bool:
    """Whether any of the ``wanted`` upload keys (per claim) has no photo yet."""
    present = Q(pk__in=[])
    for claim, keys in wanted.items():
        present |= Q(claim=claim, upload_key__in=keys)
    return Photo.objects.filter(present).count() < sum(len(k) for k in wanted.values())


def photos_backdate(claim: Claim) -> None:
    """Give each photo the time of its timeline event (set by the demo's backdating)."""
    events = ClaimEvent.objects.filter(claim=claim, type__in=[EventType.PHOTO, EventType.UPLOAD],
                                       data__has_key="photo_id").order_by("seq")
    seen: set[int] = set()
    for event in events:  # the first event of each photo is when it was published
        if event.data["photo_id"] in seen:
            continue
        seen.add(event.data["photo_id"])
        Photo.objects.filter(pk=event.data["photo_id"], claim=claim).update(
            created_at=event.created_at, published_at=event.created_at)
