"""Everything that changes a claim, split by concern. Each service writes its ClaimEvent in
the same transaction; import from here (``claimory.claims.services``)."""

from claimory.claims.services.edits import (
    CUSTOMER_FIELDS,
    EDITABLE_FIELDS,
    VEHICLE_FIELDS,
    VISIBILITY_FIELDS,
    claim_edit,
    claim_note_add,
    claim_update,
    customer_update,
    vehicle_update,
)
from claimory.claims.services.inputs import ClaimEditInput, ClaimInput, CustomerInput, VehicleInput
from claimory.claims.services.intake import claim_create
from claimory.claims.services.portal_links import (
    portal_token,
    portal_token_revoke,
    portal_token_rotate,
)
from claimory.claims.services.progress import claim_eta_set, claim_stage_set
from claimory.claims.services.validation import (
    MONEY_MAX,
    claim_validate,
    location_today,
    stage_by_slug,
)

__all__ = [
    "CUSTOMER_FIELDS", "EDITABLE_FIELDS", "MONEY_MAX", "VEHICLE_FIELDS", "VISIBILITY_FIELDS",
    "ClaimEditInput", "ClaimInput", "CustomerInput", "VehicleInput", "claim_create",
    "claim_edit", "claim_eta_set", "claim_note_add", "claim_stage_set", "claim_update",
    "claim_validate", "customer_update", "location_today", "portal_token",
    "portal_token_revoke", "portal_token_rotate", "stage_by_slug", "vehicle_update",
]
