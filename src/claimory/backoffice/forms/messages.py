"""Forms of the message thread: the staff reply and the assignee picker."""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin
from claimory.messaging.services import MAX_BODY


class ReplyForm(ServiceErrorsMixin, forms.Form):
    # Not stripped and not length-checked here: the service cleans and measures the text the
    # same way for every channel, and a failed post shows the text exactly as typed.
    body = forms.CharField(
        label="Reply to the customer", strip=False,
        error_messages={"required": "Write a message first."},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_BODY,
                                     "placeholder": "The customer sees this on their portal"}))


class AssignForm(forms.Form):
    assignee = forms.IntegerField(required=False, min_value=1)


class ReturnForm(forms.Form):
    """Where a thread action sends the user back to: the inbox tab or the claim page."""

    back = forms.ChoiceField(choices=[("claim", "claim"), ("inbox", "inbox")], required=False)
    tab = forms.CharField(required=False, max_length=10)
