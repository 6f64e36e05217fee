"""Who may do what: the one permission matrix, for staff roles and location API keys.

Everything that refuses an action reads ``MATRIX``: the back-office gates, the services (for a
staff actor), the templates (through ``Can``) and the API routes. README.md shows the same
table; a test keeps the two equal.

Location scope is separate and unchanged: owners and managers act at every location of their
workspace, the other roles only at theirs, an API key only at its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from claimory.shops.models import Location, Membership, Role

API_KEY = "api_key"  # a location API key, as a pseudo-role of the matrix

# permission -> what it lets one do (finishes "Only owners and managers can …").
PERMISSIONS: dict[str, str] = {
    "claim.view": "see the location's claims, board, inbox and messages",
    "claim.create": "open claims",
    "claim.edit": "edit a claim's details, customer, vehicle and ETA",
    "claim.money_edit": "change the estimate, deductible and rental, and whether the customer "
                        "sees them",
    "claim.stage_move": "move cars between stages",
    "claim.note": "add internal notes",
    "portal_link.manage": "rotate or revoke a customer's portal link",
    "message.send": "message customers",
    "inbox.triage": "mark threads read or done",
    "inbox.assign": "assign threads to teammates",
    "settings.stages": "change the board's stages",
    "settings.location": "change the shop's details, hours and portal defaults",
    "apikey.manage": "create or revoke API keys",
    "texting.manage": "order or change the location's texting number and messaging profile",
    "notifications.manage": "choose which events text customers, edit and approve message "
                            "templates and set quiet hours",
    "documents.send": "send documents for the customer to sign, void or re-send them",
    "documents.templates": "edit the location's document texts and e-signature settings",
    "photos.add": "add photos of a car from the bay",
    "photos.manage": "hide, delete or make photos internal",
    "estimates.import": "import estimates and supplements from CCC ONE or Mitchell",
    "mail.import": "file emails into claims (import a mailbox, pipe mail in)",
    "appointments.book": "book appointments for customers and read the shop's calendar",
    "billing.manage": "choose the workspace's plan",
    "reports.view": "see the reports (portal views, calls avoided, cycle time, CSI, the "
                    "carrier scorecard) and download them",
    "staff.manage": "invite teammates, change their roles and locations, or remove them",
    "surveys.follow_up": "see and resolve the private follow-ups of low survey scores",
    "appointments.manage": "set appointment hours, capacity and holidays and the calendar "
                           "feed",
}

_ALL_STAFF = frozenset({Role.OWNER, Role.MANAGER, Role.FRONT_DESK, Role.PRODUCTION,
                        Role.TECHNICIAN})
_OFFICE = frozenset({Role.OWNER, Role.MANAGER, Role.FRONT_DESK})
_MANAGERS = frozenset({Role.OWNER, Role.MANAGER})

# permission -> the roles (and API_KEY) granted it. Production runs the floor (stages, ETA,
# the customer conversation) but not money or links; technicians move cars and write notes.
MATRIX: dict[str, frozenset[str]] = {
    "claim.view": _ALL_STAFF | {API_KEY},
    "claim.create": _OFFICE | {API_KEY},
    "claim.edit": _OFFICE | {Role.PRODUCTION, API_KEY},
    "claim.money_edit": _OFFICE | {API_KEY},
    "claim.stage_move": _ALL_STAFF | {API_KEY},
    "claim.note": _ALL_STAFF,
    "portal_link.manage": _OFFICE,
    "message.send": _OFFICE | {Role.PRODUCTION, API_KEY},
    "inbox.triage": _OFFICE | {Role.PRODUCTION},
    "inbox.assign": _OFFICE | {Role.PRODUCTION},
    "settings.stages": _MANAGERS,
    "settings.location": _MANAGERS | {API_KEY},
    "apikey.manage": frozenset({Role.OWNER}),
    "texting.manage": frozenset({Role.OWNER}),  # a number is bought on the shop's account
    "notifications.manage": _MANAGERS,
    "documents.send": _OFFICE | {API_KEY},
    "documents.templates": _MANAGERS,
    # Everyone on the floor photographs cars; what the customer stops seeing is the office's
    # and production's call.
    "photos.add": _ALL_STAFF | {API_KEY},
    "photos.manage": _MANAGERS | {Role.PRODUCTION},
    "estimates.import": _OFFICE | {API_KEY},
    "mail.import": _OFFICE | {API_KEY},
    "appointments.book": _OFFICE | {API_KEY},
    "billing.manage": frozenset({Role.OWNER}),
    "reports.view": _MANAGERS,
    # Managers run the team too; only an owner makes or changes an owner (shops/team.py).
    "staff.manage": _MANAGERS,
    "surveys.follow_up": _MANAGERS,
    "appointments.manage": _MANAGERS,
}
assert set(MATRIX) == set(PERMISSIONS)  # noqa: S101 - one list of names, checked at import

# Claim fields under claim.money_edit rather than claim.edit.
MONEY_FIELDS = ("deductible", "estimate_total", "rental_days_covered", "rental_start",
                "rental_company", "labor_hours", "show_estimate_total", "show_deductible")

ROLE_ORDER = [Role.OWNER, Role.MANAGER, Role.FRONT_DESK, Role.PRODUCTION, Role.TECHNICIAN,
              API_KEY]
_PLURAL = {Role.OWNER: "owners", Role.MANAGER: "managers", Role.FRONT_DESK: "front desk staff",
           Role.PRODUCTION: "production managers", Role.TECHNICIAN: "technicians"}


def role_can(role: str | None, perm: str) -> bool:
    """Whether ``role`` (a Role value or API_KEY) holds ``perm``; unknown names raise KeyError,
    so a typo in a gate fails loudly instead of refusing everyone."""
    return role in MATRIX[perm]


def denial_message(perm: str) -> str:
    roles = [_PLURAL[r] for r in ROLE_ORDER if r in MATRIX[perm] and r != API_KEY]
    who = " and ".join([", ".join(roles[:-1]), roles[-1]] if len(roles) > 1 else roles)
    return f"Only {who} can {PERMISSIONS[perm]}."


class RoleDenied(PermissionDenied):
    """A signed-in teammate's role lacks ``perm``: answered 403 with ``str(exc)``."""

    def __init__(self, perm: str) -> None:
        self.perm = perm
        super().__init__(denial_message(perm))


