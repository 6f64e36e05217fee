"""What the staff documents pages show about a document: its badge, its seal line, the
values a new document starts from. Sending and voiding are esign.services'."""

from __future__ import annotations

from typing import Any

from claimory.esign import wording
from claimory.esign.models import Document, Kind, Status
from claimory.money.selectors import supplements_of

# status -> (label, badge modifier)
BADGES: dict[str, tuple[str, str]] = {
    Status.SENT: ("Waiting", "internal"),
    Status.VIEWED: ("Viewed", "draft"),
    Status.SIGNED: ("Signed", "visible"),
    Status.VOID: ("Void", "hidden"),
}

# What each kind is for, under its name on the "Send a document" picker.
KIND_HELP: dict[str, str] = {
    Kind.REPAIR_AUTHORIZATION: "At intake: permission to repair, storage and towing terms.",
    Kind.BETTERMENT: "New parts leave the car better than before: the customer's share.",
    Kind.SUPPLEMENT_APPROVAL: "Hidden damage found: the customer approves the supplement.",
    Kind.DELIVERY_ACK: "At keys-out: received in satisfactory condition, with the odometer.",
}


def badge(document: Document) -> tuple[str, str]:
    return BADGES.get(document.status, (document.get_status_display(), ""))


def seal_status(document: Document) -> tuple[bool | None, str]:
    """(ok, words) for the seal line: None while there is no sealed PDF yet."""
    if not document.signed_pdf:
        return None, "Not sealed yet"
    from claimory.esign.verify import document_seal_status  # pyHanko: load only when asked

    return document_seal_status(document)


def _plain(value: str) -> str:
    """A stored field value ("$180.00", "48,213") back into what the form takes."""
    return value.replace("$", "").replace(",", "")


def fields_initial(claim: Any, kind: str, replaces: Document | None = None) -> dict[str, str]:
    """Where the send form starts: the replaced document's values, else what the claim knows
    (the latest supplement for a supplement approval)."""
    names = {spec.name for spec in wording.FIELDS.get(kind, ())}
    if replaces is not None and replaces.kind == kind:
        return {k: _plain(str(v)) for k, v in replaces.fields.items() if k in names}
    if kind == Kind.SUPPLEMENT_APPROVAL:
        latest = supplements_of(claim).order_by("-number").first()
        if latest is not None:
            return {"supplement_number": str(latest.number), "amount": f"{latest.amount:.2f}"}
    return {}


class DocumentRow:
    """A document as the claim page lists it."""

    def __init__(self, document: Document):
        self.document = document
        self.label, self.modifier = badge(document)


def document_rows(claim: Any) -> list[DocumentRow]:
    from claimory.esign.selectors import documents_for_claim

    return [DocumentRow(d) for d in documents_for_claim(claim)]
