"""Every sample of the shared set imports as expected.json says, or is refused with its
reason and changes nothing."""

from __future__ import annotations

import pytest

from claimory.claims.models import Claim, ClaimEvent
from claimory.money.models import Supplement
from tests.estimates.conftest import EXPECTED

GOOD = sorted(k for k, v in EXPECTED.items() if "reject" not in v)
BAD = sorted(k for k, v in EXPECTED.items() if "reject" in v)
REASONS = {
    "bms/entity-bomb.xml": "DOCTYPE or entities",
    "bms/xxe.xml": "DOCTYPE or entities",
    "bms/no-vehicle.xml": "no vehicle VIN",
    "bms/truncated.xml": "not well-formed XML",
    "bms/wrong-root.xml": "root element is RepairOrderAddRq",
    "ems/GARBAGE1.*": "not a dBase table",
    "ems/NOVEH001.*": "missing VEH table",
}


@pytest.mark.parametrize("key", GOOD)
def test_it_imports_each_good_sample_with_its_fields(run_import, location, key):
    want = EXPECTED[key]
    [outcome] = run_import(key)
    assert outcome.action == "created", outcome.line
    claim = Claim.objects.select_related("customer", "vehicle").get(pk=outcome.claim_id)
    assert claim.location == location
    assert claim.claim_number == want["claim_number"]
    assert claim.ro_number == (want["ro_number"] or "")
    assert claim.vehicle.vin == want["vin"]
    assert claim.vehicle.year == want["year"]
    assert claim.vehicle.make == want["make"]
    assert claim.vehicle.model == want["model"]
    assert claim.customer.name == want["owner"]
    assert claim.customer.phone == (want["phone"] or "")
    assert claim.carrier == want["insurer"]
    assert f"{claim.deductible:.2f}" == want["deductible"]
    assert f"{claim.estimate_total:.2f}" == want["total"]
    assert claim.estimate_link.supplement == want["supplement"]
    assert ClaimEvent.objects.filter(claim=claim, type="estimate").count() == 1


@pytest.mark.parametrize("key", BAD)
def test_it_refuses_each_bad_sample_with_a_reason_and_changes_nothing(run_import, key):
    [outcome] = run_import(key)
    assert outcome.action == "rejected"
    assert outcome.line.startswith("rejected: ")
    assert REASONS[key] in outcome.line
    assert not Claim.objects.exists()
    assert not Supplement.objects.exists()