def _membership_of(who: Any) -> Membership | None:
    if isinstance(who, Membership) or who is None:
        return who
    from claimory.shops.selectors import membership_for_user

    return membership_for_user(who)


def _works_at(membership: Membership, location: Location) -> bool:
    if location.workspace_id != membership.workspace_id:
        return False
    if membership.sees_all_locations:
        return True
    cached = getattr(membership, "_claimory_location_ids", None)
    if cached is None:
        cached = set(membership.locations.values_list("id", flat=True))
        membership._claimory_location_ids = cached
    return location.pk in cached


def require(who: Any, perm: str, location: Location | None = None) -> Membership:
    """``who`` (a user or a Membership) holds ``perm`` at ``location``, or PermissionDenied.

    A role without the permission gets RoleDenied (403 with a clear message); a location the
    teammate does not work at is refused the same way, with no detail about it.
    """
    membership = _membership_of(who)
    if membership is None:
        raise PermissionDenied("Your account is not part of a shop.")
    if not role_can(membership.role, perm):
        raise RoleDenied(perm)
    if location is not None and not _works_at(membership, location):
        raise PermissionDenied("You don't work at this location.")
    return membership


def authorize(actor: Any, perm: str, location: Location | None = None) -> None:
    """The services' check: a signed-in staff actor must hold ``perm`` at ``location``.

    ``actor=None`` is the system, the demo loader or an API call (the API gate checked the
    key's permission before calling), so it passes; anything else authenticated is checked.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    require(actor, perm, location)


@dataclass(frozen=True)
class _Scope:
    role: str | None
    prefix: str

    def __getitem__(self, action: str) -> bool:
        perm = f"{self.prefix}.{action}"
        if perm not in MATRIX:
            raise KeyError(perm)
        return role_can(self.role, perm)


class Can:
    """What the template may offer: ``{% if request.can.portal_link.manage %}``.

    Names are the permission names split at the dot; an unknown one raises (a template
    shows it as a silent False, so tests check the names exist).
    """

    def __init__(self, role: str | None) -> None:
        self.role = role

    def __getitem__(self, prefix: str) -> _Scope:
        if not any(perm.startswith(f"{prefix}.") for perm in MATRIX):
            raise KeyError(prefix)
        return _Scope(self.role, prefix)

    def has(self, perm: str) -> bool:
        return role_can(self.role, perm)
