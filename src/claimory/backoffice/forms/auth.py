"""Sign-in and password-reset forms: email addresses in any letter case, throttled.

Both throttles count the email typed whether or not an account has it, and answer the same
way for both, so neither the message, the status nor the lockout tells an account apart from
a made-up address (core/ratelimit.py has the numbers).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from claimory.core import ratelimit
from claimory.core.clients import request_client_ip

THROTTLED = "throttled"


def _too_many(wait: int, what: str) -> ValidationError:
    minutes = ratelimit.minutes(wait)
    unit = "minute" if minutes == 1 else "minutes"
    error = ValidationError(f"Too many {what}. Try again in {minutes} {unit}.", code=THROTTLED)
    error.retry_after = wait
    return error


class ThrottledFormMixin:
    """Remembers the wait when the form was refused for going too fast (the view sends 429)."""

    retry_after: int | None = None

    def _refuse(self, wait: int, what: str) -> None:
        self.retry_after = wait
        raise _too_many(wait, what)


class StaffAuthenticationForm(ThrottledFormMixin, AuthenticationForm):
    username = forms.CharField(
        label="Email", max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's says "username"; ours is an email, and the same words for an unknown one.
        "invalid_login": "Enter a correct email and password. The password is case-sensitive.",
    }

    def clean_username(self) -> str:
        # Staff usernames are stored as the lower-cased email (shops.services.staff_user_create).
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        email = self.cleaned_data.get("username")
        if email is None or not self.cleaned_data.get("password"):
            return super().clean()
        ip = request_client_ip(self.request)
        # Checked before the password: during a lockout even the right one is refused, so
        # the lockout never confirms a guess.
        wait = ratelimit.signin_start(email, ip)
        if wait:
            self._refuse(wait, "sign-in attempts")
        try:
            cleaned = super().clean()
        except ValidationError:
            ratelimit.signin_failed(ip)
            raise
        ratelimit.signin_succeeded(email)
        return cleaned


class StaffPasswordResetForm(ThrottledFormMixin, PasswordResetForm):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        ip = request_client_ip(self.request)
        wait = ratelimit.reset_start(email, ip)
        if wait:
            self._refuse(wait, "password reset requests")
        return email
