"""What the customer sees of supplements, the deductible and the rental, and that it is live."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from claimory.claims.services import claim_update, location_today, portal_token
from claimory.money.deductible import deductible_mark_paid
from claimory.money.rental import rental_rule_save
from claimory.money.supplements import supplement_add, supplement_change, supplement_decide
from claimory.realtime import store

pytestmark = pytest.mark.django_db


def money_of(client, path, **params) -> str:
    response = client.get(path, params)
    assert response.status_code == 200
    return re.search(r'<section id="money".*?</section>', response.content.decode(),
                     re.S).group(0)


def test_pending_supplement_reads_as_a_sentence_with_its_pill(client, claim, front_desk,
                                                              portal_path):
    sent = location_today(claim.location) - dt.timedelta(days=1)
    supplement_add(claim=claim, amount="1250", sent_on=sent, actor=front_desk)
    html = money_of(client, portal_path)
    assert '<span class="pill pill-pending">Pending</span>' in html
    assert f"Supplement 1 sent to State Farm on {sent:%b} {sent.day} — waiting for approval" \
        in html
    assert "$1,250.00" in html


def test_approval_and_denial_wording(client, claim, front_desk, portal_path):
    today = location_today(claim.location)
    first = supplement_add(claim=claim, amount="100", actor=front_desk)
    second = supplement_add(claim=claim, amount="200", actor=front_desk)
    supplement_decide(supplement=first, status="approved", actor=front_desk)
    supplement_decide(supplement=second, status="denied", actor=front_desk)
    html = money_of(client, portal_path)
    assert '<span class="pill pill-approved">Approved</span>' in html
    assert f"— approved on {today:%b} {today.day}" in html
    assert '<span class="pill pill-denied">Not approved</span>' in html


def test_hidden_amounts_keep_the_status(client, claim, front_desk, portal_path):
    supplement_add(claim=claim, amount="1250", actor=front_desk)
    claim_update(claim=claim, changes={"show_estimate_total": False}, actor=front_desk)
    html = money_of(client, portal_path)
    assert "1,250" not in html and "4,250.75" not in html
    assert "pill-pending" in html and "waiting for approval" in html


def test_deductible_paid_or_due_only_where_the_deductible_shows(client, claim, front_desk,
                                                                portal_path):
    assert "Due at pickup" in money_of(client, portal_path)
    deductible_mark_paid(claim=claim, paid=True, actor=front_desk)
    html = money_of(client, portal_path)
    assert '<span class="pill pill-ok">Paid</span>' in html and "Due at pickup" not in html
    claim_update(claim=claim, changes={"show_deductible": False}, actor=front_desk)
    html = money_of(client, portal_path)
    assert "Paid" not in html and "$500.00" not in html


def test_rental_counter_with_company_and_past_coverage(client, claim, location, owner,
                                                       portal_path):
    today = location_today(location)
    rental_rule_save(location=location, actor=owner,
                     values={"carrier": "STATE FARM", "days_allowed": 10, "daily_limit": "40"})
    claim_update(claim=claim, changes={"rental_start": today - dt.timedelta(days=5),
                                       "rental_company": "Enterprise"}, actor=owner)
    html = money_of(client, portal_path)
    assert "Rental day 6 of 10 covered by State Farm" in html
    assert "Enterprise" in html and "Up to $40.00 a day." in html
    claim_update(claim=claim, changes={"rental_start": today - dt.timedelta(days=12)},
                 actor=owner)
    html = money_of(client, portal_path)
    assert "Rental day 13" in html and "Past coverage" in html
    assert "Coverage was for 10 days and ended" in html


def test_spanish_money_block(client, claim, front_desk, portal_path):
    supplement_add(claim=claim, amount="100", actor=front_desk)
    html = money_of(client, portal_path, lang="es")
    assert "Suplemento 1 enviado a State Farm" in html and "Pendiente" in html


# ---- the page cache never serves an old status --------------------------------------------

def test_supplement_status_change_shows_on_the_next_load(client, claim, front_desk, portal_path):
    supp = supplement_add(claim=claim, amount="100", actor=front_desk)
    assert "pill-pending" in money_of(client, portal_path)
    supplement_decide(supplement=supp, status="approved", actor=front_desk)
    assert "pill-approved" in money_of(client, portal_path)


def test_amount_fix_shows_on_the_next_load(client, claim, front_desk, portal_path):
    supp = supplement_add(claim=claim, amount="100", actor=front_desk)
    assert "$100.00" in money_of(client, portal_path)
    supplement_change(supplement=supp, amount="150", actor=front_desk)
    assert "$150.00" in money_of(client, portal_path)


def test_rule_edited_in_settings_shows_on_the_next_load(client, claim, location, owner,
                                                        portal_path):
    claim_update(claim=claim, changes={"rental_start": location_today(location)}, actor=owner)
    rule = rental_rule_save(location=location, actor=owner,
                            values={"carrier": "State Farm", "days_allowed": 10})
    assert "Rental day 1 of 10" in money_of(client, portal_path)
    rental_rule_save(location=location, rule=rule, actor=owner,
                     values={"carrier": "State Farm", "days_allowed": 14})
    assert "Rental day 1 of 14" in money_of(client, portal_path)


# ---- live: the event reaches the stream and names the money fragment -----------------------

def test_supplement_decision_reaches_the_portal_stream_without_the_amount(claim, front_desk):
    supp = supplement_add(claim=claim, amount="987.65", actor=front_desk)
    seen = claim.event_seq
    supplement_decide(supplement=supp, status="approved", actor=front_desk)
    opened = store.stream_open(portal_token(claim), seen)
    assert opened.replay.startswith(f"id: {seen + 1}\nevent: supplement\n".encode())
    assert b'"status":"approved"' in opened.replay.replace(b" ", b"")
    assert b"987" not in opened.replay  # amounts only through the allow-listed block


def test_supplement_events_refresh_the_money_fragment(client, claim, front_desk, portal_path):
    from claimory.portal.page import FRAGMENTS_FOR_EVENT

    assert FRAGMENTS_FOR_EVENT["supplement"] == ("money",)
    supp = supplement_add(claim=claim, amount="100", actor=front_desk)
    supplement_decide(supplement=supp, status="denied", actor=front_desk)
    fragment = client.get(f"{portal_path}/fragments/money").content.decode()
    assert "pill-denied" in fragment and fragment.strip().startswith('<section id="money"')


def test_paying_the_deductible_tells_open_portals(claim, front_desk):
    seen = claim.event_seq
    deductible_mark_paid(claim=claim, paid=True, actor=front_desk)
    opened = store.stream_open(portal_token(claim), seen)
    assert b"event: visibility\n" in opened.replay
    deductible_mark_paid(claim=claim, paid=True, actor=front_desk)  # again: nothing new
    assert claim.event_seq == seen + 2
