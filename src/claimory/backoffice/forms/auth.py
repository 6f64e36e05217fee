"""Sign-in form: staff sign in with their email address, in any letter case."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class StaffAuthenticationForm(AuthenticationForm):
    username = forms.CharField(
        label="Email", max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}))

    def clean_username(self) -> str:
        # Staff usernames are stored as the lower-cased email (shops.services.staff_user_create).
        return self.cleaned_data["username"].strip().lower()
