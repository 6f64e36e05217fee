"""`claimory worker`: runs queued background tasks and re-queues work lost on the way.

The django-tasks database worker runs the tasks; a sweep thread (core/durable.py) queues
again any durable row whose worker died mid-work or whose task never got queued, so a crash
delays work but never loses it. Several workers may run at once: rows are claimed with a
conditional UPDATE, tasks with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from claimory.core import durable

log = logging.getLogger("claimory.worker")


def _sweep_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            queued = durable.sweep()
            if queued:
                log.info("re-queued %d durable row(s)", queued)
        except Exception:  # a locked or restarting database: try again next round
            log.exception("sweep failed")
        finally:
            connection.close()
        stop.wait(settings.DURABLE_SWEEP_SECONDS)


class Command(BaseCommand):
    help = "Run the background worker (SMS, email, image processing, imports)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5,
                            help="Seconds between polls of an empty queue (default 0.5).")
        parser.add_argument("--batch", action="store_true",
                            help="Sweep once, run everything queued, then exit.")

    def handle(self, *args, interval, batch, **options):
        if batch:
            durable.sweep()
            call_command("db_worker", batch=True, interval=0, startup_delay=False)
            return
        stop = threading.Event()
        sweeper = threading.Thread(target=_sweep_forever, args=(stop,), daemon=True,
                                   name="durable-sweep")
        sweeper.start()
        try:
            call_command("db_worker", interval=interval, startup_delay=False)
        finally:
            stop.set()
