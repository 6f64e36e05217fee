"""A mailbox's connection state: connected, or waiting for a person to reconnect it."""

from __future__ import annotations

from django.utils import timezone

from claimory.mail.models import Mailbox, MailboxState


def mailbox_needs_reconnect(mailbox: Mailbox, reason: str) -> None:
    """Stop syncing and sending until someone reconnects; Settings → Email says why."""
    Mailbox.objects.filter(pk=mailbox.pk).update(
        state=MailboxState.RECONNECT, state_reason=reason[:300], updated_at=timezone.now())
    mailbox.state, mailbox.state_reason = MailboxState.RECONNECT, reason[:300]


def mailbox_usable(mailbox: Mailbox | None) -> bool:
    return mailbox is not None and mailbox.state == MailboxState.CONNECTED
