"""Drafters write a suggested reply from a claim's context (drafts/context.py).

``OpenAICompatibleDrafter`` asks a chat-completions endpoint (``CLAIMORY_LLM_*``);
``TemplateDrafter`` writes one offline from the same facts. ``drafter()`` picks by settings.
A drafter only writes text: sending is drafts/services.py's ``draft_send``, by a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from django.conf import settings

from claimory.drafts.context import SMS_CHARS, email_prompt_messages, prompt_messages

DEFAULT_MODEL = "gpt-4o-mini"
TIMEOUT = httpx.Timeout(20.0, connect=3.0)  # a person is waiting on the page


class DrafterError(Exception):
    """The drafter could not write a draft; ``str(exc)`` says why, for the person waiting."""


class Drafter(Protocol):
    name: str

    def draft(self, context: dict[str, Any]) -> str: ...


def _tidy(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“”":
        text = text[1:-1].strip()
    return text


@dataclass(frozen=True)
class OpenAICompatibleDrafter:
    """POST {base_url}/chat/completions with a Bearer key; the answer's first choice."""

    base_url: str
    api_key: str = ""
    model: str = DEFAULT_MODEL
    name: str = "llm"

    def draft(self, context: dict[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        email = context.get("channel") == "email"
        messages = email_prompt_messages(context) if email else prompt_messages(context)
        body = {"model": self.model, "messages": messages,
                "temperature": 0.4, "max_tokens": 700 if email else 300}
        url = f"{self.base_url.rstrip('/')}/chat/completions"
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT)
        except httpx.TimeoutException as exc:
            raise DrafterError("The drafting model took too long to answer. "
                               "Try again, or write the reply yourself.") from exc
        except httpx.HTTPError as exc:
            raise DrafterError("Couldn't reach the drafting model "
                               f"({type(exc).__name__}). Write the reply yourself.") from exc
        if response.status_code >= 400:
            raise DrafterError(f"The drafting model refused the request "
                               f"(HTTP {response.status_code}). Write the reply yourself.")
        try:
            text = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise DrafterError("The drafting model answered something that isn't a "
                               "chat completion.") from exc
        if not isinstance(text, str) or not _tidy(text):
            raise DrafterError("The drafting model answered with an empty draft.")
        return _tidy(text)


_WORDS = {
    "en": {
        "hi": "Hi {name}",
        "thanks": "thanks for your message.",
        "stage": "Your {vehicle} is at the {stage} stage",
        "eta": "We expect it ready {eta}.",
        "eta_moved": "The ready date moved to {eta}{reason}.",
        "no_eta": "We'll confirm a ready date as soon as we have one.",
        "supp_sent": "We sent a supplement to {carrier} and are waiting for their approval.",
        "supp_appr": "{carrier} approved the supplement, so work continues.",
        "follow": "We'll let you know as soon as anything changes.",
    },
    "es": {
        "hi": "Hola {name}",
        "thanks": "gracias por su mensaje.",
        "stage": "Su {vehicle} está en la etapa {stage}",
        "eta": "Esperamos tenerlo listo el {eta}.",
        "eta_moved": "La fecha de entrega cambió al {eta}{reason}.",
        "no_eta": "Le confirmaremos la fecha de entrega en cuanto la tengamos.",
        "supp_sent": "Enviamos un suplemento a {carrier} y esperamos su aprobación.",
        "supp_appr": "{carrier} aprobó el suplemento, así que seguimos con el trabajo.",
        "follow": "Le avisaremos en cuanto haya novedades.",
    },
}


@dataclass(frozen=True)
class TemplateDrafter:
    """No network: a plain status reply from the same facts (the default without a model)."""

    name: str = "template"

    def draft(self, context: dict[str, Any]) -> str:
        if context.get("channel") == "email":
            return self._email(context)
        return self._text(context)

    def _email(self, context: dict[str, Any]) -> str:
        """A short status email: to the adjuster in English with the claim's numbers, to
        anyone else the customer's status text with a greeting and the shop's name."""
        if context.get("recipient") == "adjuster":
            name = (context.get("adjuster_name") or "").split(" ")[0] or "there"
            ref = context.get("claim_number") or context.get("ro_number") or ""
            claim = f"claim {ref}" if ref else "the claim"
            lines = [f"Hello {name},", "",
                     f"Thank you for your email about {claim} ({context['customer_name']}'s "
                     f"{context['vehicle']})."]
            status = f"The car is at the {context['stage']} stage"
            lines.append(f"{status}; we expect it ready {context['eta_text']}." if
                         context["eta"] else f"{status}; the ready date is not set yet.")
            lines += ["We'll check anything we can't answer here and follow up.", "",
                      "Thank you,", context["shop"]]
            return "\n".join(lines)
        return f"{self._text(context)}\n\n{context['shop']}"

    def _text(self, context: dict[str, Any]) -> str:
        w = _WORDS.get(context.get("language", "en"), _WORDS["en"])
        hi = w["hi"].format(name=context["customer_first_name"]).strip()
        opening = f"{hi}, {w['thanks']}" if context["last_from_customer"] else f"{hi}."
        stage = w["stage"].format(vehicle=context["vehicle"], stage=context["stage"])
        explanation = context["stage_explanation"].strip().rstrip(".")
        parts = [opening, f"{stage}: {explanation}." if explanation else f"{stage}."]
        carrier = context["carrier"] or ("la aseguradora" if context["language"] == "es"
                                         else "the insurer")
        if context["stage_slug"] in ("supp_sent", "supp_appr"):
            parts.append(w[context["stage_slug"]].format(carrier=carrier))
        if context["eta_moved"]:
            reason = f" ({context['eta_reason']})" if context["eta_reason"] else ""
            parts.append(w["eta_moved"].format(eta=context["eta_text"], reason=reason))
        elif context["eta"]:
            parts.append(w["eta"].format(eta=context["eta_text"]))
        else:
            parts.append(w["no_eta"])
        parts.append(w["follow"])
        text = " ".join(parts)
        if len(text) > SMS_CHARS:  # drop the stage's long explanation; the facts stay
            parts[1] = f"{stage}."
            text = " ".join(parts)
        return text


def drafter() -> Drafter:
    """The configured drafter: the model when ``CLAIMORY_LLM_BASE_URL`` is set."""
    if settings.LLM_BASE_URL:
        return OpenAICompatibleDrafter(base_url=settings.LLM_BASE_URL,
                                       api_key=settings.LLM_API_KEY or "",
                                       model=settings.LLM_MODEL or DEFAULT_MODEL)
    return TemplateDrafter()
