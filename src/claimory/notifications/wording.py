"""Notification wording: the built-in default texts, the variables a template may use, and
rendering with a safe mapping (a template can only name these variables, nothing else)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

from claimory.notifications.models import TemplateKey

VARIABLES = {
    "first_name": "Customer's first name",
    "vehicle": "Year, make and model",
    "stage": "The car's stage, in the customer's language",
    "eta": "Estimated completion date",
    "portal_link": "The customer's portal link",
    "shop_name": "The shop's name",
}
MAX_BODY = 480  # three GSM-7 segments plus room for the opt-out line

DEFAULTS: dict[str, dict[str, str]] = {
    TemplateKey.RECEIVED: {
        "en": "Hi {first_name}, {shop_name} has your {vehicle}. Follow the repair here: "
              "{portal_link}",
        "es": "Hola {first_name}, {shop_name} recibió su {vehicle}. Siga la reparación aquí: "
              "{portal_link}",
    },
    TemplateKey.STAGE_CHANGED: {
        "en": "{shop_name}: your {vehicle} is now at {stage}. Details: {portal_link}",
        "es": "{shop_name}: su {vehicle} está en la etapa {stage}. Detalles: {portal_link}",
    },
    TemplateKey.SUPP_APPROVED: {
        "en": "{shop_name}: the insurer approved the extra repairs on your {vehicle}. "
              "ETA {eta}. {portal_link}",
        "es": "{shop_name}: la aseguradora aprobó las reparaciones adicionales de su {vehicle}. "
              "Fecha estimada: {eta}. {portal_link}",
    },
    TemplateKey.READY: {
        "en": "{shop_name}: good news {first_name}, your {vehicle} is ready for pickup. "
              "Hours and details: {portal_link}",
        "es": "{shop_name}: buenas noticias {first_name}, su {vehicle} está listo para recoger. "
              "Horario y detalles: {portal_link}",
    },
    TemplateKey.DELIVERED: {
        "en": "{shop_name}: thanks for trusting us with your {vehicle}, {first_name}. "
              "Your paperwork: {portal_link}",
        "es": "{shop_name}: gracias por confiarnos su {vehicle}, {first_name}. "
              "Sus documentos: {portal_link}",
    },
    TemplateKey.PHOTOS: {
        "en": "{shop_name}: new photos of your {vehicle} are up: {portal_link}",
        "es": "{shop_name}: hay fotos nuevas de su {vehicle}: {portal_link}",
    },
    TemplateKey.DOCUMENT: {
        "en": "{shop_name}: a document about your {vehicle} is ready to sign: {portal_link}",
        "es": "{shop_name}: hay un documento sobre su {vehicle} listo para firmar: {portal_link}",
    },
    TemplateKey.SURVEY: {
        "en": "{shop_name}: how did we do with your {vehicle}, {first_name}? "
              "One quick question: {portal_link}#survey",
        "es": "{shop_name}: ¿qué tal hicimos el trabajo en su {vehicle}, {first_name}? "
              "Una pregunta rápida: {portal_link}#survey",
    },
}


def default_body(key: str, language: str) -> str:
    return DEFAULTS[key].get(language) or DEFAULTS[key]["en"]


def template_errors(body: str) -> list[str]:
    """What is wrong with a template body (empty list: fine to save)."""
    errors: list[str] = []
    if not body.strip():
        return ["Write the text first."]
    if len(body) > MAX_BODY:
        errors.append(f"Keep templates under {MAX_BODY} characters (this one has {len(body)}).")
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return [*errors, "A { or } has no partner. Variables look like {first_name}; "
                         "write {{ or }} for a literal brace."]
    unknown: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in VARIABLES or spec or conversion:
            unknown.append("{" + name + (f"!{conversion}" if conversion else "")
                           + (f":{spec}" if spec else "") + "}")
    if unknown:
        errors.append(f"Unknown variable{'s' if len(unknown) > 1 else ''} "
                      f"{', '.join(unknown)}. Use {', '.join('{' + v + '}' for v in VARIABLES)}.")
    return errors


def template_check(body: str) -> None:
    errors = template_errors(body)
    if errors:
        raise ValidationError({"body": errors})


class _SafeValues(dict):
    """Known variables only; anything else renders as written (never an attribute lookup)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(body: str, values: dict[str, str]) -> str:
    """The text for ``values``; raises ValidationError for a body that would not save."""
    template_check(body)
    return body.format_map(_SafeValues({k: values.get(k, "") for k in VARIABLES}))
