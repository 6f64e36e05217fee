"""The texting provider behind a small interface: Telnyx when ``TELNYX_API_KEY`` is set, the
simulator otherwise. The outbox (messaging/outbox.py) is the only caller of ``send``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings


@dataclass(frozen=True)
class OutgoingText:
    sender: str  # the location's number, E.164
    to: str  # E.164
    text: str
    idempotency_key: str  # the Delivery's uuid: a retry with it never sends twice
    messaging_profile_id: str = ""
    media_urls: tuple[str, ...] = ()
    webhook_url: str = ""  # where delivery receipts for this message go


@dataclass(frozen=True)
class Accepted:
    provider_id: str  # the provider's message id (delivery receipts carry it)
    status: str = "sent"


class SendError(Exception):
    """The provider did not take the message.

    ``retryable``: try again later (429, 5xx, network); otherwise the send is refused for
    good. ``opted_out``: the recipient has opted out (Telnyx 40300) — record it.
    """

    def __init__(self, detail: str, *, code: str = "", retryable: bool = False,
                 opted_out: bool = False, retry_after: float | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.retryable = retryable
        self.opted_out = opted_out
        self.retry_after = retry_after


class SmsProvider(Protocol):
    name: str

    def send(self, text: OutgoingText) -> Accepted: ...


@dataclass
class SimulatorProvider:
    """No network: the text is 'delivered' to the simulated phone (sms/simulator.py shows
    it), and a Telnyx-shaped receipt goes through the same event path as a real webhook."""

    name: str = "simulator"
    sent: list[OutgoingText] = field(default_factory=list)

    def send(self, text: OutgoingText) -> Accepted:
        from claimory.sms import simulator

        return simulator.accept(text)


def sms_provider() -> SmsProvider:
    if settings.TELNYX_API_KEY:
        from claimory.sms.telnyx import TelnyxProvider

        return TelnyxProvider.from_settings()
    return SimulatorProvider()


def simulated() -> bool:
    return not settings.TELNYX_API_KEY
