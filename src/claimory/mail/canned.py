"""Ready-made emails staff start from: a few built-in texts filled with the claim's facts
(in the customer's language when the email is for the customer). Staff edit before sending."""

from __future__ import annotations

from dataclasses import dataclass

from claimory.claims.models import Claim
from claimory.core.phones import display_phone
from claimory.drafts.context import day_text


@dataclass(frozen=True)
class Canned:
    key: str
    label: str
    to: str  # "customer" or "adjuster": who it is written for
    subject: dict[str, str]
    body: dict[str, str]


CANNED: tuple[Canned, ...] = (
    Canned("supplement", "Supplement submitted", "adjuster",
           {"en": "Supplement submitted: claim {claim_number}"},
           {"en": "Hello {adjuster},\n\nWe submitted a supplement for claim {claim_number} "
                  "({customer}'s {vehicle}, {ro}). Please review it and let us know if you "
                  "need photos or anything else to approve it.\n\nThank you,\n{shop}"
                  "{shop_phone}"}),
    Canned("estimate", "Photos attached / estimate ready", "adjuster",
           {"en": "Estimate and photos: claim {claim_number}"},
           {"en": "Hello {adjuster},\n\nThe estimate for claim {claim_number} ({customer}'s "
                  "{vehicle}, {ro}) is ready{total}. The photos are in our file; tell us "
                  "if you'd like any sent over.\n\nThank you,\n{shop}{shop_phone}"}),
    Canned("approval", "Request for approval", "adjuster",
           {"en": "Approval requested: claim {claim_number}"},
           {"en": "Hello {adjuster},\n\nCould you approve the repair for claim {claim_number} "
                  "({customer}'s {vehicle}, {ro})? We're ready to start as soon as we "
                  "hear from you.\n\nThank you,\n{shop}{shop_phone}"}),
    Canned("update", "Repair update for the customer", "customer",
           {"en": "Update on your {vehicle}",
            "es": "Novedades sobre su {vehicle}"},
           {"en": "Hi {first_name},\n\nYour {vehicle} is at the {stage} stage. {eta_line}\n\n"
                  "Reply to this email with any question.\n\n{shop}{shop_phone}",
            "es": "Hola {first_name}:\n\nSu {vehicle} está en la etapa {stage}. {eta_line}\n\n"
                  "Responda a este correo si tiene alguna pregunta.\n\n{shop}{shop_phone}"}),
)
_ETA = {"en": ("We expect it ready {eta}.", "We'll confirm the ready date soon."),
        "es": ("Esperamos tenerlo listo el {eta}.", "Le confirmaremos la fecha de entrega "
                                                     "pronto.")}


def _ro(ro: str) -> str:
    if not ro:
        return "no RO yet"
    return ro if ro.upper().startswith("RO") else f"RO {ro}"


def canned_get(key: str) -> Canned | None:
    return next((c for c in CANNED if c.key == key), None)


def canned_fill(canned: Canned, claim: Claim) -> dict[str, str]:
    """{"to", "subject", "body"} of ``canned`` for ``claim``; the recipient is the customer
    or the adjuster (empty when the claim has no address for them)."""
    language = claim.customer.language if canned.to == "customer" else "en"
    language = language if language in canned.body else "en"
    eta_yes, eta_no = _ETA[language]
    facts = {
        "adjuster": (claim.adjuster_name.split() or ["there"])[0],
        "claim_number": claim.claim_number or claim.ro_number or f"#{claim.pk}",
        "customer": claim.customer.name,
        "first_name": (claim.customer.name.split() or [""])[0],
        "vehicle": str(claim.vehicle),
        "ro": _ro(claim.ro_number),
        "stage": claim.stage.display_name(language),
        "eta_line": eta_yes.format(eta=day_text(claim.eta, language)) if claim.eta else eta_no,
        "total": f" at ${claim.estimate_total:,.2f}" if claim.estimate_total else "",
        "shop": claim.location.name,
        "shop_phone": f"\n{display_phone(claim.location.phone)}" if claim.location.phone
        else "",
    }
    to = claim.customer.email if canned.to == "customer" else claim.adjuster_email
    return {"to": to or "", "subject": canned.subject[language].format(**facts),
            "body": canned.body[language].format(**facts)}
