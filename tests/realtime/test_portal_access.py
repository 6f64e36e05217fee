"""The stream's lean token check agrees with the portal gate in every case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_token, portal_access_for_token
from claimory.claims.services import (
    claim_stage_set,
    portal_token,
    portal_token_revoke,
    portal_token_rotate,
)

pytestmark = pytest.mark.django_db


def _agree(token: str):
    claim = claim_get_for_token(token)
    access = portal_access_for_token(token)
    assert (claim is None) == (access is None)
    if claim is not None:
        assert access.claim_id == claim.pk
        assert access.event_seq == claim.event_seq
        assert access.token_hash == claim.portal_token_hash
    return access


def test_live_token_opens_its_claim_with_its_current_seq(claim):
    access = _agree(portal_token(claim))
    assert access.claim_id == claim.pk and access.expires_at is None


@pytest.mark.parametrize("token", ["", "short", "A" * 22, "A" * 21 + "!", "../../etc"])
def test_unknown_and_malformed_tokens_open_nothing(claim, token):
    assert _agree(token) is None


def test_revoked_and_rotated_tokens_open_nothing(claim, other_claim):
    revoked = portal_token(claim)
    portal_token_revoke(claim=claim)
    assert _agree(revoked) is None
    old = portal_token(other_claim)
    new = portal_token_rotate(claim=other_claim)
    assert _agree(old) is None
    assert _agree(new).claim_id == other_claim.pk


def test_delivered_claim_link_expires_after_the_locations_window(claim):
    token = portal_token(claim)
    claim_stage_set(claim=claim, stage="delivered")
    access = _agree(token)
    assert access.expires_at > timezone.now()
    claim.refresh_from_db()  # the raw query's datetime is aware and exact, on both databases
    assert access.expires_at == claim.delivered_at + dt.timedelta(
        days=claim.location.portal_expiry_days)
    Claim.objects.filter(pk=claim.pk).update(
        delivered_at=timezone.now() - dt.timedelta(days=claim.location.portal_expiry_days + 1))
    assert _agree(token) is None
