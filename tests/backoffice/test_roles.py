"""Who may do what: every staff POST, for every role, against the one permission matrix.

A role the matrix allows succeeds and changes something; a role it refuses gets a 403 and
nothing in the database moves. A new POST url without an entry here fails the first test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from claimory.appointments.models import Appointment, Availability
from claimory.appointments.services import Request, appointment_book
from claimory.backoffice import urls as staff_urls
from claimory.claims.models import Claim, ClaimEvent, Customer, Vehicle
from claimory.claims.services import claim_update, portal_token_rotate
from claimory.drafts.drafters import TemplateDrafter
from claimory.drafts.models import Draft
from claimory.drafts.services import draft_create, draft_create_email
from claimory.esign.models import Document, DocumentTemplate
from claimory.esign.services import document_prepare, document_send
from claimory.estimates.models import ImportFile
from claimory.mail.models import Mailbox, MailMessage, OAuthState, Outgoing, Participant, SyncRun
from claimory.messaging.models import Conversation, Message
from claimory.messaging.services import conversation_assign, message_receive, message_send
from claimory.money.models import RentalRule, Supplement
from claimory.money.rental import rental_rule_save
from claimory.money.supplements import supplement_add
from claimory.notifications.models import MessageTemplate, NotificationRule
from claimory.photos.models import Photo, Source
from claimory.shops.models import (
    InviteEmail,
    Location,
    LogoJob,
    Membership,
    Role,
    SlugAlias,
    Stage,
    Workspace,
)
from claimory.shops.permissions import (
    API_KEY,
    MATRIX,
    MONEY_FIELDS,
    PERMISSIONS,
    ROLE_ORDER,
    Can,
    RoleDenied,
    role_can,
)
from claimory.shops.services import stage_add
from claimory.sms.models import NumberOrder, ProviderEvent, UnmatchedText
from tests.appointments.test_booking import next_weekday_at
from tests.backoffice.test_claim_edit import current_values
from tests.backoffice.test_intake import valid_post
from tests.backoffice.test_settings import location_form
from tests.factories import make_staff
from tests.photos.samples import jpeg_with_gps

ROLES = [Role.OWNER, Role.MANAGER, Role.FRONT_DESK, Role.PRODUCTION, Role.TECHNICIAN]
AUTH_URLS = {"login", "logout", "password_reset", "password_reset_done",
             "password_reset_complete", "password_reset_confirm", "invite_accept", None}
# Staff posts that change only the teammate's own session (the location picker): any role.
SESSION_ONLY = {"location_switch"}
# Staff urls that only read: each must refuse a POST (checked below), so none can write.
GET_ONLY = {"settings_plan", "welcome",
            "claims", "claim", "claim_live", "inbox", "inbox_badge", "events", "board",
            "board_card", "settings", "settings_stages", "simulator", "unmatched",
            "unmatched_media", "unmatched_media_thumb", "photo_file", "photo_thumb",
            "settings_notifications", "settings_rental", "document", "document_pdf",
            "settings_documents", "photo_state", "mail_detail", "mail_attachment",
            "mail_simulator", "settings_email", "settings_email_oauth_callback",
            "reports", "reports_carriers", "reports_csv", "follow_ups",
            "appointments", "appointment", "settings_appointments"}


@dataclass
class Ctx:
    claim: Claim
    location: Location
    people: dict[str, object]
    owner_client: Client


@dataclass(frozen=True)
class Case:
    perm: str
    request: Callable[[Ctx, str], tuple[str, dict]]  # (ctx, role) -> (url, form data)


def _edit_data(ctx: Ctx, role: str) -> tuple[str, dict]:
    data = current_values(ctx.owner_client, ctx.claim)
    if not role_can(role, "claim.money_edit"):
        data = {k: v for k, v in data.items() if k not in MONEY_FIELDS}
    data["ro_number"] = "RO-CHANGED"
    return reverse("backoffice:claim_edit", args=[ctx.claim.pk]), data


def _a_draft(ctx: Ctx):
    return draft_create(claim=ctx.claim, actor=ctx.people[Role.OWNER], using=TemplateDrafter())


def _claim_url(name: str, **data) -> Callable[[Ctx, str], tuple[str, dict]]:
    return lambda ctx, role: (reverse(f"backoffice:{name}", args=[ctx.claim.pk]), data)


def _unmatched_attach(ctx: Ctx, role: str) -> tuple[str, dict]:
    row = UnmatchedText.objects.create(location=ctx.location, from_number="+15125550111",
                                       body="Hi, it's Maria from my work phone",
                                       received_at=timezone.now())
    return reverse("backoffice:unmatched_attach", args=[row.pk]), {"claim": ctx.claim.pk}


def _unmatched_dismiss(ctx: Ctx, role: str) -> tuple[str, dict]:
    url, _ = _unmatched_attach(ctx, role)
    return url.replace("/attach", "/dismiss"), {}


def _loose_mail(ctx: Ctx, name: str) -> tuple[str, dict]:
    mail = MailMessage.objects.create(
        location=ctx.location, direction="in", status="unmatched", source="import",
        message_id=f"<{timezone.now().timestamp()}@ia.test>", from_address="ivan@ia.test",
        subject="Photos", body_text="From the inspection.")
    return reverse(f"backoffice:{name}", args=[mail.pk]), {"claim": ctx.claim.pk}


def _compose(ctx: Ctx, role: str) -> tuple[str, dict]:
    Mailbox.objects.get_or_create(location=ctx.location, defaults={
        "provider": "imap", "address": "service@northside.test", "imap_host": "127.0.0.1",
        "smtp_host": "127.0.0.1", "username": "service@northside.test"})
    return reverse("backoffice:mail_compose", args=[ctx.claim.pk]), {
        "to": "dana@carrier.test", "subject": "Supplement", "body": "Sent today."}


def _simulated_sent(ctx: Ctx, role: str) -> tuple[str, dict]:
    """Something the shop sent from the demo's simulated mailbox, to answer as its recipient
    (every role may use the simulator, as with texts)."""
    Mailbox.objects.get_or_create(location=ctx.location, defaults={
        "provider": "simulated", "address": "service@northside.test", "imap_host": "-",
        "smtp_host": "-", "username": "service@northside.test"})
    sent = MailMessage.objects.create(
        location=ctx.location, claim=ctx.claim, direction="out", status="sent",
        source="compose", message_id=f"<{timezone.now().timestamp()}@northside.test>",
        subject="Supplement", from_address="service@northside.test",
        to=[["Dana", "dana@carrier.test"]], body_text="Sent today.")
    return reverse("backoffice:mail_simulator_reply", args=[sent.pk]), {"body": "Thanks!"}


def _a_participant(ctx: Ctx) -> str:
    person = Participant.objects.create(claim=ctx.claim, email="ira@ia.test")
    return reverse("backoffice:participant_remove", args=[ctx.claim.pk, person.pk])


def _a_supplement(ctx: Ctx) -> tuple[str, dict]:
    supp = supplement_add(claim=ctx.claim, amount="640.00")
    return reverse("backoffice:supplement_decision", args=[ctx.claim.pk, supp.number]), \
        {"status": "approved"}


def _a_rule(ctx: Ctx) -> RentalRule:
    return rental_rule_save(location=ctx.location, values={"carrier": "Acme", "days_allowed": 5})


def _template_id(ctx: Ctx) -> int:
    return MessageTemplate.objects.get(location=ctx.location, key="received", language="en").pk


def _document_send(ctx: Ctx, role: str) -> tuple[str, dict]:
    values = {"odometer": "48213"}
    sha = document_prepare(ctx.claim, "delivery_ack", values).content_sha256
    return reverse("backoffice:document_new", args=[ctx.claim.pk]), \
        {"kind": "delivery_ack", "action": "send", "content_sha256": sha, **values}


def _document_void(ctx: Ctx, role: str) -> tuple[str, dict]:
    document = document_send(claim=ctx.claim, kind="delivery_ack", values={"odometer": "9"})
    return reverse("backoffice:document_void", args=[ctx.claim.pk, document.pk]), \
        {"reason": "Sent by mistake"}
def _a_photo(ctx: Ctx, name: str, **data) -> tuple[str, dict]:
    photo = Photo.objects.create(claim=ctx.claim, source=Source.BAY, stage="estimate")
    return reverse(f"backoffice:{name}", args=[photo.pk]), data


def _photo_post(ctx: Ctx, role: str) -> tuple[str, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bay.jpg", jpeg_with_gps(64, 48), content_type="image/jpeg")
    return reverse("backoffice:photo_new", args=[ctx.claim.pk]), \
        {"photos": upload, "stage": "estimate"}


def _logo_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("logo.jpg", jpeg_with_gps(64, 48), content_type="image/jpeg")


def _a_mailbox(ctx: Ctx, name: str, **data) -> tuple[str, dict]:
    Mailbox.objects.create(location=ctx.location, provider="imap", address="shop@example.test",
                           username="shop@example.test", imap_host="127.0.0.1",
                           smtp_host="127.0.0.1")
    return reverse(f"backoffice:{name}", args=["northside"]), data


def _an_estimate(ctx: Ctx, role: str) -> tuple[str, dict]:
    import io
    from pathlib import Path

    sample = Path(__file__).parent.parent / "estimates" / "data" / "bms" / "est1-original.xml"
    upload = io.BytesIO(sample.read_bytes())
    upload.name = sample.name
    return reverse("backoffice:estimates_import") + "?location=northside", {"files": [upload]}


def _an_invitee(ctx: Ctx) -> Membership:
    """A pending invitation (resending it queues another InviteEmail)."""
    from claimory.shops.team import member_invite

    membership, _sent = member_invite(workspace=ctx.location.workspace,
                                      email="pending@northside.test", name="Pending Person",
                                      role="technician", location_ids=[ctx.location.pk])
    return membership


def _a_follow_up(ctx: Ctx, role: str) -> tuple[str, dict]:
    from claimory.survey.models import FollowUp, Survey

    survey, _ = Survey.objects.get_or_create(
        claim=ctx.claim, defaults={"location": ctx.location, "state": "answered",
                                   "overall": 2, "answered_at": timezone.now()})
    follow_up, _ = FollowUp.objects.get_or_create(survey=survey, location=ctx.location)
    return reverse("backoffice:follow_up_resolve", args=[follow_up.pk]), \
        {f"f{follow_up.pk}-resolution": "Called her; trim refitted."}


def _an_appointment(ctx: Ctx, name: str, **data) -> tuple[str, dict]:
    row = appointment_book(location=ctx.location, request=Request(
        kind="drop_off", start=next_weekday_at(10), name="Ana Ruiz", claim=ctx.claim))
    return reverse(f"backoffice:{name}", args=[row.pk]), data


def _availability_form(**changes) -> dict:
    return {"slot_minutes": "30", "estimate_capacity": "1", "drop_off_capacity": "2",
            "pickup_capacity": "2", "estimate_day_capacity": "0", "drop_off_day_capacity": "0",
            "pickup_day_capacity": "0", "lead_minutes": "120", "window_days": "60",
            "closed_dates": "", **changes}


POST_CASES: dict[str, Case] = {
    "follow_up_resolve": Case("surveys.follow_up", _a_follow_up),
    "appointment_confirm": Case("appointments.book", lambda ctx, role: _an_appointment(
        ctx, "appointment_confirm")),
    "appointment_reschedule": Case("appointments.book", lambda ctx, role: _an_appointment(
        ctx, "appointment_reschedule", start=next_weekday_at(11).isoformat())),
    "appointment_cancel": Case("appointments.book", lambda ctx, role: _an_appointment(
        ctx, "appointment_cancel", reason="Parts late")),
    "appointment_link": Case("appointments.book", lambda ctx, role: _an_appointment(
        ctx, "appointment_link", claim=ctx.claim.pk)),
    "appointment_settings_save": Case("appointments.manage", lambda ctx, role: (
        reverse("backoffice:appointment_settings_save", args=["northside"]),
        _availability_form(estimate_day_capacity="4", closed_dates="2030-12-25"))),
    "calendar_secret_rotate": Case("appointments.manage", lambda ctx, role: (
        reverse("backoffice:calendar_secret_rotate", args=["northside"]), {})),
    "mail_compose": Case("message.send", _compose),
    "mail_draft_new": Case("message.send", _claim_url("mail_draft_new")),
    "mail_draft_discard": Case("message.send", lambda ctx, role: (
        reverse("backoffice:mail_draft_discard", args=[ctx.claim.pk, draft_create_email(
            claim=ctx.claim, actor=ctx.people[Role.OWNER], using=TemplateDrafter()).pk]), {})),
    "participant_add": Case("claim.edit", _claim_url("participant_add", email="ira@ia.test",
                                                     role="appraiser")),
    "participant_remove": Case("claim.edit", lambda ctx, role: (_a_participant(ctx), {})),
    "mail_attach": Case("inbox.triage", lambda ctx, role: _loose_mail(ctx, "mail_attach")),
    "mail_dismiss": Case("inbox.triage", lambda ctx, role: _loose_mail(ctx, "mail_dismiss")),
    "mail_simulator_reply": Case("claim.view", _simulated_sent),
    "photo_new": Case("photos.add", _photo_post),
    "photo_hide": Case("photos.manage", lambda ctx, role: _a_photo(ctx, "photo_hide")),
    "photo_internal": Case("photos.manage", lambda ctx, role: _a_photo(ctx, "photo_internal")),
    "photo_delete": Case("photos.manage", lambda ctx, role: _a_photo(ctx, "photo_delete")),
    "estimates_import": Case("estimates.import", _an_estimate),
    "unmatched_attach": Case("inbox.triage", _unmatched_attach),
    "unmatched_dismiss": Case("inbox.triage", _unmatched_dismiss),
    "claim_new": Case("claim.create", lambda ctx, role: (reverse("backoffice:claim_new"),
                                                         valid_post())),
    "claim_edit": Case("claim.edit", _edit_data),
    "claim_stage": Case("claim.stage_move", _claim_url("claim_stage", stage="estimate")),
    "claim_note": Case("claim.note", _claim_url("claim_note", body="Bumper cover on order.")),
    "portal_rotate": Case("portal_link.manage", _claim_url("portal_rotate")),
    "portal_revoke": Case("portal_link.manage", _claim_url("portal_revoke")),
    "supplement_new": Case("claim.money_edit", _claim_url("supplement_new",
                                                         **{"supp-amount": "1200.00"})),
    "supplement_decision": Case("claim.money_edit", lambda ctx, role: _a_supplement(ctx)),
    "deductible_paid": Case("claim.money_edit", _claim_url("deductible_paid", paid="1")),
    "rental_rule_new": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:rental_rule_new", args=["northside"]),
        {"new-carrier": "Acme", "new-kind": "days", "new-days_allowed": "7",
         "new-count_weekends": "on"})),
    "rental_rule_edit": Case("settings.location", lambda ctx, role: (
        lambda rule: (reverse("backoffice:rental_rule_edit", args=["northside", rule.pk]),
                      {f"rule-{rule.pk}-carrier": "Acme", f"rule-{rule.pk}-kind": "hours",
                       f"rule-{rule.pk}-hours_per_day": "6"}))(_a_rule(ctx))),
    "rental_rule_delete": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:rental_rule_delete", args=["northside", _a_rule(ctx).pk]), {})),
    "thread_reply": Case("message.send", _claim_url("thread_reply", body="Ready Friday.")),
    "thread_read": Case("inbox.triage", _claim_url("thread_read")),
    "thread_done": Case("inbox.triage", _claim_url("thread_done")),
    "thread_assign": Case("inbox.assign", lambda ctx, role: (
        reverse("backoffice:thread_assign", args=[ctx.claim.pk]),
        {"assignee": str(ctx.people[Role.FRONT_DESK].pk)})),
    "draft_new": Case("message.send", _claim_url("draft_new")),
    "draft_send": Case("message.send", lambda ctx, role: (
        reverse("backoffice:draft_send", args=[ctx.claim.pk, _a_draft(ctx).pk]),
        {"body": "Ready Friday."})),
    "draft_discard": Case("message.send", lambda ctx, role: (
        reverse("backoffice:draft_discard", args=[ctx.claim.pk, _a_draft(ctx).pk]), {})),
    "simulator_reply": Case("claim.view", lambda ctx, role: (
        reverse("backoffice:simulator_reply"),
        {"location": "northside", "phone": ctx.claim.customer.phone, "text": "Hello?"})),
    "stage_new": Case("settings.stages", lambda ctx, role: (
        reverse("backoffice:stage_new", args=["northside"]), {"new-name": "Parts on order"})),
    "stage_edit": Case("settings.stages", lambda ctx, role: (
        reverse("backoffice:stage_edit", args=["northside", "estimate"]),
        {"stage-estimate-name": "Blueprint", "stage-estimate-name_es": "Plano",
         "stage-estimate-explanation_en": "", "stage-estimate-explanation_es": ""})),
    "stage_move": Case("settings.stages", lambda ctx, role: (
        reverse("backoffice:stage_move", args=["northside", "estimate"]), {"direction": "up"})),
    "notification_rules": Case("notifications.manage", lambda ctx, role: (
        reverse("backoffice:notification_rules", args=["northside"]), {"rule-received": "on"})),
    "quiet_hours": Case("notifications.manage", lambda ctx, role: (
        reverse("backoffice:quiet_hours", args=["northside"]), {"start": "20:00",
                                                                 "end": "07:00"})),
    "template_edit": Case("notifications.manage", lambda ctx, role: (
        reverse("backoffice:template_edit", args=["northside", _template_id(ctx)]),
        {"action": "approve", "body": "{shop_name}: hi {first_name}. {portal_link}"})),
    "template_approve": Case("notifications.manage", lambda ctx, role: (
        reverse("backoffice:template_approve", args=["northside", _template_id(ctx)]), {})),
    "templates_approve_all": Case("notifications.manage", lambda ctx, role: (
        reverse("backoffice:templates_approve_all", args=["northside"]), {})),
    "document_new": Case("documents.send", _document_send),
    "document_void": Case("documents.send", _document_void),
    "document_template": Case("documents.templates", lambda ctx, role: (
        reverse("backoffice:document_template", args=["northside", "betterment"]),
        {"betterment-title": "Betterment", "betterment-body": "You pay {amount}."})),
    "esign_settings": Case("documents.templates", lambda ctx, role: (
        reverse("backoffice:esign_settings", args=["northside"]),
        {"sms_code": "on", "reminder_hours": "12"})),
    "settings_email_oauth": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:settings_email_oauth", args=["northside", "google"]), {})),
    # Port 1 on loopback refuses at once: the check fails and "save anyway" stores it.
    "settings_email_imap": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:settings_email_imap", args=["northside"]),
        {"address": "shop@example.test", "imap_host": "127.0.0.1", "imap_port": "1",
         "imap_security": "none", "smtp_host": "127.0.0.1", "smtp_port": "1",
         "smtp_security": "none", "password": "pw", "save_anyway": "on",
         "action": "connect"})),
    "settings_email_mailbox": Case("settings.location", lambda ctx, role: _a_mailbox(
        ctx, "settings_email_mailbox", display_name="Northside", sync_every_seconds="300")),
    "settings_email_sync": Case("settings.location", lambda ctx, role: _a_mailbox(
        ctx, "settings_email_sync")),
    "settings_email_disconnect": Case("settings.location", lambda ctx, role: _a_mailbox(
        ctx, "settings_email_disconnect")),
    "settings_public_address": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:settings_public_address", args=["northside"]),
        {"slug": f"northside-{role.replace('_', '-')}"})),
    "settings_logo": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:settings_logo", args=["northside"]), {"logo": _logo_upload()})),
    "welcome_hours": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:welcome_hours"), {"location": "northside"})),
    "welcome_hide": Case("settings.location", lambda ctx, role: (
        reverse("backoffice:welcome_hide"), {})),
    "settings_team": Case("staff.manage", lambda ctx, role: (
        reverse("backoffice:settings_team"),
        {"invite-name": "Ivy New", "invite-email": f"ivy-{role}@northside.test",
         "invite-role": "technician", "invite-locations": [str(ctx.location.pk)]})),
    "team_member": Case("staff.manage", lambda ctx, role: (
        lambda m: (reverse("backoffice:team_member", args=[m.pk]),
                   {f"m{m.pk}-role": "production", f"m{m.pk}-locations": [str(ctx.location.pk)]})
    )(Membership.objects.get(user=ctx.people[Role.TECHNICIAN]))),
    "team_resend": Case("staff.manage", lambda ctx, role: (
        reverse("backoffice:team_resend", args=[_an_invitee(ctx).pk]), {})),
    "team_remove": Case("staff.manage", lambda ctx, role: (
        reverse("backoffice:team_remove", args=[
            Membership.objects.get(user=ctx.people[Role.TECHNICIAN]).pk]), {})),
    "settings_plan_choose": Case("billing.manage", lambda ctx, role: (
        reverse("backoffice:settings_plan_choose"), {"plan": "elite"})),
    "settings_location": Case("settings.location", lambda ctx, role: (
        f"{reverse('backoffice:settings_location')}?location=northside",
        {**location_form(ctx.owner_client), "tagline": "Changed by the test"})),
    "settings_texting": Case("texting.manage", lambda ctx, role: (
        f"{reverse('backoffice:settings_texting')}?location=northside",
        {"sms_number": "(512) 555-0177", "messaging_profile_id": "profile-1"})),
    "number_order_new": Case("texting.manage", lambda ctx, role: (
        reverse("backoffice:number_order_new", args=["northside"]),
        {"phone_number": "+15125550101"})),
    "number_order_check": Case("texting.manage", lambda ctx, role: (
        reverse("backoffice:number_order_check", args=[
            NumberOrder.objects.create(location=ctx.location, phone_number="+15125550102").pk]),
        {})),
}


@pytest.fixture
def people(workspace, location, owner, front_desk, production, technician
           ) -> dict[str, object]:
    return {
        Role.OWNER: owner,
        Role.MANAGER: make_staff(workspace, Role.MANAGER, email="mgr@northside.test",
                                 first_name="Mona"),
        Role.FRONT_DESK: front_desk,
        Role.PRODUCTION: production,
        Role.TECHNICIAN: technician,
    }


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # photo uploads land in the test's own folder
    settings.GOOGLE_CLIENT_ID = "test-client"  # so "Connect Google" can start


@pytest.fixture
def ctx(people, claim, location) -> Ctx:
    # An unread customer message, so "mark read" and "done" have something to change.
    message_receive(claim=claim, body="Is my car ready?")
    owner_client = Client()
    owner_client.force_login(people[Role.OWNER])
    return Ctx(claim=claim, location=location, people=people, owner_client=owner_client)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot() -> dict:
    """Every row a staff POST could change, in full."""
    return {
        "claims": list(Claim.objects.order_by("pk").values()),
        "customers": list(Customer.objects.order_by("pk").values()),
        "vehicles": list(Vehicle.objects.order_by("pk").values()),
        "events": list(ClaimEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "messages": list(Message.objects.order_by("pk").values()),
        "unmatched": list(UnmatchedText.objects.order_by("pk").values()),
        "conversations": list(Conversation.objects.order_by("pk").values()),
        "stages": list(Stage.objects.order_by("pk").values()),
        "locations": list(Location.objects.order_by("pk").values()),
        "number_orders": list(NumberOrder.objects.order_by("pk").values()),
        "drafts": list(Draft.objects.order_by("pk").values()),
        "provider_events": list(ProviderEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "templates": list(MessageTemplate.objects.order_by("pk").values()),
        "rules": list(NotificationRule.objects.order_by("pk").values()),
        "supplements": list(Supplement.objects.order_by("pk").values()),
        "rental_rules": list(RentalRule.objects.order_by("pk").values()),
        "documents": list(Document.objects.order_by("pk").values()),
        "document_templates": list(DocumentTemplate.objects.order_by("pk").values()),
        "photos": list(Photo.objects.order_by("pk").values()),
        "estimate_files": list(ImportFile.objects.order_by("pk").values_list("pk", flat=True)),
        "mail": list(MailMessage.objects.order_by("pk").values()),
        "outgoing": list(Outgoing.objects.order_by("pk").values_list("pk", flat=True)),
        "participants": list(Participant.objects.order_by("pk").values()),
        "mailboxes": list(Mailbox.objects.order_by("pk").values()),
        "oauth_states": list(OAuthState.objects.order_by("pk").values()),
        "sync_runs": list(SyncRun.objects.order_by("pk").values()),
        "workspaces": list(Workspace.objects.order_by("pk").values()),
        "slug_aliases": list(SlugAlias.objects.order_by("pk").values()),
        "logo_jobs": list(LogoJob.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "membership_locations": list(Membership.locations.through.objects.order_by("pk")
                                     .values_list("membership_id", "location_id")),
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", "email")),
        "outbox": len(mail.outbox),
        "invite_emails": list(InviteEmail.objects.order_by("pk").values_list("pk", flat=True)),
        "appointments": list(Appointment.objects.order_by("pk").values()),
        "availability": list(Availability.objects.order_by("pk").values()),
    }


def test_every_staff_url_is_a_known_post_or_a_read(client):
    names = {p.name for p in staff_urls.urlpatterns if isinstance(p, URLPattern)}
    unknown = names - AUTH_URLS - GET_ONLY - SESSION_ONLY - set(POST_CASES)
    assert not unknown, f"Give these urls a permission in POST_CASES or list them as reads: " \
                        f"{sorted(unknown)}"
    assert set(POST_CASES) | GET_ONLY <= names
    assert {case.perm for case in POST_CASES.values()} <= set(MATRIX)


@pytest.mark.parametrize("name", sorted(GET_ONLY))
def test_read_urls_refuse_posts(ctx, name):
    pattern = next(p for p in staff_urls.urlpatterns if getattr(p, "name", None) == name)
    args = [ctx.claim.pk if name == "claim_id" else 1 for name in pattern.pattern.converters]
    response = ctx.owner_client.post(reverse(f"backoffice:{name}", args=args))
    assert response.status_code == 405, name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POST_CASES))
def test_staff_post_per_role(ctx, name, role):
    case = POST_CASES[name]
    url, data = case.request(ctx, role)
    client = _client(ctx.people[role])
    before = snapshot()
    response = client.post(url, data)
    if role_can(role, case.perm):
        assert response.status_code in (201, 204, 302), \
            (name, role, response.status_code, response.content.decode()[:2000])
        assert snapshot() != before, f"{role} was allowed {name} but nothing changed"
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        assert snapshot() == before, f"{role} was refused {name} yet something changed"
        assert "Only " in response.content.decode()  # says who may


def test_refusal_says_who_may(ctx):
    response = _client(ctx.people[Role.TECHNICIAN]).post(
        reverse("backoffice:portal_rotate", args=[ctx.claim.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only owners, managers and front desk staff can rotate or revoke a customer" in html
    assert "Your role is technician" in html


def test_fetch_posts_get_a_json_403(ctx):
    response = _client(ctx.people[Role.TECHNICIAN]).post(
        reverse("backoffice:thread_read", args=[ctx.claim.pk]),
        headers={"X-Requested-With": "fetch"})
    assert response.status_code == 403
    assert response.json() == {"error": "Only owners, managers, front desk staff and "
                                        "production managers can mark threads read or done."}


def test_production_edits_details_but_a_money_post_is_refused(ctx):
    client = _client(ctx.people[Role.PRODUCTION])
    url, data = _edit_data(ctx, Role.PRODUCTION)
    page = client.get(url).content.decode()
    assert 'name="ro_number"' in page
    assert 'name="deductible"' not in page and 'name="estimate_total"' not in page
    before = snapshot()
    response = client.post(url, {**data, "deductible": "0"})
    assert response.status_code == 403
    assert "change the estimate, deductible and rental" in response.content.decode()
    assert snapshot() == before
    ctx.claim.refresh_from_db()
    assert str(ctx.claim.deductible) == "500.00"


def test_front_desk_changes_money(ctx):
    client = _client(ctx.people[Role.FRONT_DESK])
    url, data = _edit_data(ctx, Role.FRONT_DESK)
    assert client.post(url, {**data, "deductible": "250"}).status_code == 302
    ctx.claim.refresh_from_db()
    assert str(ctx.claim.deductible) == "250.00"


def test_technician_cannot_open_intake_or_the_edit_form(ctx):
    client = _client(ctx.people[Role.TECHNICIAN])
    assert client.get(reverse("backoffice:claim_new")).status_code == 403
    assert client.get(reverse("backoffice:claim_edit", args=[ctx.claim.pk])).status_code == 403


def test_other_locations_claims_stay_404_not_403(ctx, south_claim):
    """The role check never reveals a claim the teammate cannot see."""
    client = _client(ctx.people[Role.TECHNICIAN])
    for name in ("claim_note", "portal_rotate", "claim_stage", "supplement_new",
                 "deductible_paid"):
        response = client.post(reverse(f"backoffice:{name}", args=[south_claim.pk]),
                               {"body": "x", "stage": "estimate"})
        assert response.status_code == 404, name


# ---- what each role is offered ----------------------------------------------------------

def _claim_page(ctx: Ctx, role: str) -> str:
    return _client(ctx.people[role]).get(
        reverse("backoffice:claim", args=[ctx.claim.pk])).content.decode()


def test_technician_claim_page_offers_only_moves_and_notes(ctx):
    html = _claim_page(ctx, Role.TECHNICIAN)
    for name in ("portal_rotate", "portal_revoke", "claim_edit", "thread_reply", "thread_read",
                 "thread_done", "thread_assign"):
        assert reverse(f"backoffice:{name}", args=[ctx.claim.pk]) not in html, name
    assert reverse("backoffice:claim_stage", args=[ctx.claim.pk]) in html
    assert reverse("backoffice:claim_note", args=[ctx.claim.pk]) in html
    assert "data-thread" not in html  # the thread script stays off: nothing to post
    assert reverse("backoffice:claim_new") not in html
    assert "Is my car ready?" in html  # reading the thread is still allowed


def test_front_desk_claim_page_offers_everything_on_the_claim(ctx):
    html = _claim_page(ctx, Role.FRONT_DESK)
    for name in ("portal_rotate", "portal_revoke", "claim_edit", "thread_reply", "thread_read",
                 "thread_done", "thread_assign", "claim_stage", "claim_note"):
        assert reverse(f"backoffice:{name}", args=[ctx.claim.pk]) in html, name


def test_production_claim_page_has_no_link_controls(ctx):
    html = _claim_page(ctx, Role.PRODUCTION)
    assert reverse("backoffice:portal_rotate", args=[ctx.claim.pk]) not in html
    assert reverse("backoffice:claim_edit", args=[ctx.claim.pk]) in html
    assert reverse("backoffice:thread_reply", args=[ctx.claim.pk]) in html


def test_inbox_offers_assign_and_done_only_to_roles_that_may(ctx):
    assign = reverse("backoffice:thread_assign", args=[ctx.claim.pk])
    tech = _client(ctx.people[Role.TECHNICIAN]).get(reverse("backoffice:inbox")).content.decode()
    desk = _client(ctx.people[Role.FRONT_DESK]).get(reverse("backoffice:inbox")).content.decode()
    assert "Is my car ready?" in tech and assign not in tech
    assert assign in desk


def test_board_keeps_the_move_form_for_technicians(ctx):
    html = _client(ctx.people[Role.TECHNICIAN]).get(reverse("backoffice:board")).content.decode()
    assert reverse("backoffice:claim_stage", args=[ctx.claim.pk]) in html


# ---- the services refuse on their own -----------------------------------------------------

def test_services_check_a_staff_actor(ctx):
    tech = ctx.people[Role.TECHNICIAN]
    with pytest.raises(RoleDenied):
        portal_token_rotate(claim=ctx.claim, actor=tech)
    with pytest.raises(RoleDenied):
        claim_update(claim=ctx.claim, changes={"deductible": "1"},
                     actor=ctx.people[Role.PRODUCTION])
    with pytest.raises(RoleDenied):
        conversation_assign(claim=ctx.claim, assignee=None, actor=tech)
    with pytest.raises(RoleDenied):
        message_send(claim=ctx.claim, body="hi", actor=tech)
    with pytest.raises(RoleDenied):
        stage_add(location=ctx.location, name="Detail", actor=ctx.people[Role.FRONT_DESK])
    # Production may change the RO number through the same service.
    claim_update(claim=ctx.claim, changes={"ro_number": "RO-77"},
                 actor=ctx.people[Role.PRODUCTION])
    # No actor: the system and API callers, authorized at their own gate.
    portal_token_rotate(claim=ctx.claim)


def test_services_refuse_another_locations_claim(ctx, southside, south_claim):
    with pytest.raises(PermissionDenied):
        portal_token_rotate(claim=south_claim, actor=ctx.people[Role.FRONT_DESK])
    portal_token_rotate(claim=south_claim, actor=ctx.people[Role.MANAGER])


# ---- the matrix itself ------------------------------------------------------------------

def test_can_reads_permission_names_in_templates():
    can = Can(Role.TECHNICIAN)
    assert can["claim"]["stage_move"] is True
    assert can["portal_link"]["manage"] is False
    with pytest.raises(KeyError):
        can["claim"]["delete"]
    with pytest.raises(KeyError):
        can["payroll"]


def test_readme_table_is_the_matrix():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {}
    for line in readme.splitlines():
        match = re.match(r"\|\s*`([a-z_]+\.[a-z_]+)`\s*\|(.*)\|\s*$", line)
        if match and match.group(1) in PERMISSIONS:
            cells = [c.strip() for c in match.group(2).split("|")]
            rows[match.group(1)] = cells
    assert set(rows) == set(MATRIX), "README's permission table lists other names"
    for perm, cells in rows.items():
        granted = {role for role, cell in zip(ROLE_ORDER, cells[-len(ROLE_ORDER):],
                                              strict=True) if cell == "✓"}
        assert granted == set(MATRIX[perm]), perm
    assert API_KEY in ROLE_ORDER
