"""Matching and idempotency: re-import changes nothing, a supplement updates the same claim,
an older file never rolls back, BMS and EMS of one estimate are one claim, staff edits win."""

from __future__ import annotations

from decimal import Decimal

from claimory.claims.models import Claim, ClaimEvent
from claimory.claims.services import claim_update
from claimory.money.models import Supplement
from tests.estimates.conftest import BMS


def _events(claim_id):
    return ClaimEvent.objects.filter(claim_id=claim_id).count()


def test_reimporting_the_same_file_is_a_no_op(run_import):
    [first] = run_import("bms/est1-original.xml")
    events = _events(first.claim_id)
    [again] = run_import("bms/est1-original.xml")
    assert again.action == "unchanged"
    assert again.line.startswith("skipped: duplicate")
    assert again.claim_id == first.claim_id
    assert Claim.objects.count() == 1
    assert _events(first.claim_id) == events


def test_same_estimate_in_other_bytes_is_unchanged(run_import):
    [first] = run_import("ems/8B0D0001.*")
    [same] = run_import("ems/BLANKOWN.*")  # the same estimate, owner left blank
    assert same.action == "unchanged", same.line
    assert same.claim_id == first.claim_id


def test_supplement_updates_the_claim_and_records_a_supplement(run_import):
    [first] = run_import("bms/est1-original.xml")
    [supp] = run_import("bms/est1-supp1.xml")
    assert supp.action == "updated"
    assert supp.line == "updated supplement 1 (claim ACM-2026-118842)"
    assert supp.claim_id == first.claim_id
    claim = Claim.objects.get()
    assert claim.estimate_total == Decimal("4933.85")
    [supplement] = Supplement.objects.filter(claim=claim)
    assert (supplement.number, supplement.amount, supplement.source) == \
        (1, Decimal("612.75"), "import")
    event = ClaimEvent.objects.filter(claim=claim, type="estimate").last()
    assert event.data["supplement"] == 1
    assert event.data["file"] == "est1-supp1.xml"
    assert "estimate_total" in event.data["fields"]


def test_an_older_estimate_arriving_late_never_rolls_back(run_import):
    run_import("ems/8B0D0001S1.*")
    [late] = run_import("ems/8B0D0001.*")
    assert late.action == "skipped"
    assert late.line == "skipped: older than supplement 1 (claim RO-5521)"
    claim = Claim.objects.get()
    assert claim.estimate_total == Decimal("4933.85")
    assert claim.estimate_link.supplement == 1


def test_bms_and_ems_of_one_estimate_are_one_claim(run_import):
    [bms] = run_import("bms/est2-original.xml")
    [ems] = run_import("ems/1F3A0002.*")
    assert ems.claim_id == bms.claim_id
    assert ems.action == "updated"  # the EMS set adds the RO number
    assert Claim.objects.get().ro_number == "RO-5530"
    [supp] = run_import("ems/1F3A0002S1.*")
    assert supp.claim_id == bms.claim_id
    assert Supplement.objects.get().amount == Decimal("0.00")  # the total did not move
    assert Claim.objects.count() == 1


def test_staff_edit_is_kept_and_listed(run_import, front_desk):
    [first] = run_import("bms/est1-original.xml")
    claim = Claim.objects.get(pk=first.claim_id)
    claim_update(claim=claim, changes={"carrier": "Acme (desk claims)"}, actor=front_desk)
    [supp] = run_import("bms/est1-supp1.xml")
    assert supp.action == "updated"
    assert "kept staff's carrier" in supp.line
    claim.refresh_from_db()
    assert claim.carrier == "Acme (desk claims)"
    assert claim.estimate_total == Decimal("4933.85")
    event = ClaimEvent.objects.filter(claim=claim, type="estimate").last()
    assert event.data["kept"] == ["carrier"]


def test_a_claim_opened_by_hand_is_matched_and_filled(run_import, location, front_desk):
    from tests.factories import make_claim

    claim = make_claim(location, actor=front_desk, name="Dana W.")
    claim.claim_number = "ACM-2026-118842"
    claim.save(update_fields=["claim_number"])
    claim.vehicle.vin = ""  # opened at the counter before anyone read the VIN
    claim.vehicle.save(update_fields=["vin"])
    [outcome] = run_import("bms/est1-original.xml")
    assert outcome.claim_id == claim.pk
    claim.refresh_from_db()
    assert claim.vehicle.vin == "4S4BSANC6K3212345"  # blank: filled from the file
    assert claim.customer.name == "Dana W."  # typed by staff: kept, and said so
    assert "customer name" in outcome.line
    assert "estimate total" in outcome.line


def test_same_claim_number_on_another_car_is_another_claim(run_import, location, front_desk):
    from tests.factories import make_claim

    claim = make_claim(location, actor=front_desk)
    claim.claim_number = "ACM-2026-118842"
    claim.save(update_fields=["claim_number"])
    assert claim.vehicle.vin and claim.vehicle.vin != "4S4BSANC6K3212345"
    [outcome] = run_import("bms/est1-original.xml")
    assert outcome.action == "created"


def test_other_location_gets_its_own_claim(run_import, location, other_location):
    [ours] = run_import("bms/est1-original.xml")
    [theirs] = run_import("bms/est1-original.xml", at=other_location)
    assert theirs.action == "created"
    assert theirs.claim_id != ours.claim_id
    assert Claim.objects.get(pk=theirs.claim_id).location == other_location


def test_hostile_xml_is_refused_fast_without_content(run_import):
    import time
    import tracemalloc

    from claimory.estimates.bms import parse_bms
    from claimory.estimates.parsed import EstimateRefused

    for name in ("xxe.xml", "entity-bomb.xml"):
        data = (BMS / name).read_bytes()
        tracemalloc.start()
        started = time.perf_counter()
        try:
            parse_bms(data)
        except EstimateRefused as exc:
            reason = str(exc)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert "DOCTYPE" in reason
        assert elapsed < 0.05
        assert peak < 256 * 1024
        [outcome] = run_import(BMS / name)
        assert outcome.action == "rejected"
        assert "root:" not in outcome.line and "lol" not in outcome.line
    assert not Claim.objects.exists()


def test_entities_without_doctype_are_refused_by_the_parser():
    import pytest

    from claimory.estimates.bms import parse_bms
    from claimory.estimates.parsed import EstimateRefused

    # UTF-16 hides the DOCTYPE from a naive byte search; the check drops the zero bytes.
    hostile = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM '
               '"file:///etc/passwd">]><VehicleDamageEstimateAddRq xmlns="http://www.cieca.com'
               '/BMS"><ClaimInfo><ClaimNum>&x;</ClaimNum></ClaimInfo>'
               '</VehicleDamageEstimateAddRq>').encode("utf-16")
    with pytest.raises(EstimateRefused, match="DOCTYPE"):
        parse_bms(hostile)


def test_cp1252_bytes_in_a_utf8_document_still_read():
    from claimory.estimates.bms import parse_bms

    data = (BMS / "est2-original.xml").read_bytes().replace("Peña".encode(), b"Pe\xf1a")
    assert parse_bms(data).owner.name == "Luis Peña"
