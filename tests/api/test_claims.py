"""Claims through the API: open, read, list/search, move, edit, timeline and QR code."""

from __future__ import annotations

from claimory.claims.models import Channel, ClaimEvent, EventType
from claimory.claims.selectors import claim_get_for_token
from claimory.claims.services import claim_stage_set, portal_token_revoke
from claimory.printables.qr import qr_svg
from tests.api.conftest import claim_body, days_from_today
from tests.factories import make_claim


def test_opening_a_claim_answers_201_with_portal_link_and_qr(api, api_key, location):
    response = api.post("/api/v1/claims", claim_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/claims/{body['id']}"
    assert body["stage"] == "pictures" and body["stage_name"] == "Pictures"
    assert body["customer"] == {"name": "Ana Ruiz", "phone": "+15125550177",
                                "email": "ana@example.test", "language": "es",
                                "sms_opt_in": True, "email_opt_in": False}
    assert body["vehicle"]["vin"] == "2T1BURHE5JC074359"
    assert body["vehicle"]["plate"] == "ANA123"
    assert body["vehicle"]["description"] == "2021 Toyota Camry"
    assert (body["deductible"], body["estimate_total"]) == ("500.00", "4250.75")
    assert body["eta"] == body["eta_first_promised"] == days_from_today(10)
    assert body["qr_svg_url"].endswith(f"/api/v1/claims/{body['id']}/qr.svg")
    token = body["portal_url"].rsplit("/c/", 1)[1]
    assert claim_get_for_token(token).pk == body["id"]
    event = ClaimEvent.objects.get(claim_id=body["id"])
    assert (event.type, event.channel) == (EventType.CREATED, Channel.API)
    assert event.actor_label == f"API key {api_key[:10]}"


def test_a_claim_can_open_at_a_named_stage_with_only_a_customer_name(api):
    response = api.post("/api/v1/claims", {"customer": {"name": "Lee"}, "stage": "teardown"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "teardown"
    assert body["vehicle"]["vin"] == "" and body["eta"] is None and body["deductible"] is None


def test_get_one_claim(api, claim):
    body = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert body["id"] == claim.pk
    assert body["ro_number"] == claim.ro_number
    assert body["customer"]["name"] == "Maria Lopez"
    assert body["location"] == "northside"


def test_list_filters_by_stage_and_pages_with_a_total(api, location, django_assert_max_num_queries):
    claims = [make_claim(location, name=f"Customer {i}") for i in range(5)]
    claim_stage_set(claim=claims[1], stage="teardown")
    claim_stage_set(claim=claims[3], stage="teardown")
    body = api.get("/api/v1/claims", query={"stage": "teardown"}).json()
    assert body["total"] == 2
    assert {c["id"] for c in body["items"]} == {claims[1].pk, claims[3].pk}
    first = api.get("/api/v1/claims", query={"limit": 2}).json()
    second = api.get("/api/v1/claims", query={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 5
    assert (first["limit"], second["offset"]) == (2, 2)
    assert [c["id"] for c in first["items"] + second["items"]] == [c.pk for c in claims[::-1][:4]]
    with django_assert_max_num_queries(4):  # key, last-used update, page, count
        assert len(api.get("/api/v1/claims").json()["items"]) == 5


def test_search_matches_name_ro_vin_and_phone(api, location):
    target = make_claim(location, name="Priya Natarajan", phone="512-555-0190",
                        ro_number="RO-77341")
    make_claim(location, name="Someone Else")
    for q in ("natarajan", "RO-77341", "5125550190", target.vehicle.vin):
        body = api.get("/api/v1/claims", query={"q": q}).json()
        assert [c["id"] for c in body["items"]] == [target.pk], q


def test_unknown_stage_filter_lists_the_valid_slugs(api):
    response = api.get("/api/v1/claims", query={"stage": "paint"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_stage"
    assert "pictures" in error["message"] and "delivered" in error["message"]


def test_bad_paging_is_422(api):
    for query in ({"limit": 0}, {"limit": 500}, {"limit": "ten"}, {"offset": -1}):
        response = api.get("/api/v1/claims", query=query)
        assert response.status_code == 422, query
        assert set(response.json()["error"]["fields"]) <= {"limit", "offset"}


def test_moving_a_claim_records_an_api_stage_event(api, claim):
    response = api.post(f"/api/v1/claims/{claim.pk}/stage", {"stage": "supp_sent"})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "supp_sent"
    event = claim.events.order_by("-seq").first()
    assert (event.type, event.channel, event.data["to"]) == ("stage", "api", "supp_sent")
    assert event.customer_visible


def test_moving_to_an_unknown_stage_is_422_listing_valid_slugs(api, claim):
    response = api.post(f"/api/v1/claims/{claim.pk}/stage", {"stage": "paint_booth"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_stage"
    assert "teardown" in error["fields"]["stage"][0]
    assert "stage" in api.post(f"/api/v1/claims/{claim.pk}/stage", {}).json()["error"]["fields"]
    claim.refresh_from_db()
    assert claim.stage.slug == "pictures"


def test_patch_changes_claim_fields_and_customer_visibility(api, claim):
    response = api.patch(f"/api/v1/claims/{claim.pk}", {
        "carrier": "Progressive", "deductible": 1000, "estimate_total": None,
        "show_deductible": False, "rental_days_covered": 10,
        "rental_start": days_from_today(0), "adjuster_phone": "512 555 0123",
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["carrier"] == "Progressive"
    assert (body["deductible"], body["estimate_total"]) == ("1000.00", None)
    assert body["show_deductible"] is False and body["customer_sees_deductible"] is False
    assert body["adjuster_phone"] == "+15125550123"
    assert body["rental_days_covered"] == 10
    assert claim.events.filter(type=EventType.VISIBILITY).exists()


def test_moving_the_eta_keeps_the_first_promise_and_shows_the_reason(api, claim):
    first = claim.eta.isoformat()
    response = api.patch(f"/api/v1/claims/{claim.pk}",
                         {"eta": days_from_today(12), "eta_reason": "Bumper on backorder"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["eta"] == days_from_today(12)
    assert body["eta_first_promised"] == first
    assert body["eta_reason"] == "Bumper on backorder"
    assert body["eta_changed_at"] is not None


def test_a_rejected_eta_leaves_the_other_fields_unchanged(api, claim):
    response = api.patch(f"/api/v1/claims/{claim.pk}",
                         {"carrier": "Geico", "eta": days_from_today(20)})
    assert response.status_code == 422
    assert "eta_reason" in response.json()["error"]["fields"]
    claim.refresh_from_db()
    assert claim.carrier == "State Farm"


def test_eta_in_the_past_and_reason_alone_are_422(api, claim):
    past = api.patch(f"/api/v1/claims/{claim.pk}", {"eta": days_from_today(-3), "eta_reason": "x"})
    assert "eta" in past.json()["error"]["fields"]
    alone = api.patch(f"/api/v1/claims/{claim.pk}", {"eta_reason": "Parts late"})
    assert "eta_reason" in alone.json()["error"]["fields"]


def test_patch_rejects_unknown_fields_and_nulls_for_text(api, claim):
    for body, field in (({"stage": "delivered"}, "stage"), ({"customer": {}}, "customer"),
                        ({"carrier": None}, "carrier"), ({"internal_notes": None},
                                                         "internal_notes")):
        response = api.patch(f"/api/v1/claims/{claim.pk}", body)
        assert response.status_code == 422, body
        assert field in response.json()["error"]["fields"], body


def test_timeline_lists_every_event_oldest_first(api, claim, front_desk):
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    api.post(f"/api/v1/claims/{claim.pk}/stage", {"stage": "teardown"})
    events = api.get(f"/api/v1/claims/{claim.pk}/timeline").json()
    assert [e["id"] for e in events] == [1, 2, 3]
    assert [e["type"] for e in events] == ["created", "stage", "stage"]
    assert [e["channel"] for e in events] == ["staff", "staff", "api"]
    assert events[1]["actor"] == "Frank Staff"
    assert events[2]["actor"].startswith("API key clm_")
    assert events[2]["data"]["to"] == "teardown"
    assert events[0]["customer_visible"] is True
    later = api.get(f"/api/v1/claims/{claim.pk}/timeline", query={"after": 2}).json()
    assert [e["id"] for e in later] == [3]


def test_qr_svg_encodes_the_portal_link(api, claim):
    body = api.get(f"/api/v1/claims/{claim.pk}").json()
    response = api.get(f"/api/v1/claims/{claim.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode() == qr_svg(body["portal_url"])


def test_revoked_portal_link_has_no_url_and_no_qr(api, claim):
    portal_token_revoke(claim=claim)
    body = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert body["portal_url"] is None and body["qr_svg_url"] is None
    response = api.get(f"/api/v1/claims/{claim.pk}/qr.svg")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "portal_link_revoked"
