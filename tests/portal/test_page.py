import datetime as dt
import gzip
import re
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claimory.claims.services import (
    claim_eta_set,
    claim_stage_set,
    claim_update,
    location_today,
    portal_token,
)
from claimory.messaging.services import message_receive, message_send
from tests.factories import make_claim


def html_of(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_vehicle_stage_eta_and_shop(client, claim, portal_path):
    html = html_of(client, portal_path)
    assert "2019 Honda Accord" in html
    assert "Hi Maria," in html
    assert 'aria-current="step"' in html
    assert "Pictures" in html and "We photograph all the damage" in html
    assert "Estimated completion" in html and f'datetime="{claim.eta:%Y-%m-%d}"' in html
    assert "Northside Collision" in html
    assert 'href="tel:+15125550100"' in html
    assert "sms:" not in html  # no texting number: no "Message us" (see tests/notifications)
    assert '<section id="messages"' in html


def test_map_link_is_plain_google_maps_without_referrer(client, portal_path):
    html = html_of(client, portal_path)
    link = re.search(r'<a class="map-link" href="([^"]+)" rel="([^"]+)"', html)
    assert link.group(1).startswith("https://maps.google.com/?q=")
    assert "4100+N+Lamar+Blvd" in link.group(1)
    assert "noreferrer" in link.group(2)


def test_sms_link_is_the_locations_texting_number(client, claim, portal_path):
    claim.location.sms_number = "+15125550199"
    claim.location.save()
    html = html_of(client, portal_path)
    assert 'href="sms:+15125550199"' in html and 'href="tel:+15125550100"' in html


def test_current_stage_is_marked_and_done_stages_announced(client, claim, front_desk,
                                                         portal_path):
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    html = html_of(client, portal_path)
    current = re.findall(r'<li class="step step-current" aria-current="step">(.*?)</li>', html,
                         re.S)
    assert len(current) == 1 and "Teardown" in current[0]
    assert "hidden damage" in current[0]
    assert html.count(", completed</span>") == 2
    assert html.count(", not started yet</span>") == 5
    # Done stages carry the date they were reached.
    done = re.findall(r'<li class="step step-done">(.*?)</li>', html, re.S)
    assert all('class="step-date"' in item for item in done)


def test_money_shown_when_the_shop_allows_it(client, portal_path):
    html = html_of(client, portal_path)
    assert "Approved estimate" in html and "$4,250.75" in html
    assert "Your deductible" in html and "$500.00" in html


def test_hidden_money_never_reaches_the_html(client, claim, front_desk, portal_path):
    claim_update(claim=claim, changes={"show_estimate_total": False, "show_deductible": False},
                 actor=front_desk)
    html = html_of(client, portal_path)
    for secret in ("4,250", "4250", "Approved estimate", "500.00", "Your deductible"):
        assert secret not in html


def test_location_default_hides_money_unless_claim_overrides(client, claim, front_desk,
                                                             portal_path):
    claim.location.show_estimate_total = False
    claim.location.save()
    assert "4,250.75" not in html_of(client, portal_path)
    claim_update(claim=claim, changes={"show_estimate_total": True}, actor=front_desk)
    assert "4,250.75" in html_of(client, portal_path)


def test_internal_fields_never_reach_the_html(client, location, front_desk):
    claim = make_claim(location, actor=front_desk, adjuster_name="Carl Adjuster",
                       adjuster_phone="(512) 555-0177", adjuster_email="carl@carrier.test",
                       internal_notes="Margin is thin on this one.")
    html = html_of(client, f"/c/{portal_token(claim)}")
    vehicle = claim.vehicle
    for secret in ("Margin is thin", "Carl Adjuster", "555-0177", "5125550177",
                   "carl@carrier.test", claim.claim_number, vehicle.vin, vehicle.plate,
                   claim.customer.email, "555-0142", "Lopez", claim.portal_token_hash):
        assert secret not in html, secret


def test_moved_eta_shows_new_date_first_promise_and_reason(client, claim, front_desk,
                                                          portal_path):
    first = claim.eta
    later = first + dt.timedelta(days=4)
    claim_eta_set(claim=claim, eta=later, reason="Waiting on a back-ordered bumper",
                  actor=front_desk)
    html = html_of(client, portal_path)
    eta = re.search(r'<section id="eta".*?</section>', html, re.S).group(0)
    assert f'datetime="{later:%Y-%m-%d}"' in eta and "Updated" in eta
    assert "First promised:" in eta and f'datetime="{first:%Y-%m-%d}"' in eta
    assert "Waiting on a back-ordered bumper" in eta


def test_cleared_eta_tells_the_customer_why_not_a_blank_pending(client, claim, front_desk,
                                                              portal_path):
    first = claim.eta
    claim_eta_set(claim=claim, eta=None, reason="Waiting on the insurer's approval",
                  actor=front_desk)
    html = html_of(client, portal_path)
    eta = re.search(r'<section id="eta".*?</section>', html, re.S).group(0)
    assert "New date to be confirmed" in eta and "Updated" in eta
    assert f'datetime="{first:%Y-%m-%d}"' in eta
    assert "Waiting on the insurer&#x27;s approval" in eta
    assert "once the repair plan is approved" not in eta


def test_unmoved_eta_has_no_update_note(client, portal_path):
    eta = re.search(r'<section id="eta".*?</section>', html_of(client, portal_path), re.S)
    assert "Updated" not in eta.group(0) and "First promised" not in eta.group(0)


def test_rental_day_counter(client, claim, front_desk, portal_path):
    start = location_today(claim.location) - dt.timedelta(days=5)
    claim_update(claim=claim, changes={"rental_days_covered": 10, "rental_start": start},
                 actor=front_desk)
    html = html_of(client, portal_path)
    assert "Rental day 6 of 10 covered by State Farm" in html
    assert '<progress class="rental-meter" max="10" value="6"' in html


def test_delivered_car_shows_repair_complete(client, claim, front_desk, portal_path):
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    html = html_of(client, portal_path)
    assert "Repair complete" in html and "Estimated completion" in html


def test_spanish_customer_gets_spanish_page(client, location, front_desk):
    claim = make_claim(location, actor=front_desk, language="es", name="Lucía Pérez")
    response = client.get(f"/c/{portal_token(claim)}")
    html = response.content.decode()
    assert '<html lang="es">' in html and response["Content-Language"] == "es"
    assert "Avance de la reparación" in html and "Fotos" in html
    assert "Fotografiamos todos los daños" in html
    assert "Hola, Lucía" in html and "Llámenos" in html
    months = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre "
              "noviembre diciembre").split()
    assert f"de {months[claim.eta.month - 1]}" in html
    assert "Repair progress" not in html


