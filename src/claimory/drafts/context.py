"""What a drafter knows about a claim: facts from its real record and the shop's tone.

``draft_context`` builds a plain JSON-able dict (stored on the Draft as its snapshot, so
anyone can see later what the draft was written from); ``prompt_messages`` turns it into the
chat messages an OpenAI-compatible model is given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from claimory.claims.models import Claim, ClaimEvent, EventType
from claimory.messaging.models import Direction, Message

RECENT_MESSAGES = 6
TONE_EXAMPLES = 3
SUPPLEMENT_STAGES = ("supp_sent", "supp_appr")
LANGUAGES = {"en": "English", "es": "Spanish"}
SMS_CHARS = 320  # two SMS segments: a reply, not a letter


_ES_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_ES_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre")


def _day(value: dt.date | None, language: str = "en") -> str:
    if not value:
        return ""
    if language == "es":
        return f"{_ES_DAYS[value.weekday()]} {value.day} de {_ES_MONTHS[value.month - 1]}"
    return f"{value:%A, %B} {value.day}"


def _supplements(claim: Claim) -> list[dict[str, str]]:
    events = ClaimEvent.objects.filter(claim=claim, type=EventType.STAGE).order_by("seq")
    return [{"stage": e.data.get("to_name") or e.data.get("to", ""),
             "date": e.created_at.date().isoformat()}
            for e in events if e.data.get("to") in SUPPLEMENT_STAGES]


def _recent(claim: Claim) -> list[dict[str, str]]:
    newest = Message.objects.filter(claim=claim).order_by("-created_at", "-id")[:RECENT_MESSAGES]
    return [{"from": "customer" if m.direction == Direction.INBOUND else "shop",
             "body": m.body, "at": m.created_at.isoformat()} for m in reversed(newest)]


def _tone_examples(claim: Claim) -> list[str]:
    """Replies staff of this location actually typed and sent (not automated texts)."""
    sent = (Message.objects.filter(claim__location_id=claim.location_id,
                                   direction=Direction.OUTBOUND, automated=False,
                                   sender__isnull=False)
            .order_by("-created_at", "-id").values_list("body", flat=True)[:TONE_EXAMPLES])
    return list(sent)


def draft_context(claim: Claim) -> dict[str, Any]:
    """The claim's facts for a drafter (a few queries; read before any network call)."""
    customer, stage, location = claim.customer, claim.stage, claim.location
    language = customer.language if customer.language in LANGUAGES else "en"
    recent = _recent(claim)
    last_in = next((m["body"] for m in reversed(recent) if m["from"] == "customer"), "")
    eta_moved = bool(claim.eta and claim.eta_first_promised
                     and claim.eta != claim.eta_first_promised)
    return {
        "shop": location.name,
        "shop_phone": location.phone,
        "customer_first_name": (customer.name.split() or [""])[0],
        "language": language,
        "language_name": LANGUAGES[language],
        "vehicle": str(claim.vehicle),
        "vehicle_color": claim.vehicle.color,
        "stage": stage.display_name(language),
        "stage_slug": stage.slug,
        "stage_explanation": stage.explanation(language),
        "eta": claim.eta.isoformat() if claim.eta else "",
        "eta_text": _day(claim.eta, language),
        "eta_moved": eta_moved,
        "eta_first_promised": claim.eta_first_promised.isoformat() if eta_moved else "",
        "eta_first_promised_text": (_day(claim.eta_first_promised, language) if eta_moved
                                    else ""),
        "eta_reason": claim.eta_reason if eta_moved else "",
        "carrier": claim.carrier,
        "supplements": _supplements(claim),
        "recent_messages": recent,
        "last_customer_message": last_in,
        "last_from_customer": bool(recent) and recent[-1]["from"] == "customer",
        "tone": location.tone,
        "tone_examples": _tone_examples(claim),
    }


SYSTEM_PROMPT = (
    "You draft text messages for {shop}, an auto body repair shop, to a customer whose car "
    "it is repairing. A person at the shop will read and edit your draft before anything is "
    "sent. Write ONE reply of at most {chars} characters, in {language_name}, as plain text "
    "with no quotes, no signature and no placeholders. Use only the facts given: never "
    "promise a date, price, approval or outcome beyond them; if you do not know something, "
    "say the shop will check and follow up. Answer the customer's last message if there is "
    "one. The shop's tone: {tone}"
)


