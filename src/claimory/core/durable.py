"""Work that must happen after a commit and survive a crash: a row, and a task queued on commit.

Every side effect that leaves the request (a text, an email, image processing, an import, a
survey send, processing a stored webhook) goes this one way:

1. A service writes the work's row — a model inheriting ``Durable`` — in the same transaction
   as the change that causes it (and its ClaimEvent), then calls ``schedule(row)``.
2. After commit, ``run_work`` is enqueued with the row's id (django-tasks, database backend;
   ``claimory worker`` runs it). Nothing is queued if the transaction rolls back.
3. The task ``claim``s the row: one conditional UPDATE that succeeds only when the row is
   pending, due, and not leased by a live attempt, and that takes a lease. Whoever loses that
   race does nothing, so a task queued twice runs the work once.
4. The row's handler (registered with ``@handler(Model)``) does the work idempotently — a
   provider call carries the row's own idempotency key, so repeating it after a crash cannot
   do it twice — and records the outcome with ``finish``, ``retry`` or ``give_up``.
5. ``claimory worker`` sweeps every few seconds: a pending row whose lease ran out (the worker
   was killed mid-work) or that was never picked up (the process died between commit and
   enqueue, the task row was lost) is queued again. The row is the truth; the queue is only a
   doorbell, like the real-time notifier.

A model says which of its ``state`` values are pending (``PENDING``), the state it is in
while a worker holds it (``WORKING``) and which task handles it; nothing else is needed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600)


class Durable(models.Model):
    """Bookkeeping every durable work row carries. Subclasses add ``state`` and set
    ``PENDING`` (states that still need work) and ``WORKING`` (held by a worker)."""

    PENDING: tuple[str, ...] = ()
    WORKING: str = ""
    MAX_ATTEMPTS = 8
    RELATED: tuple[str, ...] = ()  # select_related() when a worker loads the claimed row

    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True,
                                  help_text="Not before this time (quiet hours, backoff)")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


W = TypeVar("W", bound=Durable)
Handler = Callable[[Any], None]
_HANDLERS: dict[str, Handler] = {}
_GIVE_UP: dict[str, Callable[[Any, str], None]] = {}
_EVERY_SWEEP: list[Callable[[], Any]] = []


def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def handler(model: type[W]) -> Callable[[Callable[[W], None]], Callable[[W], None]]:
    """Register the function that does ``model``'s work (called with the claimed row)."""
    def register(func: Callable[[W], None]) -> Callable[[W], None]:
        _HANDLERS[label_of(model)] = func
        return func
    return register


def when_given_up(model: type[W]) -> Callable[[Callable[[W, str], None]], Callable[[W, str], None]]:
    """Register what to do when ``model``'s work has failed ``MAX_ATTEMPTS`` times (the
    default marks it ``failed``): e.g. tell staff on the claim's timeline."""
    def register(func: Callable[[W, str], None]) -> Callable[[W, str], None]:
        _GIVE_UP[label_of(model)] = func
        return func
    return register


