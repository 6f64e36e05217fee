"""The words of e-signature: default document texts per kind, the fields each kind asks staff
for, and the ESIGN consent disclosure (15 U.S.C. §7001(c)).

A shop edits its own copy of each text (DocumentTemplate); these are the defaults it starts
from. Placeholders are ``{name}`` from ``PLACEHOLDERS`` only: merging is a plain replacement,
never Python formatting, so a template cannot reach anything but these values.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from claimory.esign.models import Kind

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Every value a text may use, with what it means (shown beside the template editor).
PLACEHOLDERS: dict[str, str] = {
    "customer_name": "the customer's name",
    "vehicle": "year, make and model",
    "vin": "the VIN",
    "plate": "the licence plate",
    "ro_number": "the repair order number",
    "claim_number": "the insurance claim number",
    "carrier": "the insurance company",
    "shop_name": "the shop's name",
    "shop_phone": "the shop's phone",
    "shop_address": "the shop's address",
    "date": "today's date",
    "estimate_total": "the approved estimate total",
    "deductible": "the deductible",
    "amount": "the amount this document is about",
    "parts": "the parts (betterment)",
    "supplement_number": "the supplement's number",
    "odometer": "the odometer reading at delivery",
    "storage_per_day": "storage charge per day after notice",
    "towing": "towing charge",
}


@dataclass(frozen=True)
class FieldSpec:
    """A value staff give when sending a kind of document."""

    name: str
    label: str
    type: str  # "money" | "text" | "int"
    required: bool = True


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    Kind.REPAIR_AUTHORIZATION: (
        FieldSpec("storage_per_day", "Storage per day after notice ($)", "money", False),
        FieldSpec("towing", "Towing charge ($)", "money", False),
    ),
    Kind.BETTERMENT: (
        FieldSpec("amount", "Betterment amount ($)", "money"),
        FieldSpec("parts", "Parts (e.g. tyres, battery)", "text"),
    ),
    Kind.SUPPLEMENT_APPROVAL: (
        FieldSpec("supplement_number", "Supplement number", "int"),
        FieldSpec("amount", "Supplement amount ($)", "money"),
    ),
    Kind.DELIVERY_ACK: (
        FieldSpec("odometer", "Odometer at delivery (miles)", "int"),
    ),
}

DEFAULT_TITLES: dict[str, str] = {
    Kind.REPAIR_AUTHORIZATION: "Authorization to repair",
    Kind.BETTERMENT: "Betterment approval",
    Kind.SUPPLEMENT_APPROVAL: "Supplement approval",
    Kind.DELIVERY_ACK: "Delivery acknowledgement",
}

DEFAULT_BODIES: dict[str, str] = {
    Kind.REPAIR_AUTHORIZATION: (
        "I, {customer_name}, authorize {shop_name} to repair my {vehicle} (VIN {vin}) as "
        "described in the estimate for claim {claim_number} with {carrier}, and to order the "
        "parts and materials the repair needs.\n\n"
        "I understand that my insurance company may pay the shop directly, that I am "
        "responsible for my deductible ({deductible}) and for any repairs I approve that "
        "insurance does not cover, and that further damage found during the repair "
        "(a supplement) will be reported to my insurance company before it is repaired.\n\n"
        "Storage: if the vehicle is not picked up within three days of notice that it is "
        "ready, storage of {storage_per_day} per day may be charged. Towing, if any: "
        "{towing}.\n\n"
        "I allow the shop and its staff to drive the vehicle for testing, inspection and "
        "delivery. The shop is not responsible for loss or damage to the vehicle or articles "
        "left in it in case of fire, theft or any other cause beyond its control."),
    Kind.BETTERMENT: (
        "My insurance company, {carrier}, has applied betterment to claim {claim_number}: "
        "the new parts below leave my {vehicle} better than before the accident, and the "
        "insurer pays only for the condition it was in.\n\n"
        "Parts: {parts}\n"
        "Betterment amount I will pay: {amount}\n\n"
        "I agree to pay {shop_name} this amount at pickup, in addition to my deductible."),
    Kind.SUPPLEMENT_APPROVAL: (
        "During the repair of my {vehicle}, {shop_name} found damage that was not on the "
        "first estimate. Supplement {supplement_number} of {amount} has been written for "
        "claim {claim_number} with {carrier}.\n\n"
        "I approve this additional repair. I understand the shop will ask {carrier} to pay "
        "for it, and that any part the insurer does not approve will be discussed with me "
        "before it is charged to me."),
    Kind.DELIVERY_ACK: (
        "I, {customer_name}, received my {vehicle} (VIN {vin}, RO {ro_number}) from "
        "{shop_name} on {date} with {odometer} miles on the odometer.\n\n"
        "I have inspected the vehicle and received it in satisfactory condition. I have "
        "been told about the repair's warranty and know to contact the shop at {shop_phone} "
        "with any concern."),
}

# ---- consent to sign electronically (ESIGN §7001(c)) ------------------------------------------

DISCLOSURE_VERSION = "2026-12-1"
# (heading, text) in the order the customer reads them; the version changes when they do.
DISCLOSURE: tuple[tuple[str, str], ...] = (
    ("Your right to paper",
     "You may ask {shop_name} for a paper copy of any document instead of (or as well as) "
     "signing it here, at no charge: call {shop_phone} or ask at the front desk."),
    ("You may withdraw your consent",
     "You can stop signing electronically at any time by telling the shop (call {shop_phone} "
     "or reply to a message). Withdrawing does not undo documents you already signed; the "
     "remaining documents will then be given to you on paper, which may take longer."),
    ("What this covers",
     "Your consent applies to the documents for this repair only (RO {ro_number}): repair "
     "authorization, betterment and supplement approvals, and the delivery acknowledgement."),
    ("Keeping your contact details current",
     "If your phone number or email changes, tell the shop so that links and copies reach "
     "you."),
    ("What you need",
     "A phone or computer with a current web browser to read and sign, and a PDF reader "
     "(built into most phones and browsers) to open and keep your signed copies. You can "
     "download each signed document as a PDF from this page once it is signed. Being able "
     "to read this page shows that you can open these documents."),
)


def disclosure_sections(values: dict[str, str]) -> list[tuple[str, str]]:
    return [(heading, merge(text, values)) for heading, text in DISCLOSURE]


def disclosure_text(values: dict[str, str]) -> str:
    """The disclosure as one text (what its recorded hash is of)."""
    return "\n\n".join(f"{heading}\n{text}" for heading, text in disclosure_sections(values))


def disclosure_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def merge(text: str, values: dict[str, str]) -> str:
    """Replace each ``{placeholder}`` with its value (a missing value becomes "—")."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or "—", text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
