"""Queries compiled once per process give exactly what the ORM gives, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claimory.claims.models import Claim, ClaimEvent
from claimory.claims.services import claim_stage_set
from claimory.core.compiled import Compiled

pytestmark = pytest.mark.django_db

CLAIMS_AT = Compiled(
    lambda location_id: Claim.objects.select_related("location__workspace", "customer", "stage")
    .filter(location_id=location_id).order_by("pk"),
    location_id=int)
EVENTS = Compiled(
    lambda claim_id: ClaimEvent.objects.filter(claim_id=claim_id, type__in=["stage", "created"])
    .order_by("seq").values_list("seq", "type", "data", "created_at"),
    claim_id=int)


def test_models_match_the_orm_related_objects_included(claim, other_location, location):
    claim_stage_set(claim=claim, stage="teardown")
    with CaptureQueriesContext(connection) as queries:
        got = CLAIMS_AT.models(location_id=location.pk)
        assert got[0].customer.name and got[0].location.workspace.name  # no lazy loads
    assert len(queries) == 1
    want = list(Claim.objects.select_related("location__workspace", "customer", "stage")
                .filter(location_id=location.pk).order_by("pk"))
    assert [c.pk for c in got] == [c.pk for c in want] == [claim.pk]
    for field in Claim._meta.concrete_fields:
        assert getattr(got[0], field.attname) == getattr(want[0], field.attname), field.name
    assert got[0].stage.slug == "teardown" and got[0]._state.db == "default"
    assert not got[0]._state.adding
    assert timezone.is_aware(got[0].created_at)
    assert CLAIMS_AT.models(location_id=other_location.pk) == []


def test_values_are_converted_as_the_orm_converts_them(claim):
    claim_stage_set(claim=claim, stage="teardown")
    got = [tuple(row) for row in EVENTS.values(claim_id=claim.pk)]
    want = list(ClaimEvent.objects.filter(claim_id=claim.pk, type__in=["stage", "created"])
                .order_by("seq").values_list("seq", "type", "data", "created_at"))
    assert got == want and isinstance(got[-1][2], dict) and timezone.is_aware(got[-1][3])


def test_a_placeholder_that_is_not_a_plain_parameter_is_refused():
    sliced = Compiled(lambda n: Claim.objects.all()[:n], n=int)
    with pytest.raises((ValueError, AssertionError, TypeError)):
        sliced.models(n=3)
