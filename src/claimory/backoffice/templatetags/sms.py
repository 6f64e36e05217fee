"""The SMS segment figure shown under a text box (static/backoffice/sms-count.js keeps it
live as staff type; without the script the server's figure stays)."""

from __future__ import annotations

from django import template

from claimory.notifications.segments import segments

register = template.Library()


def segment_label(text: str) -> str:
    encoding, chars, count = segments(text)
    return (f"As a text: {chars} character{'s' if chars != 1 else ''} · {encoding} · "
            f"{count} segment{'s' if count != 1 else ''}")


@register.filter
def sms_reply_segments(text: str | None, shop_name: str) -> str:
    """A staff reply as texted: the outbox puts the shop's name first (messaging/outbox.py)."""
    return segment_label(f"{shop_name}: {(text or '').strip()}")
