"""Portal views are counted on both ways the page is answered, cheaply and exactly."""

from __future__ import annotations

import pytest

from claimory.claims.services import portal_token
from claimory.portal.page_cache import pages
from claimory.reports import portal_counter
from claimory.reports.models import PortalView
from tests.portal.test_fast_page import FakeDjango, found_page, request, run

pytestmark = pytest.mark.django_db


def test_django_page_counts_each_get_once_and_not_head(client, claim):
    pages.clear()
    path = f"/c/{portal_token(claim)}"
    assert client.get(path).status_code == 200  # rendered
    assert client.get(path).status_code == 200  # from the page cache, in the view
    assert client.head(path).status_code == 200
    assert client.get(path + "x").status_code == 404  # a wrong token counts nothing
    assert portal_counter.pending() == 2
    assert portal_counter.flush() == 2
    assert PortalView.objects.get(claim=claim).views == 2
    client.get(path)
    portal_counter.flush()  # the upsert adds to the hour's row
    assert PortalView.objects.get(claim=claim).views == 3


def test_fast_path_counts_replays_only(monkeypatch):
    """The render goes through Django (which counts it there); each replay counts here."""
    pages.clear()
    found_page(monkeypatch)
    django = FakeDjango()  # stands in for Django: counts nothing itself
    run(request(django))
    assert portal_counter.pending() == 0
    run(request(django))
    run(request(django))
    run(request(django, method="HEAD"))
    assert portal_counter.pending() == 2 and django.calls == 1
    pages.clear()


def test_a_deleted_claim_is_skipped_not_an_error(claim):
    portal_counter.record(claim.pk)
    portal_counter.record(claim.pk + 1000)
    assert portal_counter.flush() == 2
    assert PortalView.objects.count() == 1
