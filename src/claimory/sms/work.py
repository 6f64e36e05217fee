"""Durable work handlers of the texting app (imported by SmsConfig.ready)."""

from claimory.sms import events, numbers  # noqa: F401  (ProviderEvent, NumberOrder)
