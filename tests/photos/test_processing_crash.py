"""A worker that dies (or stalls) mid-processing: another takes over once its lease runs
out, the photo is published exactly once, and the stalled one changes nothing when it wakes."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from claimory.claims.models import ClaimEvent, EventType
from claimory.core import durable
from claimory.photos import processing
from claimory.photos.models import Photo, Source, State
from claimory.photos.services import photo_receive
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dead_workers_photo_is_taken_over_and_published_once(claim):
    with mock.patch.object(durable, "enqueue_now"):  # the doorbell is lost
        photo = photo_receive(claim=claim, upload=samples.jpeg_with_gps(), source=Source.BAY)
    stalled = durable.claim(Photo, photo.pk)  # a worker takes it… and dies
    assert stalled is not None and stalled.state == State.PROCESSING
    assert durable.sweep() == 0  # its lease still runs: nobody else may take it

    later = timezone.now() + dt.timedelta(seconds=settings.DURABLE_LEASE_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert durable.sweep() == 1  # queued again; the immediate backend runs it
    photo.refresh_from_db()
    assert photo.state == State.READY and photo.attempts == 2
    assert not default_storage.exists(stalled.original.name)  # the GPS-bearing original

    processing.photo_process(stalled)  # the first worker wakes up and carries on
    photo.refresh_from_db()
    assert photo.state == State.READY and photo.attempts == 2
    assert ClaimEvent.objects.filter(claim=claim, type=EventType.PHOTO).count() == 1
    assert durable.run_due() == 0


def test_a_task_queued_twice_processes_once(claim):
    with mock.patch.object(durable, "enqueue_now"):
        photo = photo_receive(claim=claim, upload=samples.jpeg_with_gps(), source=Source.BAY)
    label = durable.label_of(Photo)
    assert durable.run_work.call(label, photo.pk) == "ran"
    assert durable.run_work.call(label, photo.pk) == "skipped"
    assert ClaimEvent.objects.filter(claim=claim, type=EventType.PHOTO).count() == 1
