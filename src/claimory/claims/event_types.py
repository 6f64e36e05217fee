"""Every kind of timeline event, defined once.

A ``ClaimEvent.type`` means the same thing everywhere because everything reads it from here:
the ``EventType`` choices (built from this list), the keys ``event_record`` lets a writer
store, what the customer may see of it (the portal page and its event stream), which portal
sections it refreshes, how the back office words it, whether it changes who may open the
portal, and what open staff pages do when it arrives.

To add a type (sms, photo, survey…): add one ``EventKind`` to ``KINDS`` below, then run
``claimory makemigrations claims`` (the field's choices change). Nothing else needs a list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

PREVIEW_CHARS = 140  # how much of a message the staff feed carries for the inbox alert


@dataclass(frozen=True)
class StaffText:
    """How the back office reads one event: a title, a detail line, and whether it is
    staff-only (marked "internal" on the timeline)."""

    title: str
    detail: str = ""
    internal: bool = False


Data = Mapping[str, Any]
# (event data, stage slug -> name) -> the staff's wording.
Describe = Callable[[Data, Mapping[str, str]], StaffText]
# (event data, actor label) -> extra keys for the staff feed's frame.
FeedExtra = Callable[[Data, str], dict[str, Any]]


@dataclass(frozen=True)
class EventKind:
    name: str  # the EventType member: EventType.STAGE
    value: str  # stored in ClaimEvent.type; the SSE event name on the portal stream
    label: Any  # (lazy) human name, the field's choice label
    payload: tuple[str, ...]  # the data keys a writer may store; event_record refuses others
    describe: Describe
    # The data keys the customer may see; None: never customer-visible (event_record refuses
    # customer_visible=True, and the portal stream skips it whatever the row says).
    public: tuple[str, ...] | None = None
    portal_fragments: tuple[str, ...] = ()  # portal sections (portal.page.FRAGMENTS) to refresh
    changes_access: bool = False  # the portal stream re-reads the token and expiry after it
    board_card: bool = False  # open boards re-render the claim's card
    inbox: bool = False  # open staff pages refresh the inbox list and badge
    feed_extra: FeedExtra | None = None

    def __post_init__(self) -> None:
        if self.public is not None and not set(self.public) <= set(self.payload):
            raise ValueError(f"{self.value}: public keys must be payload keys")
        if self.portal_fragments and self.public is None:
            raise ValueError(f"{self.value}: only customer-visible events refresh the portal")


# ---- staff wording ------------------------------------------------------------------------

def _date(value: str | None) -> str:
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day:%a %b} {day.day}, {day.year}"


def _field_label(name: str) -> str:
    return name.replace(".", " ").replace("_", " ")


def _created(data: Data, stages: Mapping[str, str]) -> StaffText:
    stage = stages.get(data.get("stage", ""), data.get("stage", ""))
    eta = f"; ETA {_date(data.get('eta'))}" if data.get("eta") else ""
    return StaffText("Claim opened", f"Starting stage: {stage}{eta}")


def _stage(data: Data, stages: Mapping[str, str]) -> StaffText:
    return StaffText(f"Moved to {data.get('to_name') or data.get('to')}",
                     f"from {data.get('from_name') or data.get('from')}")


def _eta(data: Data, stages: Mapping[str, str]) -> StaffText:
    if not data.get("eta"):
        return StaffText("ETA cleared")
    if not data.get("previous"):
        return StaffText(f"ETA set to {_date(data['eta'])}")
    parts = [f"was {_date(data['previous'])}"]
    if data.get("first_promised"):
        parts.append(f"first promised {_date(data['first_promised'])}")
    detail = "; ".join(parts)
    if data.get("reason"):
        detail += f". Reason: {data['reason']}"
    return StaffText(f"ETA moved to {_date(data['eta'])}", detail)


def _updated(data: Data, stages: Mapping[str, str]) -> StaffText:
    fields = ", ".join(_field_label(f) for f in data.get("fields", []))
    return StaffText("Details updated", f"Changed: {fields}" if fields else "")


def _visibility(data: Data, stages: Mapping[str, str]) -> StaffText:
    return StaffText("Customer's money view refreshed",
                     "The portal now shows the amounts this claim allows.")


def _message(data: Data, stages: Mapping[str, str]) -> StaffText:
    inbound = data.get("direction") == "in"
    return StaffText("Message from the customer" if inbound else "Message to the customer",
                     data.get("body", ""))


_PHOTO_TITLES = {"hidden": "Photo hidden from the customer", "shown": "Photo shown again",
                 "deleted": "Photo deleted"}


def _photo(data: Data, stages: Mapping[str, str]) -> StaffText:
    title = _PHOTO_TITLES.get(data.get("action", ""), "Photo posted")
    return StaffText(title, data.get("caption", ""), internal=bool(data.get("internal")))


_UPLOAD_KINDS = {"insurance_card": "insurance card", "registration": "VIN / registration",
                 "damage": "damage photo", "other": "file"}


def _upload(data: Data, stages: Mapping[str, str]) -> StaffText:
    what = _UPLOAD_KINDS.get(data.get("kind", ""), "file")
    if data.get("action") == "deleted":
        return StaffText(f"Customer's {what} deleted", data.get("name", ""), internal=True)
    return StaffText(f"Customer sent a {what}", data.get("name", ""))


_SUPPLEMENT_STATUS = {"pending": "sent to the carrier", "approved": "approved",
                      "denied": "denied"}


def _supplement(data: Data, stages: Mapping[str, str]) -> StaffText:
    number = data.get("number", "")
    status = _SUPPLEMENT_STATUS.get(data.get("status", ""), data.get("status", ""))
    detail = f"Amount {data['amount']}" if data.get("amount") else ""
    return StaffText(f"Supplement {number} {status}".strip(), detail)


_DOCUMENT_TITLES = {"sent": "sent for signature", "viewed": "opened by the customer",
                    "signed": "signed", "sealed": "signed PDF ready", "voided": "voided",
                    "reminded": "reminder sent"}


def _document(data: Data, stages: Mapping[str, str]) -> StaffText:
    action = _DOCUMENT_TITLES.get(data.get("action", ""), data.get("status", ""))
    return StaffText(f"{data.get('title', 'Document')}: {action}".strip(": "),
                     data.get("reason", ""))


def _note(data: Data, stages: Mapping[str, str]) -> StaffText:
    return StaffText("Internal note", data.get("body", ""), internal=True)


def _portal(data: Data, stages: Mapping[str, str]) -> StaffText:
    return StaffText(f"Portal link {data.get('action', 'changed')}")


_CONVERSATION_TITLES = {
    "read": "Messages read",
    "done": "Thread marked done",
    "seen": "Customer saw the shop's messages",
}


def _conversation(data: Data, stages: Mapping[str, str]) -> StaffText:
    action = data.get("action", "")
    if action == "assigned":
        who = data.get("assignee_name")
        return StaffText(f"Thread assigned to {who}" if who else "Thread unassigned",
                         internal=True)
    return StaffText(_CONVERSATION_TITLES.get(action, "Thread updated"), internal=True)


_DELIVERY_TITLES = {
    "sent": "Text sent", "delivered": "Text delivered", "failed": "Text failed",
    "not_sent": "Text not sent", "queued": "Text queued", "held": "Text held for quiet hours",
}


def _delivery(data: Data, stages: Mapping[str, str]) -> StaffText:
    channel = data.get("channel", "sms")
    title = _DELIVERY_TITLES.get(data.get("state", ""), "Delivery updated")
    if channel == "email":
        title = title.replace("Text", "Email")
    return StaffText(title, data.get("reason", ""), internal=True)


def _notification(data: Data, stages: Mapping[str, str]) -> StaffText:
    if data.get("reason"):  # the rule said notify, but nothing could be sent
        return StaffText("Customer not notified", data["reason"], internal=True)
    channels = ", ".join(data.get("channels", [])) or "portal"
    return StaffText(f"Customer notified ({channels})", data.get("body", ""), internal=True)


_CONSENT_TITLES = {"in": "Customer agreed to texts", "out": "Customer opted out of texts"}
# Email consent (mail/unsubscribe.py) rides on the same event, told apart by its method.
_EMAIL_CONSENT_TITLES = {"in": "Customer turned emails back on",
                         "out": "Customer unsubscribed from emails"}


def _consent(data: Data, stages: Mapping[str, str]) -> StaffText:
    if str(data.get("method", "")).startswith("email"):
        return StaffText(_EMAIL_CONSENT_TITLES.get(data.get("status", ""),
                                                   "Email consent changed"),
                         data.get("evidence", ""), internal=True)
    detail = data.get("evidence", "")
    if data.get("method"):
        detail = f"{detail} ({data['method']})".strip()
    return StaffText(_CONSENT_TITLES.get(data.get("status", ""), "Texting consent changed"),
                     detail, internal=True)


_DRAFT_TITLES = {"drafted": "Draft written", "approved": "Draft approved and sent",
                 "discarded": "Draft discarded"}


def _draft(data: Data, stages: Mapping[str, str]) -> StaffText:
    return StaffText(_DRAFT_TITLES.get(data.get("action", ""), "Draft updated"),
                     data.get("body", ""), internal=True)


_ESTIMATE_TITLES = {"created": "Claim opened from an estimate",
                    "updated": "Estimate imported"}


def _estimate(data: Data, stages: Mapping[str, str]) -> StaffText:
    title = _ESTIMATE_TITLES.get(data.get("action", ""), "Estimate imported")
    if data.get("supplement"):
        title = f"Supplement {data['supplement']} imported"
    parts = [f"From {data['file']}" if data.get("file") else ""]
    if data.get("fields"):
        parts.append("changed: " + ", ".join(_field_label(f) for f in data["fields"]))
    if data.get("kept"):
        parts.append("kept staff's " + ", ".join(_field_label(f) for f in data["kept"]))
    return StaffText(title, "; ".join(p for p in parts if p))


_SURVEY_SCORES = (("quality", "quality"), ("communication", "communication"),
                  ("on_time", "on time"), ("recommend", "recommend"))


def _survey(data: Data, stages: Mapping[str, str]) -> StaffText:
    action = data.get("action", "")
    if action == "sent":
        channels = ", ".join(data.get("channels", []))
        return StaffText(f"Survey invitation sent ({channels})" if channels
                         else "Survey offered on the portal", data.get("reason", ""),
                         internal=True)
    if action == "cancelled":
        return StaffText("Survey invitation cancelled", data.get("reason", ""), internal=True)
    if action == "resolved":
        return StaffText("Survey follow-up resolved", data.get("note", ""), internal=True)
    parts = [f"{label} {data[key]}" for key, label in _SURVEY_SCORES
             if data.get(key) is not None]
    detail = "; ".join(parts)
    if data.get("comment"):
        detail = f"{detail}. “{data['comment']}”" if detail else f"“{data['comment']}”"
    title = f"Survey answered: {data.get('overall')}/5"
    if data.get("follow_up"):
        title += " — follow-up opened"
    return StaffText(title, detail)


# ---- what open staff pages get ------------------------------------------------------------

_EMAIL_TITLES = {"received": "Email received", "sent": "Email sent", "queued": "Email queued",
                 "failed": "Email failed", "attached": "Email attached by staff",
                 "detached": "Email taken off this claim"}


def _email(data: Data, stages: Mapping[str, str]) -> StaffText:
    title = _EMAIL_TITLES.get(data.get("action", ""), "Email")
    who = data.get("from") if data.get("direction") == "in" else data.get("to")
    detail = " — ".join(str(part) for part in (who, data.get("subject")) if part)
    return StaffText(title, detail, internal=True)


_APPOINTMENT_TITLES = {"requested": "Appointment requested", "booked": "Appointment booked",
                       "confirmed": "Appointment confirmed",
                       "rescheduled": "Appointment rescheduled",
                       "cancelled": "Appointment cancelled", "linked": "Appointment linked",
                       "reminded": "Appointment reminder sent"}


def _appointment(data: Data, stages: Mapping[str, str]) -> StaffText:
    title = _APPOINTMENT_TITLES.get(data.get("action", ""), "Appointment")
    detail = " — ".join(str(p) for p in (data.get("kind_name"), data.get("when"),
                                         data.get("reason")) if p)
    return StaffText(title, detail)


def _message_feed(data: Data, actor_label: str) -> dict[str, Any]:
    return {"direction": data.get("direction", ""), "sender": actor_label,
            "preview": str(data.get("body", ""))[:PREVIEW_CHARS]}


def _stage_feed(data: Data, actor_label: str) -> dict[str, Any]:
    return {"stage": data.get("to", ""), "stage_name": data.get("to_name", "")}


def _conversation_feed(data: Data, actor_label: str) -> dict[str, Any]:
    return {"action": data.get("action", "")}


# ---- the registry -------------------------------------------------------------------------

KINDS: dict[str, EventKind] = {kind.value: kind for kind in (
    EventKind(
        "CREATED", "created", _("Claim opened"), payload=("stage", "eta"), describe=_created,
        public=("stage",), portal_fragments=("vehicle", "eta", "stages"), board_card=True),
    EventKind(
        "STAGE", "stage", _("Stage changed"), payload=("from", "from_name", "to", "to_name"),
        describe=_stage, public=("from", "to", "to_name"),
        portal_fragments=("vehicle", "stages", "eta"),
        changes_access=True,  # delivery starts the link's expiry clock
        board_card=True, feed_extra=_stage_feed),
    EventKind(
        "ETA", "eta", _("ETA changed"), payload=("eta", "previous", "first_promised", "reason"),
        describe=_eta, public=("eta", "previous", "first_promised", "reason"),
        portal_fragments=("eta",), board_card=True),
    EventKind(
        "UPDATED", "claim", _("Claim updated"), payload=("fields",), describe=_updated,
        board_card=True),
    EventKind(
        # Carries no amounts: it only tells open portals to re-render the money block.
        "VISIBILITY", "visibility", _("Customer visibility changed"), payload=(),
        describe=_visibility, public=(), portal_fragments=("money",)),
    EventKind(
        "MESSAGE", "message", _("Message"),
        payload=("message_id", "body", "direction", "sender"), describe=_message,
        public=("message_id", "body", "direction", "sender"), portal_fragments=("thread",),
        inbox=True, feed_extra=_message_feed),
    EventKind(
        # Written only once the photo's processed variants exist (a customer never meets a
        # broken image); hiding, showing again and deleting refresh open galleries too.
        # The portal's image URLs hold the token, so they are made at render, never stored.
        "PHOTO", "photo", _("Photo"),
        payload=("photo_id", "url", "thumb_url", "stage", "caption", "internal", "action",
                 "source"),
        describe=_photo, public=("photo_id", "stage", "caption", "action"),
        portal_fragments=("photos",)),
    EventKind(
        # A file the customer sent from the portal (insurance card, VIN, damage, other).
        "UPLOAD", "upload", _("Customer upload"),
        payload=("photo_id", "kind", "name", "content_type", "action"), describe=_upload,
        public=("photo_id", "kind", "name", "action"), portal_fragments=("uploads",)),
    EventKind(
        # A supplement written, sent to the carrier, approved or denied: the portal's pill.
        # Amounts stay off the public keys: the money block shows them only when allowed.
        "SUPPLEMENT", "supplement", _("Supplement"),
        payload=("supplement_id", "number", "amount", "status", "sent_on", "decided_on",
                 "carrier", "previous_status"),
        describe=_supplement, public=("number", "status", "sent_on", "decided_on", "carrier"),
        portal_fragments=("money",), board_card=True),
    EventKind(
        # A document to sign: sent, opened, signed, sealed (its PDF ready), voided, reminded.
        "DOCUMENT", "document", _("Document"),
        payload=("document_id", "kind", "title", "status", "action", "reason"),
        describe=_document, public=("document_id", "kind", "title", "status", "action"),
        portal_fragments=("documents",)),
    EventKind("NOTE", "note", _("Internal note"), payload=("body",), describe=_note),
    EventKind(
        # Rotation and revocation: open portal streams re-check their token at once.
        "PORTAL", "portal", _("Portal link"), payload=("action",), describe=_portal,
        changes_access=True),
    EventKind(
        # The shop's side of a thread changed: read, done, assigned, or the customer saw
        # the shop's messages. Staff-only; it is how open inboxes learn of it.
        "CONVERSATION", "conversation", _("Conversation"),
        payload=("action", "assignee_id", "assignee_name", "message_id"),
        describe=_conversation, inbox=True, feed_extra=_conversation_feed),
    EventKind(
        # An outbox row moved (sent, delivered, failed, held, not sent): staff-only.
        "DELIVERY", "delivery", _("Delivery"),
        payload=("message_id", "delivery_id", "channel", "state", "reason", "until"),
        describe=_delivery),
    EventKind(
        # An automated message from a notification rule (the text itself; deliveries follow),
        # or, with a ``reason``, why a rule that said notify sent nothing.
        "NOTIFICATION", "notification", _("Notification"),
        payload=("message_id", "trigger", "template", "body", "channels", "reason"),
        describe=_notification),
    EventKind(
        # Consent to texts given or withdrawn (keyword, plain words, staff, carrier refusal).
        "CONSENT", "consent", _("Texting consent"),
        payload=("phone", "status", "method", "evidence"), describe=_consent, inbox=True),
    EventKind(
        # An AI or template draft a person must approve before anything is sent.
        "DRAFT", "draft", _("Draft"),
        payload=("draft_id", "action", "body", "channel", "drafter"), describe=_draft),
    EventKind(
        # A CIECA estimate or supplement imported (upload, API, command, watched folder):
        # which file, what changed, which staff edits were kept. The customer sees only that
        # the money block changed; it re-renders through its allow-list.
        "ESTIMATE", "estimate", _("Estimate import"),
        payload=("action", "file", "source", "system", "supplement", "fields", "kept",
                 "total"),
        describe=_estimate, public=(), portal_fragments=("money",), board_card=True),
    EventKind(
        # Email on the claim's threads (adjusters, customers, appraisers): received, sent,
        # attached by staff from the inbox queue. Staff-only: adjuster mail is not for the
        # customer's eyes; customer notifications by email are copies of portal messages.
        "EMAIL", "email", _("Email"),
        payload=("mail_id", "action", "direction", "subject", "from", "to", "snippet",
                 "reason"),
        describe=_email),
    EventKind(
        # The post-repair survey (claimory.survey): invitation sent or cancelled, answered,
        # follow-up resolved. Only the answer is customer-visible, and of it only ``action``:
        # ``follow_up`` (a low score opened a private task) must never reach the portal.
        "SURVEY", "survey", _("Survey"),
        payload=("action", "overall", "quality", "communication", "on_time", "recommend",
                 "comment", "follow_up", "channels", "reason", "note"),
        describe=_survey, public=("action",), portal_fragments=("survey",)),
    EventKind(
        # An appointment requested, confirmed, moved, cancelled or linked to the claim: the
        # customer sees it on the portal (the cache key follows event_seq).
        "APPOINTMENT", "appointment", _("Appointment"),
        payload=("appointment_id", "action", "kind", "kind_name", "start", "when", "status",
                 "reason"),
        describe=_appointment,
        public=("appointment_id", "action", "kind", "kind_name", "start", "when", "status")),
)}


def kind_of(value: str) -> EventKind | None:
    """The definition of a stored type (None for a type no longer defined)."""
    return KINDS.get(value)


def choices() -> list[tuple[str, tuple[str, Any]]]:
    """EventType's members, in registry order."""
    return [(kind.name, (kind.value, kind.label)) for kind in KINDS.values()]


def portal_fragments_by_type() -> dict[str, tuple[str, ...]]:
    """Type -> portal sections it refreshes, for the page's live script (types with none are
    left out: the script listens only for these)."""
    return {kind.value: kind.portal_fragments for kind in KINDS.values() if kind.portal_fragments}


def payload_check(value: str, data: Data, *, customer_visible: bool) -> None:
    """Refuse an event its definition does not allow: unknown type, undeclared data key, or
    customer-visible when the customer may never see this type."""
    kind = kind_of(value)
    if kind is None:
        raise ValueError(f"Unknown event type {value!r}: define it in claims/event_types.py")
    extra = set(data) - set(kind.payload)
    if extra:
        raise ValueError(f"{value} events carry no {', '.join(sorted(extra))}")
    if customer_visible and kind.public is None:
        raise ValueError(f"{value} events are never customer-visible")
