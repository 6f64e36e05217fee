"""Turn locations, claims and events into the plain dicts the response schemas describe."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from claimory.claims.models import Claim, ClaimEvent
from claimory.printables.qr import base_url, portal_url
from claimory.shops.models import Location
from claimory.shops.services import DAYS


def _hours(value: Any) -> dict[str, dict[str, str] | None]:
    """Hours as stored, with anything that is not an open/close pair read as closed."""
    value = value if isinstance(value, dict) else {}
    out: dict[str, dict[str, str] | None] = {}
    for day in DAYS:
        span = value.get(day)
        ok = isinstance(span, dict) and isinstance(span.get("open"), str) \
            and isinstance(span.get("close"), str)
        out[day] = {"open": span["open"], "close": span["close"]} if ok else None
    return out


def location_out(location: Location) -> dict[str, Any]:
    return {
        "name": location.name,
        "slug": location.slug,
        "phone": location.phone,
        "sms_number": location.sms_number,
        "email": location.email,
        "address": {
            "line1": location.address_line1,
            "line2": location.address_line2,
            "city": location.city,
            "region": location.region,
            "postal_code": location.postal_code,
            "country": location.country,
            "one_line": location.address_one_line,
        },
        "timezone": location.timezone,
        "hours": _hours(location.business_hours),
        "pickup_hours": _hours(location.pickup_hours),
        "show_estimate_total": location.show_estimate_total,
        "show_deductible": location.show_deductible,
        "portal_expiry_days": location.portal_expiry_days,
        "brand_color": location.brand_color,
        "tagline": location.tagline,
        "public_url": f"{base_url()}/p/{location.slug}",
        "messaging_profile_id": location.messaging_profile_id,
        "quiet_hours": {"start": location.sms_quiet_start.strftime("%H:%M"),
                        "end": location.sms_quiet_end.strftime("%H:%M")},
        "tone": location.tone,
        "survey_enabled": location.survey_enabled,
        "survey_delay_hours": location.survey_delay_hours,
        "survey_expiry_days": location.survey_expiry_days,
        "review_url": location.review_url,
        "stages": [
            {"slug": s.slug, "name": s.name, "name_es": s.name_es, "position": s.position,
             "is_delivery": s.is_delivery, "explanation_en": s.explanation_en,
             "explanation_es": s.explanation_es}
            for s in location.stages.order_by("position", "id")
        ],
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def qr_svg_url(claim: Claim) -> str:
    return base_url() + reverse("api:claim_qr_svg", kwargs={"claim_id": claim.pk})


def claim_out(claim: Claim) -> dict[str, Any]:
    """Expects location, stage, customer and vehicle loaded (claims_for_key does that)."""
    customer, vehicle = claim.customer, claim.vehicle
    link = portal_url(claim)
    return {
        "id": claim.pk,
        "location": claim.location.slug,
        "stage": claim.stage.slug,
        "stage_name": claim.stage.name,
        "stage_entered_at": claim.stage_entered_at,
        "customer": {
            "name": customer.name, "phone": customer.phone, "email": customer.email,
            "language": customer.language, "sms_opt_in": customer.sms_opt_in,
            "email_opt_in": customer.email_opt_in,
        },
        "vehicle": {
            "year": vehicle.year, "make": vehicle.make, "model": vehicle.model,
            "vin": vehicle.vin, "color": vehicle.color, "plate": vehicle.plate,
            "description": str(vehicle),
        },
        "claim_number": claim.claim_number,
        "ro_number": claim.ro_number,
        "carrier": claim.carrier,
        "adjuster_name": claim.adjuster_name,
        "adjuster_phone": claim.adjuster_phone,
        "adjuster_email": claim.adjuster_email,
        "deductible": _money(claim.deductible),
        "estimate_total": _money(claim.estimate_total),
        "show_estimate_total": claim.show_estimate_total,
        "show_deductible": claim.show_deductible,
        "customer_sees_estimate_total": claim.customer_sees_estimate_total,
        "customer_sees_deductible": claim.customer_sees_deductible,
        "rental_days_covered": claim.rental_days_covered,
        "rental_start": claim.rental_start,
        "eta": claim.eta,
        "eta_first_promised": claim.eta_first_promised,
        "eta_reason": claim.eta_reason,
        "eta_changed_at": claim.eta_changed_at,
        "delivered_at": claim.delivered_at,
        "archived": claim.archived,
        "internal_notes": claim.internal_notes,
        "portal_url": link,
        "qr_svg_url": qr_svg_url(claim) if link else None,
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
    }


def event_out(event: ClaimEvent) -> dict[str, Any]:
    return {
        "id": event.seq,
        "type": event.type,
        "at": event.created_at,
        "channel": event.channel,
        "actor": event.actor_label,
        "customer_visible": event.customer_visible,
        "data": event.data if isinstance(event.data, dict) else {"value": event.data},
    }
