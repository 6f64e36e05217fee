"""The customer's message thread as the portal shows it: bubbles built field by field.

Like ``customer_claim_view``, this is an allow-list: a bubble carries only what the customer
may see (their own words, the shop's words, a first name, a time, a delivery state), and a
message whose timeline entry is hidden from the customer never becomes a bubble.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from claimory.claims.models import Claim
from claimory.core.compiled import Compiled
from claimory.messaging.models import Direction, Message, Status

PAGE_SIZE = 50
ALL_LIMIT = 1000
# A "message sent" note after a no-JS post shows only while the message is this fresh, so a
# bookmarked confirmation URL does not keep announcing an old message.
SENT_NOTE_SECONDS = 600


@dataclass(frozen=True)
class Bubble:
    id: int
    mine: bool  # written by the customer
    body: str
    at: dt.datetime
    sender: str  # "" for the customer's own messages
    status: str  # the customer's own messages only: "sent" | "seen" | "failed"
    status_label: str


def _status(message: Message) -> tuple[str, str]:
    if message.direction != Direction.INBOUND:
        return "", ""
    if message.status == Status.READ:
        return "seen", _("Seen by the shop")
    if message.status == Status.FAILED:
        return "failed", _("Not delivered")
    return "sent", _("Sent")


def _sender(message: Message, shop_name: str) -> str:
    """Staff sign with their first name; API and system messages sign with the shop's name."""
    if message.direction == Direction.INBOUND:
        return ""
    user = message.sender
    if user is not None and user.first_name:
        return user.first_name
    return shop_name


def bubble_of(message: Message, shop_name: str) -> Bubble:
    status, label = _status(message)
    return Bubble(id=message.pk, mine=message.direction == Direction.INBOUND, body=message.body,
                  at=message.created_at, sender=_sender(message, shop_name), status=status,
                  status_label=label)


@cache
def _newest(limit: int) -> Compiled:
    """The claim's newest ``limit`` + 1 customer-visible messages (one more: "earlier" link)."""
    return Compiled(
        lambda claim_id: Message.objects.filter(claim_id=claim_id)
        # Messages whose timeline entry is internal never reach the customer.
        .exclude(event__customer_visible=False)
        .select_related("sender")
        .order_by("-created_at", "-id")[: limit + 1],
        claim_id=int)


class PortalThread:
    """The claim's messages, loaded on first use (one query) so other fragments pay nothing."""

    def __init__(self, claim: Claim, *, show_all: bool = False):
        self.claim = claim
        self.show_all = show_all

    @cached_property
    def _page(self) -> tuple[tuple[Bubble, ...], bool]:
        limit = ALL_LIMIT if self.show_all else PAGE_SIZE
        rows = _newest(limit).models(claim_id=self.claim.pk)
        shop_name = self.claim.location.name
        bubbles = tuple(bubble_of(m, shop_name) for m in reversed(rows[:limit]))
        return bubbles, len(rows) > limit

    @property
    def bubbles(self) -> tuple[Bubble, ...]:
        return self._page[0]

    @property
    def has_earlier(self) -> bool:
        return self._page[1]

    @property
    def newest_shop_id(self) -> int:
        """The id the portal reports as seen once the thread is on screen (0 = none)."""
        return next((b.id for b in reversed(self.bubbles) if not b.mine), 0)

    @property
    def newest_mine_id(self) -> int:
        """The customer's newest message: the one whose delivery state is shown."""
        return next((b.id for b in reversed(self.bubbles) if b.mine), 0)

    def sent_recently(self, now: dt.datetime | None = None) -> bool:
        """Whether the customer's newest message is fresh enough for a "sent" note."""
        mine = next((b for b in reversed(self.bubbles) if b.mine), None)
        if mine is None:
            return False
        age = (now or timezone.now()) - mine.at
        return age.total_seconds() < SENT_NOTE_SECONDS
