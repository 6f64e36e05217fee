"""What every staff form shares: service errors mapped onto the fields they belong to."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class ServiceErrorsMixin:
    """Show a service's ValidationError next to the right input.

    Services key errors as "customer.phone", "vehicle.vin", "eta"…; a form names its fields
    "customer_phone", "vehicle_vin", "eta". Keys listed in ``group_error_keys`` (errors about
    a group of inputs, like a week of opening hours) are kept in ``group_errors`` for the
    template; anything else unknown becomes a form-wide error.
    """

    group_error_keys: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}

    @property
    def status_code(self) -> int:
        """400 for a submission that failed, so a bad post is a clear 4xx, not a 200."""
        failed = self.is_bound and (self.errors or self.group_errors)
        return 400 if failed else 200

    def add_service_errors(self, exc: ValidationError) -> None:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for key, msgs in messages.items():
            name = key.replace(".", "_")
            if name in self.fields:
                self.add_error(name, msgs)
            elif key in self.group_error_keys:
                self.group_errors.setdefault(key, []).extend(msgs)
            else:
                self.add_error(None, msgs)


def text(label: str, *, required: bool = False, max_length: int = 200, **attrs) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs))


def money(label: str) -> forms.CharField:
    # Text, not DecimalField: the service accepts "$1,250.00" as typed and says what is wrong.
    return forms.CharField(label=label, required=False, max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                         "placeholder": "0.00"}))


def date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           **kwargs)
