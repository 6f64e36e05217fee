"""The durable side-effect path: rows claimed under a lease, queued on commit, swept when lost."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import transaction
from django.utils import timezone

from claimory.core import durable
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send


def _queued_delivery(claim, front_desk) -> Delivery:
    """A staff reply whose text is queued but whose commit-time enqueue never ran."""
    message_send(claim=claim, body="Your car is ready at 3 pm.", actor=front_desk)
    return Delivery.objects.get(message__claim=claim)


def test_nothing_is_queued_when_the_transaction_rolls_back(texting, claim, front_desk,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            message_send(claim=claim, body="Never sent", actor=front_desk)
            raise RuntimeError("the request failed after writing")
    assert callbacks == []
    assert not Delivery.objects.exists()


def test_a_row_is_claimed_once(texting, claim, front_desk):
    delivery = _queued_delivery(claim, front_desk)
    first = durable.claim(Delivery, delivery.pk)
    assert first is not None and first.state == DeliveryState.SENDING and first.attempts == 1
    assert durable.claim(Delivery, delivery.pk) is None  # a second task for it does nothing


def test_a_dead_workers_row_is_taken_over_only_after_its_lease(texting, claim, front_desk):
    delivery = _queued_delivery(claim, front_desk)
    assert durable.claim(Delivery, delivery.pk) is not None  # ...and the worker dies here
    assert durable.claim(Delivery, delivery.pk) is None
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1))
    again = durable.claim(Delivery, delivery.pk)
    assert again is not None and again.attempts == 2


def test_a_row_is_not_claimed_before_it_is_due(texting, claim, front_desk):
    delivery = _queued_delivery(claim, front_desk)
    Delivery.objects.filter(pk=delivery.pk).update(
        due_at=timezone.now() + dt.timedelta(hours=1))
    assert durable.claim(Delivery, delivery.pk) is None


def test_the_sweep_requeues_lost_rows_and_leaves_fresh_ones(texting, claim, front_desk,
                                                            monkeypatch):
    delivery = _queued_delivery(claim, front_desk)
    queued: list = []
    monkeypatch.setattr(durable, "enqueue_now", lambda *args: queued.append(args))
    assert durable.sweep() == 0  # just queued: its task is presumably on the way
    Delivery.objects.filter(pk=delivery.pk).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    assert durable.sweep() == 1
    assert queued == [("messaging.delivery", delivery.pk)]
    # A row a worker holds under a live lease is left alone; an expired lease is swept.
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, enqueued_at=timezone.now() - dt.timedelta(minutes=5),
        lease_until=timezone.now() + dt.timedelta(seconds=30))
    assert durable.sweep() == 0
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert durable.sweep() == 1


def test_finished_rows_are_never_swept(texting, claim, front_desk, monkeypatch):
    delivery = _queued_delivery(claim, front_desk)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DELIVERED, enqueued_at=timezone.now() - dt.timedelta(hours=1))
    monkeypatch.setattr(durable, "enqueue_now", lambda *args: pytest.fail("re-queued"))
    assert durable.sweep() == 0


def test_retry_backs_off_then_gives_up(texting, claim, front_desk):
    delivery = _queued_delivery(claim, front_desk)
    row = durable.claim(Delivery, delivery.pk)
    before = timezone.now()
    durable.retry(row, "HTTP 503")
    row.refresh_from_db()
    assert row.state == DeliveryState.QUEUED and row.lease_until is None
    assert row.due_at >= before + dt.timedelta(seconds=durable.BACKOFF_SECONDS[0])
    assert row.last_error == "HTTP 503"
    Delivery.objects.filter(pk=row.pk).update(attempts=Delivery.MAX_ATTEMPTS)
    row.refresh_from_db()
    durable.retry(row, "HTTP 503 again")
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED
    last = claim.events.order_by("-seq").first()
    assert last.type == "delivery" and last.data["state"] == "failed"
    assert "Gave up" in last.data["reason"]


def test_a_handler_that_raises_is_retried_not_lost(texting, claim, front_desk, monkeypatch):
    delivery = _queued_delivery(claim, front_desk)

    def broken(outgoing):
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr("claimory.sms.simulator.accept", broken)
    assert durable.run_work.call("messaging.delivery", delivery.pk) == "error"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.QUEUED and delivery.due_at is not None
    assert "provider unreachable" in delivery.last_error


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="PostgreSQL: competing workers on separate connections")
def test_competing_workers_send_each_text_once_on_postgres(location, front_desk, monkeypatch):
    """Four workers race through the same 40 rows (as after a sweep queued them all again):
    every text is handed to the provider exactly once."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from claimory.sms import simulator
    from tests.factories import make_claim

    location.sms_number = "+15125550199"
    location.save(update_fields=["sms_number"])
    claims = [make_claim(location, actor=front_desk, phone=f"(512) 555-01{n:02d}")
              for n in range(10)]
    monkeypatch.setattr(durable, "_enqueue", lambda *args: None)  # queued, never picked up
    for claim in claims:
        for n in range(4):
            message_send(claim=claim, body=f"Update {n}", actor=front_desk)
    pks = list(Delivery.objects.values_list("pk", flat=True))
    assert len(pks) == 40
    handed, lock = [], threading.Lock()
    real_accept = simulator.accept

    def counting_accept(text):
        with lock:
            handed.append(text.idempotency_key)
        return real_accept(text)

    monkeypatch.setattr(simulator, "accept", counting_accept)

    def worker(_n):
        try:
            return [durable.run_work.call("messaging.delivery", pk) for pk in pks]
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        outcomes = [o for result in pool.map(worker, range(4)) for o in result]
    assert outcomes.count("ran") == 40 and outcomes.count("error") == 0
    assert sorted(handed) == sorted(set(handed)) and len(handed) == 40
    assert not Delivery.objects.exclude(state__in=["sent", "delivered"]).exists()
