"""The team (Settings → Team): invite staff by email, resend, change roles, remove.

An invitee gets a user with no usable password and a membership at once, and an email with
a one-time link to choose a password (Django's password-reset tokens: the link stops working
once a password is set, and after PASSWORD_RESET_TIMEOUT). A user belongs to one workspace
today, so an email already in another shop is refused. Only an owner makes, changes or
removes an owner, and a workspace never loses its last owner.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from claimory.core import durable
from claimory.core.origin import base_url
from claimory.core.rate_window import FixedWindow
from claimory.core.text import has_visible_text
from claimory.shops.models import (
    InviteEmail,
    InviteEmailState,
    Location,
    Membership,
    Role,
    Workspace,
)
from claimory.shops.permissions import authorize
from claimory.shops.selectors import membership_for_user

log = logging.getLogger(__name__)

# Invitation emails carry the shop's own words from our domain: a free trial must not turn
# them into a spam or mail-bombing relay. Per workspace (invites and resends), and resends
# per teammate.
INVITES_PER_WORKSPACE = 30  # per hour
RESENDS_PER_MEMBER = 3  # per hour
_INVITES = FixedWindow("invite-ws", 3600)
_RESENDS = FixedWindow("invite-resend", 3600)
TOO_MANY = "Too many invitations in the last hour. Try again later."

ELSEWHERE = ("That email already belongs to someone in another shop on Claimory. An account "
             "works in one shop for now: ask them for another email address.")


def team_members(workspace: Workspace) -> QuerySet[Membership]:
    return (Membership.objects.filter(workspace=workspace).select_related("user")
            .prefetch_related("locations").order_by("user__first_name", "user__email"))


def member_get(workspace: Workspace, membership_id: Any) -> Membership:
    """A member of ``workspace`` or Http404 (another shop's id looks like no id at all)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Membership.objects.select_related("user", "workspace"),
                             pk=membership_id, workspace=workspace)


def is_pending(membership: Membership) -> bool:
    """Invited and has not chosen a password yet."""
    return not membership.user.has_usable_password() and membership.user.last_login is None


def invite_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url().rstrip("/") + reverse("backoffice:invite_accept", args=[uid, token])


def invite_send(membership: Membership, inviter=None) -> InviteEmail:
    """Queue the set-password email (sent by the worker after commit)."""
    with transaction.atomic():
        row = InviteEmail.objects.create(membership=membership, inviter=inviter
                                         if getattr(inviter, "is_authenticated", False) else None)
        durable.schedule(row)
    return row


@durable.handler(InviteEmail)
def _invite_email_run(row: InviteEmail) -> None:
    membership, inviter = row.membership, row.inviter
    if not is_pending(membership):  # joined (or the link was resent and used) meanwhile
        durable.finish(row, InviteEmailState.SKIPPED)
        return
    user = membership.user
    context = {"user": user, "workspace": membership.workspace, "url": invite_url(user),
               "role": membership.get_role_display(),
               "inviter": (inviter.get_full_name() or inviter.email) if inviter else "",
               "locations": [loc.name for loc in membership.locations.all()]}
    subject = f"You're invited to {membership.workspace.name} on Claimory"
    body = render_to_string("registration/invite_email.txt", context)
    send_mail(subject, body, None, [user.email])  # a refusal raises: retried with backoff
    durable.finish(row, InviteEmailState.SENT)


def _actor_membership(actor: Any, workspace: Workspace) -> Membership | None:
    authorize(actor, "staff.manage")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    mine = membership_for_user(actor)
    if mine is None or mine.workspace_id != workspace.pk:
        raise PermissionDenied("You're not on this team.")
    return mine


def _owner_only(mine: Membership | None, what: str) -> None:
    if mine is not None and mine.role != Role.OWNER:
        raise PermissionDenied(f"Only owners can {what}.")


def _clean_role_and_locations(workspace: Workspace, role: str, location_ids: list[Any]
                              ) -> tuple[str, list[Location]]:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = ["Choose a role."]
    ids = [str(i) for i in location_ids or []]
    if not all(i.isdigit() for i in ids):
        errors["locations"] = ["Choose locations from the list."]
        ids = []
    locations = list(Location.objects.filter(workspace=workspace, pk__in=ids))
    if len(locations) != len(set(ids)):
        errors["locations"] = ["Choose locations from the list."]
    elif role in Role.values and role not in (Role.OWNER, Role.MANAGER) and not locations:
        errors["locations"] = ["Choose at least one location they work at."]
    if errors:
        raise ValidationError(errors)
    return role, locations


