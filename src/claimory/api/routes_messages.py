"""`/api/v1/claims/<id>/messages`: the shop writes to the customer; the thread reads back."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from claimory.api.auth import actor_label, claim_get_for_key, key_of, key_require
from claimory.api.schemas import ErrorOut, MessageIn, MessageOut
from claimory.claims.models import Channel
from claimory.messaging.models import Message
from claimory.messaging.selectors import messages_for_claim
from claimory.messaging.services import message_send

router = Router(tags=["messages"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "event_id": message.event.seq if message.event_id else None,
        "direction": message.direction,
        "channel": message.channel,
        "body": message.body,
        "sender": message.sender_label,
        "status": message.status,
        "created_at": message.created_at,
    }


@router.post("/claims/{claim_id}/messages", response={201: MessageOut, **ERRORS, 413: ErrorOut},
             operation_id="message_create",
             summary="Send the customer a message (portal; SMS/email as they opted in)")
def message_create_route(request: HttpRequest, claim_id: int, payload: MessageIn):
    key_require(request, "message.send")
    claim = claim_get_for_key(key_of(request), claim_id)
    message = message_send(claim=claim, body=payload.body, channel=Channel.API,
                           actor_label=actor_label(request))
    return Status(201, message_out(message))


@router.get("/claims/{claim_id}/messages", response={200: list[MessageOut], **ERRORS},
            operation_id="message_list",
            summary="The claim's message thread, oldest first")
def message_list_route(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    return [message_out(m) for m in messages_for_claim(claim)]
