"""Documents forms: the values a kind asks for, a void reason, a template, e-sign settings.

The values are checked by esign.services.fields_clean (through document_prepare); these forms
only carry them, so the API and the staff page refuse the same things with the same words.
"""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin
from claimory.esign import wording
from claimory.esign.shop_settings import MAX_REMINDER_HOURS

_INPUT_MODES = {"money": "decimal", "int": "numeric", "text": "text"}


class DocumentFieldsForm(ServiceErrorsMixin, forms.Form):
    """One text input per field of ``kind`` (wording.FIELDS)."""

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for spec in wording.FIELDS.get(kind, ()):
            field = forms.CharField(
                label=spec.label, required=False, max_length=300,
                widget=forms.TextInput(attrs={"inputmode": _INPUT_MODES[spec.type],
                                              "autocomplete": "off"}))
            field.show_required = spec.required
            self.fields[spec.name] = field

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class VoidForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=200,
        help_text="Recorded on the audit trail; the customer is told the document was withdrawn.",
        error_messages={"required": "Say why the document is withdrawn."})


class TemplateForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=120)
    body = forms.CharField(label="Text", max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 12}))


class EsignSettingsForm(ServiceErrorsMixin, forms.Form):
    sms_code = forms.BooleanField(
        label="Text a code before signing", required=False,
        help_text="The customer types a 6-digit code sent to the phone on file before the "
                  "signature is taken.")
    reminder_hours = forms.IntegerField(
        label="Remind after (hours)", min_value=0, max_value=MAX_REMINDER_HOURS,
        help_text="A reminder goes out if a document is still unsigned this long after "
                  "sending, and once more later. 0 sends none.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
