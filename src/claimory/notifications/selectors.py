"""Reading notification rules and templates (defaults filled in where a location has no row)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from claimory.notifications.models import MessageTemplate, NotificationRule, TemplateKey, Trigger
from claimory.shops.models import Location, Stage

# Fallback when a location has no delivery stage to count back from.
READY_STAGE_SLUG = "completed"
LANGUAGES = ("en", "es")


def rule_enabled(location: Location, trigger: str) -> bool:
    """Whether ``trigger`` texts customers here; a trigger without a rule row is on."""
    enabled = NotificationRule.objects.filter(location=location, trigger=trigger) \
        .values_list("enabled", flat=True).first()
    return True if enabled is None else enabled


def ready_stage(location: Location, stages: list[Stage] | None = None) -> Stage | None:
    """The "ready for pickup" stage: the one just before the first delivery stage on the
    board (``completed`` by default), else the stage with slug ``completed``."""
    stages = stages if stages is not None else list(location.stages.order_by("position", "id"))
    for i, stage in enumerate(stages):
        if stage.is_delivery and i > 0:
            return stages[i - 1]
    return next((s for s in stages if s.slug == READY_STAGE_SLUG), None)


@dataclass(frozen=True)
class TriggerRow:
    trigger: str
    label: str
    help: str
    enabled: bool


def trigger_rows(location: Location) -> list[TriggerRow]:
    """Every trigger of the location, in board order, with whether it is on."""
    stages = list(location.stages.order_by("position", "id"))
    ready = ready_stage(location, stages)
    saved = dict(NotificationRule.objects.filter(location=location)
                 .values_list("trigger", "enabled"))
    rows = [(Trigger.RECEIVED, "Claim opened", "The first text, with the portal link.")]
    rows += [(Trigger.for_stage(s.slug), f"Car moves to {s.name}", "")
             for s in stages if ready is None or s.pk != ready.pk]
    if ready is not None:
        rows.append((Trigger.READY, "Ready for pickup",
                     f"When the car enters {ready.name}, the stage before delivery."))
    rows += [
        (Trigger.PHOTOS, "New photos", "At most one text per claim every two hours."),
        (Trigger.DOCUMENT, "Document to sign", ""),
        (Trigger.SURVEY, "Post-repair survey",
         f"{location.survey_delay_hours} h after delivery (Settings → Location)."),
        (Trigger.SHOP_MESSAGE, "Staff replies also go by text",
         "Off: replies show on the customer's portal only."),
    ]
    return [TriggerRow(t, label, help_text, saved.get(t, True)) for t, label, help_text in rows]


def template_get(location: Location, key: str, language: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(location=location, key=key, language=language) \
        .select_related("approved_by").first()


def template_get_for_location(location: Location, template_id: int) -> MessageTemplate:
    """A template of this location, or 404 (another location's id included)."""
    template = MessageTemplate.objects.filter(location=location, pk=template_id) \
        .select_related("approved_by", "location").first()
    if template is None:
        raise Http404("No such template")
    return template


@dataclass(frozen=True)
class TemplateGroup:
    key: str
    label: str
    templates: list[MessageTemplate]


def template_groups(location: Location) -> list[TemplateGroup]:
    """The location's templates by milestone, English first."""
    by_key: dict[str, list[MessageTemplate]] = {}
    for template in MessageTemplate.objects.filter(location=location) \
            .select_related("approved_by"):
        by_key.setdefault(template.key, []).append(template)
    return [TemplateGroup(key, str(label),
                          sorted(by_key.get(key, []), key=lambda t: LANGUAGES.index(t.language)
                                 if t.language in LANGUAGES else 9))
            for key, label in TemplateKey.choices if by_key.get(key)]
