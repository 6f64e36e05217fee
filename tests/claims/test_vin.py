import pytest
from django.core.exceptions import ValidationError

from claimory.claims.vin import validate_vin
from tests.factories import VINS


@pytest.mark.parametrize("vin", VINS)
def test_real_vins_pass(vin):
    assert validate_vin(vin.lower()) == vin


@pytest.mark.parametrize(("vin", "message"), [
    ("1HGCM82633A00435", "17 characters"),
    ("1HGCM82633A0O4352", "I, O or Q"),
    ("1HGCM82643A004352", "check digit"),
])
def test_bad_vins_explain_themselves(vin, message):
    with pytest.raises(ValidationError) as exc:
        validate_vin(vin)
    assert message in exc.value.messages[0]
