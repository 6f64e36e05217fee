"""Settings → Email: the "other provider" (IMAP/SMTP) form and the mailbox's own settings.

The forms only collect text; mail/connect.py validates (its ValidationError lands next to
the right input through ServiceErrorsMixin).
"""

from __future__ import annotations

from django import forms

from claimory.backoffice.forms.base import ServiceErrorsMixin, text
from claimory.mail.connect import SYNC_CHOICES
from claimory.mail.models import Mailbox, Provider, Security


def _required(field: forms.Field) -> forms.Field:
    field.show_required = True  # marked as required; the service says what is missing
    return field


class ImapConnectForm(ServiceErrorsMixin, forms.Form):
    address = _required(forms.CharField(
        label="Email address", required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false",
                                       "placeholder": "office@yourshop.com"})))
    display_name = text("Name on sent mail", max_length=120, placeholder="Northside Collision")
    imap_host = _required(text("IMAP server", max_length=255, autocomplete="off",
                               spellcheck="false", autocapitalize="none",
                               placeholder="imap.example.com"))
    imap_port = _required(forms.CharField(
        label="IMAP port", required=False, max_length=5, initial="993",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})))
    imap_security = forms.ChoiceField(label="IMAP security", choices=Security.choices,
                                      initial=Security.SSL, required=False)
    smtp_host = _required(text("SMTP server", max_length=255, autocomplete="off",
                               spellcheck="false", autocapitalize="none",
                               placeholder="smtp.example.com"))
    smtp_port = _required(forms.CharField(
        label="SMTP port", required=False, max_length=5, initial="587",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})))
    smtp_security = forms.ChoiceField(label="SMTP security", choices=Security.choices,
                                      initial=Security.STARTTLS, required=False)
    username = text("User name", max_length=254, autocomplete="username", spellcheck="false",
                    autocapitalize="none")
    username.help_text = "Usually the email address (left empty, the address is used)."
    password = forms.CharField(
        label="Password", required=False, max_length=1000, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    save_anyway = forms.BooleanField(
        label="Save even if the check fails (the server is down right now)", required=False)

    def __init__(self, *args, mailbox: Mailbox | None = None, **kwargs) -> None:
        if mailbox is not None and mailbox.provider == Provider.IMAP and not args:
            kwargs.setdefault("initial", {
                name: getattr(mailbox, name) for name in (
                    "address", "display_name", "imap_host", "imap_port", "imap_security",
                    "smtp_host", "smtp_port", "smtp_security", "username")})
        super().__init__(*args, **kwargs)
        keeps = (mailbox is not None and mailbox.provider == Provider.IMAP
                 and bool(mailbox.password_enc))
        self.fields["password"].help_text = (
            "Leave empty to keep the saved password." if keeps else
            "An app password if the provider asks for one. Stored encrypted, never shown.")
        if not keeps:
            self.fields["password"].show_required = True


class MailboxSettingsForm(ServiceErrorsMixin, forms.Form):
    display_name = text("Name on sent mail", max_length=120)
    display_name.help_text = "Empty: the location's name."
    sync_every_seconds = forms.TypedChoiceField(
        label="Check for new mail", choices=SYNC_CHOICES, coerce=int, initial=60)

    @classmethod
    def for_mailbox(cls, mailbox: Mailbox, data=None) -> MailboxSettingsForm:
        return cls(data, initial={"display_name": mailbox.display_name,
                                  "sync_every_seconds": mailbox.sync_every_seconds})
