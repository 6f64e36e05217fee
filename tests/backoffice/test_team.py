"""Settings → Team: invitations by email with a one-time set-password link, roles and
locations, and the rules (only owners touch owners, never the last owner, not yourself,
another shop's member is a 404)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from claimory.core import durable
from claimory.shops.models import InviteEmail, InviteEmailState, Membership, Role
from claimory.shops.team import ELSEWHERE
from tests.factories import make_staff

TEAM = "/staff/settings/team"


def _invite(client, location, **changes):
    data = {"invite-name": "Ivy Nguyen", "invite-email": "Ivy@Northside.test",
            "invite-role": "technician", "invite-locations": [str(location.pk)], **changes}
    response = client.post(TEAM, data)
    durable.run_due()  # the invitation email is the worker's (InviteEmail)
    return response


def _link(message) -> str:
    return re.search(r"https?://\S+/staff/join/\S+", message.body).group(0)


@pytest.fixture
def manager(workspace, location):
    return make_staff(workspace, Role.MANAGER, email="mgr@northside.test", first_name="Mona")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_team_page_lists_members_with_role_and_locations(owner_client, front_desk, location):
    html = owner_client.get(TEAM).content.decode()
    assert "desk@northside.test" in html and "Front desk · Northside Collision" in html
    assert "Owner · All locations" in html


def test_invite_emails_a_working_link_and_role_and_locations_hold(
        owner_client, location, southside, south_claim, claim):
    response = _invite(owner_client, location)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ivy@northside.test")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.TECHNICIAN
    assert list(membership.locations.all()) == [location]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ivy@northside.test"]
    assert "Northside Collision Group" in mail.outbox[0].subject
    assert "Technician" in mail.outbox[0].body
    # Pending until accepted; can't sign in with any password yet.
    assert "Invited" in owner_client.get(TEAM).content.decode()
    invitee = Client()
    assert not invitee.login(username="ivy@northside.test", password="")
    # Accept: the link asks for a password, then signs them in.
    link = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    form = invitee.get("/" + link, follow=True)
    assert form.status_code == 200 and "Choose a password" in form.content.decode()
    done = invitee.post(form.redirect_chain[-1][0], {"new_password1": "socket-wrench-77",
                                                     "new_password2": "socket-wrench-77"})
    assert done.status_code == 302 and done["Location"] == reverse("backoffice:claims")
    assert invitee.get(reverse("backoffice:claim", args=[claim.pk])).status_code == 200
    assert invitee.get(reverse("backoffice:claim", args=[south_claim.pk])).status_code == 404
    # Role respected: a technician can't open intake.
    assert invitee.get(reverse("backoffice:claim_new")).status_code == 403
    # Sign in again with the password chosen; the link is spent.
    fresh = Client()
    assert fresh.login(username="ivy@northside.test", password="socket-wrench-77")
    again = Client().get("/" + link, follow=True).content.decode()
    assert "expired" in again


def test_resend_sends_a_new_link_only_while_pending(owner_client, location):
    _invite(owner_client, location)
    membership = Membership.objects.get(user__email="ivy@northside.test")
    url = reverse("backoffice:team_resend", args=[membership.pk])
    assert owner_client.post(url).status_code == 302
    durable.run_due()
    assert len(mail.outbox) == 2
    user = membership.user
    user.set_password("now-joined-123")
    user.save()
    response = owner_client.post(url)
    assert response.status_code == 400 and "already joined" in response.content.decode()
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(("data", "words"), [
    ({"invite-email": "nope"}, "valid email"),
    ({"invite-role": "emperor"}, "Select a valid choice"),
    ({"invite-locations": []}, "at least one location"),
    ({"invite-locations": ["999999"]}, "Select a valid choice"),
    ({"invite-name": ""}, "required"),
])
def test_invite_validation(owner_client, location, data, words):
    response = _invite(owner_client, location, **data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not mail.outbox


def test_invite_refuses_an_email_in_another_shop_or_already_here(
        owner_client, location, outsider, front_desk):
    response = _invite(owner_client, location, **{"invite-email": "BOSS@elsewhere.test"})
    assert response.status_code == 400
    assert ELSEWHERE.split(":")[0] in response.content.decode().replace("&#x27;", "'")
    assert Membership.objects.filter(user=outsider).count() == 1
    response = _invite(owner_client, location, **{"invite-email": "desk@northside.test"})
    assert response.status_code == 400 and "already on your team" in response.content.decode()
    assert not mail.outbox


def test_only_an_owner_invites_an_owner(manager, location):
    response = _invite(_client(manager), location, **{"invite-role": "owner"})
    assert response.status_code == 403
    assert not get_user_model().objects.filter(email="ivy@northside.test").exists()
    response = _invite(_client(manager), location, **{"invite-role": "manager"})
    assert response.status_code == 302


def test_change_role_and_locations(owner_client, front_desk, location, southside):
    membership = Membership.objects.get(user=front_desk)
    response = owner_client.post(reverse("backoffice:team_member", args=[membership.pk]), {
        f"m{membership.pk}-role": "production",
        f"m{membership.pk}-locations": [str(southside.pk)]})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.PRODUCTION
    assert list(membership.locations.all()) == [southside]


def test_last_owner_stays(owner, owner_client, manager):
    mine = Membership.objects.get(user=owner)
    # Not oneself (role or removal), even as owner.
    response = owner_client.post(reverse("backoffice:team_remove", args=[mine.pk]))
    assert response.status_code == 400
    assert "can&#x27;t remove yourself" in response.content.decode()
    response = owner_client.post(reverse("backoffice:team_member", args=[mine.pk]),
                                 {f"m{mine.pk}-role": "manager"})
    assert response.status_code == 400
    # A manager can't touch the owner at all.
    response = _client(manager).post(reverse("backoffice:team_remove", args=[mine.pk]))
    assert response.status_code == 403
    # A second owner demoting the first while they are two: allowed; then the last stays.
    second = make_staff(owner.memberships.get().workspace, Role.OWNER, email="o2@n.test")
    other = _client(second)
    theirs = Membership.objects.get(user=second)
    assert other.post(reverse("backoffice:team_member", args=[mine.pk]),
                      {f"m{mine.pk}-role": "manager"}).status_code == 302
    mine.refresh_from_db()
    assert mine.role == Role.MANAGER
    assert Membership.objects.filter(role=Role.OWNER, workspace=mine.workspace).count() == 1
    from claimory.shops.team import member_remove

    with pytest.raises(Exception, match="last one"):
        member_remove(membership=theirs)  # the system (no actor) can't either
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_remove_member(owner_client, front_desk, claim):
    membership = Membership.objects.get(user=front_desk)
    assert owner_client.post(reverse("backoffice:team_remove", args=[membership.pk])
                             ).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    gone = _client(front_desk)
    assert gone.get(reverse("backoffice:claim", args=[claim.pk])).status_code == 403


def test_another_shops_member_is_a_404(owner_client, outsider):
    theirs = Membership.objects.get(user=outsider)
    for name in ("team_member", "team_resend", "team_remove"):
        response = owner_client.post(reverse(f"backoffice:{name}", args=[theirs.pk]),
                                     {f"m{theirs.pk}-role": "technician"})
        assert response.status_code == 404, name
    assert Membership.objects.filter(pk=theirs.pk, role=Role.OWNER).exists()


def test_front_desk_cannot_open_team(desk_client):
    response = desk_client.get(TEAM)
    assert response.status_code == 403
    assert "Only owners and managers can invite teammates" in response.content.decode()


def test_a_refusing_mail_server_keeps_the_invitation_and_retries(owner_client, location,
                                                                monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("claimory.shops.team.send_mail", refuse)
    response = _invite(owner_client, location)
    assert response.status_code == 302  # the page never waits on the mail server
    assert Membership.objects.filter(user__email="ivy@northside.test").exists()
    row = InviteEmail.objects.get()
    assert row.state == InviteEmailState.PENDING and "mail server down" in row.last_error
    monkeypatch.undo()
    row.due_at = None
    row.save()
    durable.run_due()
    row.refresh_from_db()
    assert row.state == InviteEmailState.SENT and len(mail.outbox) == 1


def test_a_queued_invite_is_not_sent_once_they_joined(owner_client, location):
    owner_client.post(TEAM, {"invite-name": "Ivy Nguyen", "invite-email": "ivy@northside.test",
                             "invite-role": "technician", "invite-locations": [str(location.pk)]})
    user = get_user_model().objects.get(email="ivy@northside.test")
    user.set_password("joined-already-1")
    user.save()
    durable.run_due()
    assert InviteEmail.objects.get().state == InviteEmailState.SKIPPED and not mail.outbox


def test_resend_is_rate_limited_per_teammate(owner_client, location):
    _invite(owner_client, location)
    membership = Membership.objects.get(user__email="ivy@northside.test")
    url = reverse("backoffice:team_resend", args=[membership.pk])
    for _ in range(3):
        assert owner_client.post(url).status_code == 302
    response = owner_client.post(url)
    assert response.status_code == 400 and "Too many invitations" in response.content.decode()
    durable.run_due()
    assert len(mail.outbox) == 4  # the invitation and three resends, no more


def test_invitations_are_rate_limited_per_shop(owner_client, location, monkeypatch):
    from claimory.shops import team

    monkeypatch.setattr(team, "INVITES_PER_WORKSPACE", 2)
    for n in range(2):
        assert _invite(owner_client, location,
                       **{"invite-email": f"t{n}@example.test"}).status_code == 302
    response = _invite(owner_client, location, **{"invite-email": "t9@example.test"})
    assert response.status_code == 400 and "Too many invitations" in response.content.decode()
    assert not get_user_model().objects.filter(email="t9@example.test").exists()
    assert len(mail.outbox) == 2


def test_a_double_submitted_invite_is_a_400_not_a_500(owner_client, location, monkeypatch):
    # Two posts at once: both find no user, the second insert hits the unique username.
    from types import SimpleNamespace

    from claimory.shops import team

    real = get_user_model()
    real.objects.create(username="ivy@northside.test", email="ivy@northside.test")

    class Racy:  # the lookup ran before the other request committed
        objects = SimpleNamespace(select_for_update=lambda: SimpleNamespace(
            filter=lambda **kw: SimpleNamespace(first=lambda: None)))

        def __new__(cls, **fields):
            return real(**fields)

    monkeypatch.setattr(team, "get_user_model", lambda: Racy)
    response = _invite(owner_client, location)
    assert response.status_code == 400 and "just invited" in response.content.decode()
