"""Template wording: only the known variables, balanced braces, rendered with a safe mapping."""

import pytest
from django.core.exceptions import ValidationError

from claimory.notifications.wording import DEFAULTS, render, template_errors

VALUES = {"first_name": "Maria", "vehicle": "2019 Honda Accord", "stage": "Teardown",
          "eta": "Friday, March 6", "portal_link": "https://x.test/c/abc",
          "shop_name": "Northside Collision"}


def test_every_default_is_valid_and_links_to_the_portal():
    for bodies in DEFAULTS.values():
        for body in bodies.values():
            assert template_errors(body) == []
            assert "{portal_link}" in body and "{shop_name}" in body


@pytest.mark.parametrize(("body", "message"), [
    ("Hi {name}", "Unknown variable {name}"),
    ("Hi {first_name.__class__}", "Unknown variable {first_name.__class__}"),
    ("Hi {0}", "Unknown variable {0}"),
    ("Hi {}", "Unknown variable {}"),
    ("ETA {eta:>20}", "Unknown variable {eta:>20}"),
    ("Hi {first_name!r}", "Unknown variable {first_name!r}"),
    ("Hi {first_name", "has no partner"),
    ("Hi first_name}", "has no partner"),
    ("   ", "Write the text first"),
    ("x" * 481, "under 480 characters"),
])
def test_bad_templates_are_refused_with_a_reason(body, message):
    assert any(message in error for error in template_errors(body))
    with pytest.raises(ValidationError):
        render(body, VALUES)


def test_render_fills_the_variables_and_keeps_literal_braces():
    assert render("{{Hi}} {first_name}, {vehicle} at {shop_name}: {portal_link}", VALUES) == \
        "{Hi} Maria, 2019 Honda Accord at Northside Collision: https://x.test/c/abc"


def test_a_value_with_braces_is_not_formatted_again():
    assert render("Hi {first_name}", {**VALUES, "first_name": "{shop_name}"}) == "Hi {shop_name}"
