"""Reading threads: the portal's message list and the staff inbox."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from claimory.claims.models import Claim
from claimory.claims.selectors import claims_for_user
from claimory.messaging.models import Conversation, Delivery, Message


def messages_for_claim(claim: Claim, *, limit: int = 200) -> list[Message]:
    """The newest ``limit`` messages of the claim, oldest first."""
    newest = Message.objects.filter(claim=claim).select_related("sender").order_by("-id")[:limit]
    return list(reversed(newest))


def inbox_for_user(user, *, show: str = "waiting") -> QuerySet[Conversation]:
    """Threads waiting for the shop, oldest waiting first; ``show="all"`` lists every thread."""
    qs = (Conversation.objects.filter(claim__in=claims_for_user(user))
          .select_related("claim", "claim__customer", "claim__vehicle", "claim__stage",
                          "claim__location", "assigned_to"))
    if show == "waiting":
        return qs.filter(waiting_since__isnull=False, done_at__isnull=True).order_by(
            "waiting_since", "id")
    if show == "mine":
        return qs.filter(assigned_to=user, done_at__isnull=True).order_by("waiting_since", "id")
    return qs.order_by("-last_message_at", "-id")


def inbox_waiting_count(user) -> int:
    return inbox_for_user(user).count()


def messages_for_staff(claim: Claim, *, limit: int = 200) -> list[Message]:
    """The newest ``limit`` messages with their sender and timeline entry, oldest first."""
    newest = (Message.objects.filter(claim=claim).select_related("sender", "event")
              .prefetch_related(Prefetch("deliveries", Delivery.objects.select_related(
                  "location").order_by("id")))
              .order_by("-id")[:limit])
    return list(reversed(newest))


def conversation_for_claim(claim: Claim) -> Conversation | None:
    """The claim's thread state, or None when nobody has written yet."""
    return Conversation.objects.filter(claim=claim).select_related("assigned_to").first()


def inbox_counts(user) -> dict[str, int]:
    """Threads waiting for the shop and their unread messages (the nav badge, one query)."""
    totals = inbox_for_user(user).aggregate(waiting=Count("id"),
                                            unread=Coalesce(Sum("unread_count"), 0))
    return {"waiting": totals["waiting"], "unread": totals["unread"]}
