"""Helper process for the photo benches: uploads photos through ``photo_receive`` on the
bench's database, as the upload view would in a server process.

    python bench/photo_driver.py     (environment: the bench's CLAIMORY_DATA_DIR, DATABASE_URL…)

Reads one JSON command per line on stdin, answers one JSON line on stdout:
  {"op": "setup", "photos": 0, "process": false}  migrate, one shop and claim (with ``photos``
      bay photos, processed here when ``process``); answers its id, portal token and seq
  {"op": "upload", "claim": id, "key": "..."}  one 12 MP phone JPEG (EXIF + GPS); answers
      the photo id and the wall-clock time its row was committed ("accepted")
  {"op": "burst", "claim": id, "n": 20, "copies": 2}  ``n`` different photos, each sent
      ``copies`` times with the same upload key, all at once from ``n * copies`` threads
  {"op": "check", "claim": id}  photos by state, events per photo, attempts, files on disk
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.photo_samples import phone_jpeg  # noqa: E402
from claimory.claims.models import Claim, ClaimEvent, EventType  # noqa: E402
from claimory.claims.services import portal_token  # noqa: E402
from claimory.core import durable  # noqa: E402
from claimory.demo_photos import SHOTS, bay_photo  # noqa: E402
from claimory.photos.models import Photo, Source  # noqa: E402
from claimory.photos.services import photo_receive  # noqa: E402
from tests.factories import make_claim, make_location  # noqa: E402

OPS = {}


def op(fn):
    OPS[fn.__name__] = fn
    return fn


def _claim(claim_id: int) -> Claim:
    return Claim.objects.select_related("location", "stage").get(pk=claim_id)


@op
def setup(photos: int = 0, process: bool = False):
    call_command("migrate", verbosity=0)
    claim = make_claim(make_location())
    shots = [shot for shots in SHOTS.values() for shot in shots]
    for n in range(photos):  # the demo's drawn bay scenes (a flat test image is too easy)
        raw = bay_photo(claim, shots[n % len(shots)], n + 1)
        photo = photo_receive(claim=claim, upload=raw, source=Source.BAY, name=f"bay{n}.jpg",
                              caption=f"Bay photo {n + 1}", upload_key=f"setup-{n}")
        if process:
            durable.run_work.call(durable.label_of(Photo), photo.pk)
    claim.refresh_from_db()
    return {"claim": claim.pk, "token": portal_token(claim), "seq": claim.event_seq}


_PHONE = {}


def _phone(seed: int) -> bytes:
    """A 12 MP phone photo (noise makes it the size of a real one), one per seed."""
    if seed not in _PHONE:
        _PHONE[seed] = phone_jpeg(seed=seed)
    return _PHONE[seed]


@op
def upload(claim: int, key: str, seed: int = 0):
    raw = _phone(seed)
    started = time.time()
    photo = photo_receive(claim=_claim(claim), upload=raw, source=Source.BAY,
                          name=f"{key}.jpg", upload_key=key)
    return {"photo": photo.pk, "accepted": time.time(), "took": time.time() - started,
            "bytes": len(raw)}


@op
def burst(claim: int, n: int = 20, copies: int = 2):
    raws = [_phone(k % 4) for k in range(n)]  # four different pictures, sent n times
    target = _claim(claim)
    gate = threading.Barrier(n * copies)
    results: list = []

    def send(k: int) -> None:
        try:
            gate.wait()
            photo = photo_receive(claim=target, upload=raws[k], source=Source.BAY,
                                  name=f"burst{k}.jpg", upload_key=f"burst-{k}")
            results.append(("ok", photo.pk))
        except Exception as exc:  # noqa: BLE001 - counted and reported
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(k % n,)) for k in range(n * copies)]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r[1] for r in results if r[0] == "error"]
    return {"calls": len(results), "errors": errors[:5], "error_count": len(errors),
            "distinct_photos": len({r[1] for r in results if r[0] == "ok"}),
            "accepted": time.time(), "took": time.time() - began}


@op
def check(claim: int):
    photos = Photo.objects.filter(claim_id=claim)
    events = Counter(ClaimEvent.objects.filter(claim_id=claim, type=EventType.PHOTO)
                     .values_list("data__photo_id", flat=True))
    media = Path(settings.MEDIA_ROOT)
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return {"photos": photos.count(),
            "states": dict(Counter(photos.values_list("state", flat=True))),
            "attempts": dict(Counter(photos.values_list("attempts", flat=True))),
            "events_per_photo": dict(Counter(events.values())),
            "photos_without_event": photos.exclude(pk__in=list(events)).count(),
            "variant_files": sum(1 for p in files if "incoming" not in p.parts),
            "originals_left": sum(1 for p in files if "incoming" in p.parts),
            "processing_ms": sorted(photos.exclude(processing_ms=None)
                                    .values_list("processing_ms", flat=True))}


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"ok": True, **OPS[request.pop("op")](**request)}
        except Exception as exc:  # noqa: BLE001 - reported to the bench, which stops
            answer = {"ok": False, "error": repr(exc), "trace": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
