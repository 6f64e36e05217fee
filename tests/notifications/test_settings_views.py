"""Settings → Notifications: owners and managers only, scoped to their workspace."""

from __future__ import annotations

import datetime as dt

import pytest

from claimory.notifications.models import MessageTemplate, NotificationRule, TemplateKey
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
PAGE = "/staff/settings/notifications"


def template_of(location, key="stage_changed", language="en"):
    return MessageTemplate.objects.get(location=location, key=key, language=language)


def edit_url(location, template):
    return f"/staff/settings/notifications/{location.slug}/templates/{template.pk}"


def test_owner_sees_events_quiet_hours_and_draft_templates(owner_client, location):
    response = owner_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Car moves to Teardown" in html and "Ready for pickup" in html
    assert "When the car enters Completed" in html
    assert "Car moves to Completed" not in html  # that move is "ready for pickup"
    assert 'id="id_start"' in html and "America/Chicago" in html
    assert f"Approve all {len(TemplateKey.values) * 2} drafts" in html  # English and Spanish
    assert "Draft: not used until approved" in html


@pytest.mark.parametrize("persona", ["front_desk", "production", "technician"])
def test_other_roles_are_refused(client, persona, request, location):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    template = template_of(location)
    assert client.post(f"{edit_url(location, template)}/approve").status_code == 403
    assert not template_of(location).approved


def test_another_workspaces_template_is_a_404(outsider_client, owner_client, location,
                                              other_location):
    ours = template_of(location)
    theirs = template_of(other_location)
    assert outsider_client.get(edit_url(other_location, ours)).status_code == 404
    assert outsider_client.get(edit_url(location, ours)).status_code == 404
    assert outsider_client.post(f"{edit_url(other_location, ours)}/approve").status_code == 404
    assert owner_client.get(edit_url(location, theirs)).status_code == 404
    assert not template_of(location).approved


def test_preview_shows_the_rendered_text_and_its_segments(owner_client, location, claim):
    template = template_of(location, language="es")
    response = owner_client.post(edit_url(location, template), {
        "action": "preview", "body": "{shop_name}: su {vehicle} está lista. {portal_link}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Northside Collision: su 2019 Honda Accord está lista. http" in html
    assert "UCS-2" in html  # á is not in the GSM-7 set
    assert "2 segments</strong>" in html  # over 70 UCS-2 characters
    assert template_of(location, language="es").body == template.body  # nothing saved


def test_a_bad_template_is_a_form_error(owner_client, location):
    template = template_of(location)
    response = owner_client.post(edit_url(location, template),
                                 {"action": "save", "body": "Hi {name}, {vehicle"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_body_errors"' in html and "has no partner" in html
    assert template_of(location).body == template.body


def test_saving_clears_approval_and_approving_records_who(owner_client, owner, location):
    template = template_of(location)
    assert owner_client.post(f"{edit_url(location, template)}/approve").status_code == 302
    template.refresh_from_db()
    assert template.approved and template.approved_by == owner
    response = owner_client.post(edit_url(location, template),
                                 {"action": "save", "body": "{shop_name}: {stage}. {portal_link}"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert not template.approved and template.approved_by is None
    owner_client.post(edit_url(location, template),
                      {"action": "approve", "body": "{shop_name}: {stage}. {portal_link}"})
    template.refresh_from_db()
    assert template.approved and template.body == "{shop_name}: {stage}. {portal_link}"


def test_events_and_quiet_hours_save(owner_client, location):
    checked = {"rule-received": "on", "rule-stage-teardown": "on"}
    response = owner_client.post(f"/staff/settings/notifications/{location.slug}/events",
                                 checked)
    assert response.status_code == 302
    rules = dict(NotificationRule.objects.filter(location=location)
                 .values_list("trigger", "enabled"))
    assert rules["received"] and rules["stage:teardown"]
    assert not rules["stage:estimate"] and not rules["ready_for_pickup"]
    response = owner_client.post(f"/staff/settings/notifications/{location.slug}/quiet-hours",
                                 {"start": "20:30", "end": "07:45"})
    assert response.status_code == 302
    location.refresh_from_db()
    assert (location.sms_quiet_start, location.sms_quiet_end) == (dt.time(20, 30),
                                                                  dt.time(7, 45))
    response = owner_client.post(f"/staff/settings/notifications/{location.slug}/quiet-hours",
                                 {"start": "late", "end": ""})
    assert response.status_code == 400
    assert 'id="id_start_errors"' in response.content.decode()


def test_reply_box_shows_the_segment_count(desk_client, location):
    claim = make_claim(location)
    html = desk_client.get(f"/staff/claims/{claim.pk}").content.decode()
    assert 'data-sms-count-for="id_body"' in html
    assert "As a text: 21 characters · GSM-7 · 1 segment" in html  # "Northside Collision: "
    assert "backoffice/sms-count" in html