def _owners(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def member_invite(*, workspace: Workspace, email: str, name: str, role: str,
                  location_ids: list[Any], actor: Any = None) -> tuple[Membership, bool]:
    """Add a teammate and email them a set-password link; returns (membership, sent)."""
    mine = _actor_membership(actor, workspace)
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    name = " ".join((name or "").split())
    if not has_visible_text(name) or len(name) > 150:
        errors["name"] = ["Enter their name."]
    try:
        role, locations = _clean_role_and_locations(workspace, role, location_ids)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if role == Role.OWNER:
        _owner_only(mine, "invite another owner")
    if _INVITES.take(str(workspace.pk), INVITES_PER_WORKSPACE) is not None:
        raise ValidationError({"__all__": [TOO_MANY]})
    try:
        membership = _invite_rows(workspace, email, name, role, locations)
    except IntegrityError:  # a double-click: the other request made the same rows first
        raise ValidationError({"email": [f"{email} was just invited. Refresh the page."]}
                              ) from None
    invite_send(membership, actor)
    return membership, True


def _invite_rows(workspace: Workspace, email: str, name: str, role: str,
                 locations: list[Location]) -> Membership:
    User = get_user_model()
    with transaction.atomic():
        user = (User.objects.select_for_update().filter(username=email).first()
                or User.objects.select_for_update().filter(email__iexact=email).first())
        if user is not None:
            other = Membership.objects.filter(user=user).first()
            if other is not None:
                raise ValidationError({"email": [
                    f"{other.user.get_full_name() or email} is already on your team."
                    if other.workspace_id == workspace.pk else ELSEWHERE]})
        else:
            first, _, last = name.partition(" ")
            user = User(username=email, email=email, first_name=first[:150],
                        last_name=last.strip()[:150])
            user.set_unusable_password()  # no way in until they follow the link
            user.save()
        membership = Membership.objects.create(user=user, workspace=workspace, role=role)
        membership.locations.set(locations)
    return membership


def member_invite_resend(*, membership: Membership, actor: Any = None) -> bool:
    _actor_membership(actor, membership.workspace)
    if not is_pending(membership):
        raise ValidationError({"__all__": [
            f"{membership.user.email} has already joined; they can use “Forgot your "
            f"password?” on the sign-in page."]})
    if (_RESENDS.take(str(membership.pk), RESENDS_PER_MEMBER) is not None
            or _INVITES.take(str(membership.workspace_id), INVITES_PER_WORKSPACE) is not None):
        raise ValidationError({"__all__": [TOO_MANY]})
    invite_send(membership, actor)
    return True


@transaction.atomic
def member_change(*, membership: Membership, role: str, location_ids: list[Any],
                  actor: Any = None) -> Membership:
    """A teammate's role and locations. Not one's own role (no locking oneself out); only an
    owner touches an owner; the last owner stays an owner."""
    mine = _actor_membership(actor, membership.workspace)
    role, locations = _clean_role_and_locations(membership.workspace, role, location_ids)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if mine is not None and mine.pk == membership.pk and role != membership.role:
        raise ValidationError({"role": ["You can't change your own role; ask another owner."]})
    if Role.OWNER in (role, membership.role) and role != membership.role:
        _owner_only(mine, "make someone an owner or change an owner's role")
        if membership.role == Role.OWNER and _owners(membership.workspace) <= 1:
            raise ValidationError({"role": ["A shop needs an owner: make someone else an "
                                            "owner first."]})
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    membership.locations.set(locations)
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor: Any = None) -> None:
    """Take a teammate off the team (their user stays, so the history they wrote keeps its
    author; without a membership they can't open anything)."""
    mine = _actor_membership(actor, membership.workspace)
    membership = Membership.objects.select_for_update().select_related("user").get(
        pk=membership.pk)
    if mine is not None and mine.pk == membership.pk:
        raise ValidationError({"__all__": ["You can't remove yourself."]})
    if membership.role == Role.OWNER:
        _owner_only(mine, "remove an owner")
        if _owners(membership.workspace) <= 1:
            raise ValidationError({"__all__": ["A shop needs an owner: this is the last one."]})
    membership.delete()
