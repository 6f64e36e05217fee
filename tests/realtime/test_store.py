"""The stream's database reads: replay on connect, batched fan-out reads, the catch-up poll."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import OperationalError

from claimory.claims.services import (
    claim_eta_set,
    claim_note_add,
    claim_stage_set,
    portal_token,
)
from claimory.core import db_retry
from claimory.realtime import store

pytestmark = pytest.mark.django_db


def test_open_replays_only_what_the_customer_may_see_and_moves_past_the_rest(claim, owner):
    claim_note_add(claim=claim, body="Margin is thin", actor=owner)
    claim_stage_set(claim=claim, stage="estimate")
    opened = store.stream_open(portal_token(claim), 1)
    assert opened.cursor == opened.claim_seq == 3
    assert b"Margin" not in opened.replay
    assert opened.replay.startswith(b"id: 3\nevent: stage\n")


def test_open_with_an_up_to_date_cursor_reads_no_events(claim, django_assert_num_queries):
    with django_assert_num_queries(1):
        opened = store.stream_open(portal_token(claim), claim.event_seq)
    assert opened.replay == b"" and opened.cursor == claim.event_seq


def test_one_read_serves_many_claims_each_from_its_own_cursor(claim, other_claim,
                                                              django_assert_num_queries):
    claim_eta_set(claim=claim, eta=claim.eta + dt.timedelta(days=3), reason="Parts late")
    claim_eta_set(claim=claim, eta=claim.eta + dt.timedelta(days=1), reason="Paint booth")
    with django_assert_num_queries(1):
        fetched = store.claims_fetch({claim.pk: 2, other_claim.pk: 0})
    assert [seq for seq, _f in fetched[claim.pk].frames] == [3]
    assert b"Paint booth" in fetched[claim.pk].frames[0][1]
    assert [seq for seq, _f in fetched[other_claim.pk].frames] == [1]
    assert fetched[claim.pk].access is None


def test_stage_and_portal_events_bring_the_current_access_along(claim, other_claim,
                                                                django_assert_num_queries):
    claim_stage_set(claim=claim, stage="delivered")
    claim_note_add(claim=other_claim, body="internal", actor=None)
    with django_assert_num_queries(2):  # events, then access for the claims that moved
        fetched = store.claims_fetch({claim.pk: 1, other_claim.pk: 1})
    assert fetched[claim.pk].access.token_hash == claim.portal_token_hash
    assert fetched[claim.pk].access.expires_at is not None
    assert fetched[other_claim.pk].access is None
    assert fetched[other_claim.pk].frames == [(2, None)]  # hidden: cursor moves, no bytes


def test_a_read_cut_by_its_row_limit_leaves_unreached_claims_out(claim, other_claim):
    for stage in ("estimate", "teardown", "started"):
        claim_stage_set(claim=claim, stage=stage)
    first, second = sorted([claim.pk, other_claim.pk])
    fetched = store.claims_fetch({first: 0, second: 0}, limit=2)
    assert list(fetched) == [first]
    assert fetched[first].last_seq == 2


def test_poll_reports_each_claims_newest_seq(claim, other_claim):
    _none, high = store.events_poll(None)
    claim_stage_set(claim=claim, stage="estimate")
    claim_stage_set(claim=claim, stage="teardown")
    newest, new_high = store.events_poll(high)
    assert dict(newest)[claim.pk] == 3
    assert new_high > high


def test_a_broken_pooled_connection_is_replaced_and_the_read_retried(claim, monkeypatch):
    real = store.portal_access_for_token
    calls = []

    def flaky(token):
        calls.append(token)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(token)

    closed = []
    monkeypatch.setattr(store, "portal_access_for_token", flaky)
    # The pool threads never hold a transaction; the test's own one must stay open.
    monkeypatch.setattr(db_retry, "connection", SimpleNamespace(close=lambda: closed.append(1)))
    assert store.stream_open(portal_token(claim), 0).claim_id == claim.pk
    assert len(calls) == 2 and closed == [1]
