"""Two workers (or a sync and an import) meeting the same message at the same instant file
it once: the (location, Message-ID) constraint decides, the loser returns the winner's row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from claimory.claims.models import ClaimEvent
from claimory.mail.filing import mail_file
from claimory.mail.models import MailMessage, Source
from tests.mail.world import build_world, corpus_files


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_eight_workers_filing_one_message_file_it_once(location, front_desk):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL (DATABASE_URL)")
    claims = build_world(location, front_desk)
    raw = corpus_files()[0].read_bytes()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            filed = mail_file(location=location, raw=raw, source=Source.SYNC)
            results.append((filed.created, filed.mail.pk))
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(created for created, _pk in results) == 1
    assert len({pk for _created, pk in results}) == 1
    assert MailMessage.objects.filter(direction="in").count() == 1
    assert ClaimEvent.objects.filter(claim=claims["A"], type="email").count() == 1