def _facts(ctx: dict[str, Any]) -> str:
    lines = [
        f"Customer first name: {ctx['customer_first_name']}",
        f"Vehicle: {' '.join(p for p in [ctx['vehicle_color'], ctx['vehicle']] if p)}",
        f"Current stage: {ctx['stage']}"
        + (f" ({ctx['stage_explanation']})" if ctx["stage_explanation"] else ""),
        f"Estimated ready date (ETA): {ctx['eta']} ({ctx['eta_text']})" if ctx["eta"]
        else "Estimated ready date (ETA): not set yet",
    ]
    if ctx["eta_moved"]:
        lines.append(f"The ETA moved from {ctx['eta_first_promised']}"
                     + (f"; reason: {ctx['eta_reason']}" if ctx["eta_reason"] else ""))
    lines.append(f"Insurance carrier: {ctx['carrier'] or 'none (customer pay)'}")
    if ctx["supplements"]:
        history = "; ".join(f"{s['stage']} on {s['date']}" for s in ctx["supplements"])
        lines.append(f"Supplement history: {history}")
    else:
        lines.append("Supplement history: none")
    lines.append(f"Shop: {ctx['shop']}" + (f", phone {ctx['shop_phone']}"
                                              if ctx["shop_phone"] else ""))
    return "\n".join(lines)


def prompt_messages(ctx: dict[str, Any]) -> list[dict[str, str]]:
    """The chat-completions messages for ``ctx``: instructions, facts, thread, examples."""
    system = SYSTEM_PROMPT.format(chars=SMS_CHARS, **ctx)
    if ctx["tone_examples"]:
        examples = "\n".join(f"- {e}" for e in ctx["tone_examples"])
        system += f"\nMessages the shop's staff sent recently (match their voice):\n{examples}"
    thread = "\n".join(f"{m['from']}: {m['body']}" for m in ctx["recent_messages"]) \
        or "(no messages yet)"
    user = (f"Facts about the repair:\n{_facts(ctx)}\n\nThe latest messages, oldest first:\n"
            f"{thread}\n\nWrite the shop's next text to {ctx['customer_first_name']}.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


# Email drafts: the same facts, plus who the email is for and the message being answered.

EMAIL_CHARS = 1500
QUOTED_CHARS = 3000


def day_text(value: dt.date | None, language: str = "en") -> str:
    """A date as a person writes it ("Friday, March 6" / "viernes 6 de marzo")."""
    return _day(value, language)


def email_draft_context(claim: Claim, *, reply_to: Any = None) -> dict[str, Any]:
    """``draft_context`` for an email: to the sender of ``reply_to`` (a MailMessage) when
    answering one — the claim's adjuster, customer or someone else — else to the customer."""
    ctx = draft_context(claim)
    ctx["channel"] = "email"
    ctx["claim_number"] = claim.claim_number
    ctx["ro_number"] = claim.ro_number
    ctx["customer_name"] = claim.customer.name
    ctx["adjuster_name"] = claim.adjuster_name
    address = ""
    if reply_to is not None:
        address = reply_to.from_address.lower()
        ctx["reply_to"] = {"id": reply_to.pk, "from": reply_to.from_address,
                           "from_name": reply_to.from_name, "subject": reply_to.subject,
                           "text": reply_to.body_text[:QUOTED_CHARS]}
    if address and address == (claim.adjuster_email or "").lower():
        ctx["recipient"], ctx["recipient_name"] = "adjuster", claim.adjuster_name
    elif not address or address == (claim.customer.email or "").lower():
        ctx["recipient"], ctx["recipient_name"] = "customer", claim.customer.name
    else:
        ctx["recipient"] = "other"
        ctx["recipient_name"] = reply_to.from_name if reply_to is not None else ""
    if ctx["recipient"] != "customer":  # insurers and appraisers get English
        ctx["language"], ctx["language_name"] = "en", LANGUAGES["en"]
    return ctx


EMAIL_SYSTEM_PROMPT = (
    "You draft emails for {shop}, an auto body repair shop, about a car it is repairing. "
    "This email is to {recipient_desc}. A person at the shop will read and edit your draft "
    "before anything is sent. Write the email body only (no subject line), at most {chars} "
    "characters, in {language_name}, plain text, ending with the shop's name. Use only the "
    "facts given: never promise a date, price, approval or outcome beyond them; if you do "
    "not know something, say the shop will check and follow up. Answer the message being "
    "replied to if there is one. The shop's tone: {tone}"
)


def email_prompt_messages(ctx: dict[str, Any]) -> list[dict[str, str]]:
    recipient_desc = {
        "adjuster": f"the insurance adjuster ({ctx['adjuster_name'] or 'name unknown'})",
        "customer": f"the car's owner, {ctx['customer_name']}",
    }.get(ctx["recipient"], f"{ctx['recipient_name'] or 'someone'} on the claim's email")
    system = EMAIL_SYSTEM_PROMPT.format(chars=EMAIL_CHARS, recipient_desc=recipient_desc, **ctx)
    facts = _facts(ctx) + (f"\nClaim number: {ctx['claim_number']}" if ctx["claim_number"]
                           else "") + (f"\nRO: {ctx['ro_number']}" if ctx["ro_number"] else "")
    answered = ctx.get("reply_to")
    quoted = (f"The email being answered, from {answered['from_name'] or answered['from']} "
              f"(subject “{answered['subject']}”):\n{answered['text']}"
              if answered else "(a new email, not a reply)")
    user = (f"Facts about the repair:\n{facts}\nCustomer: {ctx['customer_name']}\n\n"
            f"{quoted}\n\nWrite the shop's email.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