def every_sweep(func: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``func`` on each worker sweep (polling outside sources, e.g. a watched folder).
    It must be quick and idempotent: every running worker calls it."""
    if func not in _EVERY_SWEEP:
        _EVERY_SWEEP.append(func)
    return func


def lease_seconds() -> int:
    return settings.DURABLE_LEASE_SECONDS


def schedule(row: Durable, *, at: dt.datetime | None = None) -> None:
    """Queue ``row``'s work after the current transaction commits (at ``at`` or now)."""
    now = timezone.now()
    row.due_at = at if at and at > now else None
    row.enqueued_at = now
    type(row).objects.filter(pk=row.pk).update(due_at=row.due_at, enqueued_at=now)
    label, pk, due = label_of(type(row)), row.pk, row.due_at
    transaction.on_commit(lambda: _enqueue(label, pk, due))


def _enqueue(label: str, pk: Any, due: dt.datetime | None) -> None:
    if due is not None and due > timezone.now():
        if not run_work.get_backend().supports_defer:
            return  # the worker's sweep runs it once due
        run_work.using(run_after=due).enqueue(label, pk)
        return
    enqueue_now(label, pk)


def enqueue_now(label: str, pk: Any) -> None:
    run_work.enqueue(label, pk)


@task()
def run_work(label: str, pk: Any) -> str:
    """The one task: claim the row, run its handler. Returns what happened (for the log)."""
    model = apps.get_model(label)
    row = claim(model, pk)
    if row is None:
        return "skipped"  # done already, not due, or another worker holds it
    try:
        _HANDLERS[label](row)
    except Exception as exc:  # the handler could not finish: try again later
        log.exception("durable work %s %s failed", label, pk)
        retry(row, f"{type(exc).__name__}: {exc}")
        return "error"
    return "ran"


def claim(model: type[W], pk: Any) -> W | None:
    """Take the row if it is pending, due, and not held by a live attempt (or held by one
    whose lease ran out: that worker died mid-work)."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    due = Q(due_at__isnull=True) | Q(due_at__lte=now)
    takeable = Q(state__in=model.PENDING) | Q(state=model.WORKING)
    taken = model.objects.filter(takeable & free & due, pk=pk).update(
        state=model.WORKING, lease_until=now + dt.timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1)
    if not taken:
        return None
    return model.objects.select_related(*model.RELATED).get(pk=pk)


def finish(row: Durable, state: str, **fields: Any) -> None:
    """The work is done (``state`` is final): release the lease and store ``fields``."""
    row.state = state
    row.lease_until = None
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["state", "lease_until", *fields, "updated_at"])


def retry(row: Durable, error: str, *, after: float | None = None) -> None:
    """Put the row back in its first pending state and try again after a backoff; past
    ``MAX_ATTEMPTS`` the row's ``give_up`` handler decides (default: ``failed``)."""
    if row.attempts >= row.MAX_ATTEMPTS:
        give_up(row, error)
        return
    delay = after if after is not None else BACKOFF_SECONDS[
        min(row.attempts - 1, len(BACKOFF_SECONDS) - 1)]
    with transaction.atomic():
        row.state = row.PENDING[0]
        row.lease_until = None
        row.last_error = error[:300]
        row.save(update_fields=["state", "lease_until", "last_error", "updated_at"])
        schedule(row, at=timezone.now() + dt.timedelta(seconds=delay))


def give_up(row: Durable, error: str) -> None:
    on_give_up = _GIVE_UP.get(label_of(type(row)))
    if on_give_up is not None:
        on_give_up(row, error[:300])
        return
    finish(row, "failed", last_error=error[:300])


def due_rows(model: type[W], now: dt.datetime | None = None):
    """Pending rows that should be running by now but are not held by anyone."""
    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings.DURABLE_PICKUP_GRACE_SECONDS)
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    due = Q(due_at__isnull=True) | Q(due_at__lte=now)
    stale_enqueue = Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - grace)
    # A row held by a worker is re-queued only once its lease has run out.
    held_and_expired = Q(state=model.WORKING, lease_until__lte=now)
    waiting = Q(state__in=model.PENDING) & due & stale_enqueue & free
    return model.objects.filter(held_and_expired | waiting)


def sweep(now: dt.datetime | None = None, *, limit: int = 200) -> int:
    """Queue again every row that was lost on the way (crash, lost enqueue, expired lease)."""
    queued = 0
    for poll in list(_EVERY_SWEEP):
        try:
            poll()
        except Exception:  # one failing poller must not stop the re-queueing below
            log.exception("sweep hook %s failed", getattr(poll, "__name__", poll))
    for label in list(_HANDLERS):
        model = apps.get_model(label)
        for pk in due_rows(model, now).values_list("pk", flat=True)[:limit]:
            model.objects.filter(pk=pk).update(enqueued_at=timezone.now())
            enqueue_now(label, pk)
            queued += 1
    return queued


def run_due() -> int:
    """Run every due row in this process, now (tests, and the demo seeder)."""
    ran = 0
    for label in list(_HANDLERS):
        model = apps.get_model(label)
        now = timezone.now()
        due = Q(due_at__isnull=True) | Q(due_at__lte=now)
        free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
        pending = Q(state__in=model.PENDING) | Q(state=model.WORKING)
        for pk in model.objects.filter(due & free & pending).values_list("pk", flat=True):
            if run_work.call(label, pk) != "skipped":
                ran += 1
    return ran