def test_language_switch_changes_language_without_writing(client, claim, portal_path):
    with CaptureQueriesContext(connection) as queries:
        html = html_of(client, portal_path, lang="es")
    assert '<html lang="es">' in html and "Avance de la reparación" in html
    assert 'href="?lang=en"' in html
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    claim.customer.refresh_from_db()
    assert claim.customer.language == "en"
    assert '<html lang="en">' in html_of(client, portal_path)


def test_unknown_language_falls_back_to_customers(client, portal_path):
    assert '<html lang="en">' in html_of(client, portal_path, lang="xx")


def test_portal_query_count_is_pinned(client, claim, front_desk, portal_path,
                                      django_assert_num_queries):
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    for n in range(3):
        message_receive(claim=claim, body=f"Question {n}")
        message_send(claim=claim, body=f"Answer {n}", actor=front_desk)
    # A render: the client's miss count (shared by all workers, core/rate_window.py), token
    # check + page state, then claim + stages + stage times + supplements + documents + the
    # thread, however long the thread is, and the photos with the customer's files (one query),
    # and the claim's upcoming appointments (one query).
    with django_assert_num_queries(11):
        client.get(portal_path)
    # Nothing changed: the miss count, the token check and the page state, then the cached
    # page.
    with django_assert_num_queries(3):
        client.get(portal_path)


def test_page_has_no_inline_script_or_style(client, portal_path):
    html = html_of(client, portal_path)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts == [(' src="/static/portal/live.js" defer', "")]
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_page_shell_is_under_30kb_compressed(client, portal_path):
    html = html_of(client, portal_path).encode()
    static = Path(settings.BASE_DIR) / "static/portal"
    css, js = (static / "portal.css").read_bytes(), (static / "live.js").read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) + len(gzip.compress(js)) < 30_000


def test_head_works_and_post_is_refused(client, portal_path):
    assert client.head(portal_path).status_code == 200
    assert client.post(portal_path).status_code == 405


def test_branding_plan_links_brand_css_and_starter_does_not(client, claim, portal_path):
    assert f"/p/{claim.location.slug}/brand.css?v=" in html_of(client, portal_path)
    workspace = claim.location.workspace
    workspace.plan = "starter"
    workspace.save()
    assert "brand.css" not in html_of(client, portal_path)
