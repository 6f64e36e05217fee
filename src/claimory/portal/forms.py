"""The portal's one form: a customer's message, checked in the customer's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from claimory.core.text import has_visible_text
from claimory.messaging.services import MAX_BODY


class MessageForm(forms.Form):
    """``body`` as typed. The service checks again; this gives the customer readable errors."""

    body = forms.CharField(
        required=False, strip=False, label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_body(self) -> str:
        if not isinstance(self.data.get("body", ""), str):  # e.g. a JSON number or list
            raise forms.ValidationError(_("Write your message as plain text."), code="type")
        raw: Any = self.cleaned_data.get("body")
        # Browsers send line breaks as CRLF but count them as one character.
        text = (raw or "").replace("\r\n", "\n").strip()
        if not has_visible_text(text):
            raise forms.ValidationError(_("Write a message first."), code="empty")
        if len(text) > MAX_BODY:
            raise forms.ValidationError(
                _("Keep messages under %(limit)s characters (this one has %(count)s)."),
                code="too_long",
                params={"limit": number_format(MAX_BODY, force_grouping=True),
                        "count": number_format(len(text), force_grouping=True)},
            )
        return text

