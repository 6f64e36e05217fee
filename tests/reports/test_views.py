"""The reports pages and CSV downloads: who may open them, what they show, what they cost."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from claimory.reports.export import safe_cell
from claimory.shops.models import Role
from tests.factories import make_claim, make_location, make_staff

pytestmark = pytest.mark.django_db
FEB = {"start": "2026-02-02", "end": "2026-02-15", "grain": "week"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return _client(owner)


def test_owner_sees_every_report_with_charts_and_numbers(history, owner_client):
    response = owner_client.get(reverse("backoffice:reports"), FEB)
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Status calls avoided", "Portal views", "Message response time",
                  "Cycle time and keys-to-keys", "Delivered as promised", "CSI and NPS"):
        assert title in html
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", html, flags=re.S)
    assert len(charts) == 7
    for svg in charts:
        root = ET.fromstring(svg)  # noqa: S314 - our own markup; proves it well-formed
        assert root.get("role") == "img"
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title").text and root.find(f"{ns}desc").text
    views = next(s for s in charts if "Portal views" in s)
    assert "Feb 2 — Views: 6" in views and "Feb 9 — Unique viewers: 1" in views
    nps = next(s for s in charts if "NPS (" in s)
    assert "Feb 2 — NPS: +100" in nps
    assert "32.5" in html  # the median response time in the table
    assert "50%" in html  # delivered as promised


def test_default_period_is_the_last_90_days(owner_client, location):
    html = owner_client.get(reverse("backoffice:reports")).content.decode()
    assert "No data for this period yet." in html  # nothing happened yet: empty states
    assert "<svg" not in html.split("</header>", 1)[1]


def test_scorecard_page(history, owner_client):
    html = owner_client.get(reverse("backoffice:reports_carriers"), FEB).content.decode()
    assert "Progressive" in html and "State Farm" in html and "All carriers" in html
    assert "3.50" in html  # State Farm CSI


def test_scorecard_empty(owner_client, location):
    html = owner_client.get(reverse("backoffice:reports_carriers")).content.decode()
    assert "No cars were delivered in this period." in html


def test_csv_export(history, owner_client):
    response = owner_client.get(reverse("backoffice:reports_csv", args=["carriers"]), FEB)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="claimory-carriers-northside-2026-02-02-to-2026-02-15.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Carrier", "Claims", "CSI"]
    assert rows[1][:4] == ["Progressive", "2", "4.5", "2"]
    assert rows[2][:3] == ["State Farm", "2", "3.5"]
    assert rows[-1][0] == "All carriers"
    survey = owner_client.get(reverse("backoffice:reports_csv", args=["survey"]), FEB)
    body = list(csv.reader(io.StringIO(survey.content.decode("utf-8-sig"))))
    assert body[1] == ["Feb 2", "1", "5.0", "100.0", "1", "1", "0", "100.0"]
    assert body[-1][0] == "Total" and body[-1][-1] == "25.0"


def test_csv_cells_cannot_be_formulas(location, owner_client, history):
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("+1+1") == "'+1+1"
    assert safe_cell("-20") == "-20" and safe_cell("-2+3") == "'-2+3"
    from claimory.claims.models import Claim

    Claim.objects.filter(pk=history.c.pk).update(carrier="=cmd|' /C calc'!A0")
    response = owner_client.get(reverse("backoffice:reports_csv", args=["carriers"]), FEB)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["'=cmd|' /C calc'!A0"] == [r[0] for r in rows if "cmd" in r[0]]


def test_unknown_report_and_bad_input(owner_client, location):
    assert owner_client.get(reverse("backoffice:reports_csv", args=["payroll"])).status_code \
        == 404
    bad = owner_client.get(reverse("backoffice:reports"), {"start": "2026-13-40"})
    assert bad.status_code == 400
    backwards = owner_client.get(reverse("backoffice:reports"),
                                 {"start": "2026-02-10", "end": "2026-02-01"})
    assert backwards.status_code == 400 and "before the start" in backwards.content.decode()
    assert owner_client.get(reverse("backoffice:reports_csv", args=["portal"]),
                            {"grain": "decade"}).status_code == 400
    too_long = owner_client.get(reverse("backoffice:reports"),
                                {"start": "2020-01-01", "end": "2026-01-01"})
    assert too_long.status_code == 400


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRODUCTION, Role.TECHNICIAN])
def test_other_roles_are_refused(workspace, location, role):
    client = _client(make_staff(workspace, role, [location]))
    for name, args in (("reports", []), ("reports_carriers", []), ("reports_csv", ["calls"])):
        response = client.get(reverse(f"backoffice:{name}", args=args))
        assert response.status_code == 403, (name, role)
        assert "Only owners and managers can see the reports" in response.content.decode()


def test_manager_may_and_nav_shows_reports_only_to_them(workspace, location, front_desk):
    manager = _client(make_staff(workspace, Role.MANAGER))
    assert manager.get(reverse("backoffice:reports")).status_code == 200
    assert reverse("backoffice:reports") in manager.get(reverse("backoffice:claims")).content \
        .decode()
    desk = _client(front_desk).get(reverse("backoffice:claims")).content.decode()
    assert reverse("backoffice:reports") not in desk


def test_another_workspaces_location_is_404(owner_client, other_location):
    for name, args in (("reports", []), ("reports_carriers", []), ("reports_csv", ["calls"])):
        response = owner_client.get(reverse(f"backoffice:{name}", args=args),
                                    {"location": other_location.slug})
        assert response.status_code == 404


def test_location_picker_and_all_locations(history, owner_client, workspace, location):
    workspace.plan = "elite"  # reports across locations are a group plan's (shops/plans.py)
    workspace.save()
    south = make_location(workspace, slug="southside", name="Southside Collision")
    html = owner_client.get(reverse("backoffice:reports"), FEB).content.decode()
    assert 'value="southside"' in html and "All locations" in html
    only_south = owner_client.get(reverse("backoffice:reports"),
                                  {**FEB, "location": south.slug}).content.decode()
    assert "Southside Collision" in only_south
    csv_all = owner_client.get(reverse("backoffice:reports_csv", args=["portal"]),
                               {**FEB, "location": "all"})
    assert "all-locations" in csv_all["Content-Disposition"]
    assert csv_all.content.decode("utf-8-sig").splitlines()[-1] == "Total,7,3"


def test_report_queries_do_not_grow_with_claims(history, owner_client, location,
                                                django_assert_max_num_queries):
    for _ in range(20):
        make_claim(location)
    with django_assert_max_num_queries(30):
        assert owner_client.get(reverse("backoffice:reports"), FEB).status_code == 200
    with django_assert_max_num_queries(20):
        assert owner_client.get(reverse("backoffice:reports_carriers"), FEB).status_code == 200


def test_demo_history_fills_the_reports_in_shop_hours(owner_client, location):
    from django.utils import timezone

    from claimory.claims.models import ClaimEvent
    from claimory.reports.demo_history import seed_history
    from claimory.reports.period import opening

    assert seed_history(location, count=30) == 30
    assert seed_history(location, count=30) == 0  # idempotent
    tz = location.timezone
    for claim_id, at in ClaimEvent.objects.filter(claim__location=location,
                                                  claim__ro_number__startswith="HIST-") \
            .order_by("claim_id", "seq").values_list("claim_id", "created_at"):
        local = timezone.localtime(at, timezone=__import__("zoneinfo").ZoneInfo(tz))
        times = opening(location.business_hours, local.date())
        assert times and times[0] <= local.time() <= times[1], (claim_id, local)
    html = owner_client.get(reverse("backoffice:reports"), {"preset": "180"}).content.decode()
    assert html.count("No data for this period yet.") == 0


def test_across_locations_needs_a_group_plan(history, owner_client, workspace, location):
    make_location(workspace, slug="southside", name="Southside Collision")
    html = owner_client.get(reverse("backoffice:reports"), FEB).content.decode()
    assert 'value="all"' not in html and "come with the Elite plan" in html
    csv = owner_client.get(reverse("backoffice:reports_csv", args=["portal"]),
                           {**FEB, "location": "all"})
    assert "all-locations" not in csv["Content-Disposition"]
    assert location.slug in csv["Content-Disposition"]


@pytest.mark.parametrize("query", [{"start": "2999-01-01"}, {"start": "0001-01-01"},
                                   {"end": "9999-12-31"}, {"end": "0001-01-03"},
                                   {"start": "1990-01-01"},
                                   {"start": "0001-01-01", "end": "0001-01-31"},
                                   {"start": "9999-12-01", "end": "9999-12-31"}])
def test_dates_out_of_range_are_a_400_not_a_500(owner_client, location, query):
    assert owner_client.get(reverse("backoffice:reports"), query).status_code == 400
    csv_url = reverse("backoffice:reports_csv", args=["portal"])
    assert owner_client.get(csv_url, query).status_code in (400, 404)
