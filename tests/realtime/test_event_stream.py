"""GET /c/<token>/events on a live server: replay, live delivery, privacy, revocation, errors.

Changes are made by the driver process, so on this server (no Redis) they arrive through the
per-process poll: the cross-process path the embedded default relies on.
"""

from __future__ import annotations

import httpx

from tests.realtime.live import SSEClient


def _open(server, token, **kw) -> SSEClient:
    return SSEClient(server.port, f"/c/{token}/events", **kw)


def test_stream_answers_event_stream_with_portal_headers_and_retry_hint(live, server):
    claim = live.claim()
    client = _open(server, claim["token"])
    client.wait_for(1)
    assert client.status == 200
    assert client.headers["content-type"].startswith("text/event-stream")
    assert "no-cache" in client.headers["cache-control"]
    assert client.headers["x-accel-buffering"] == "no"
    assert client.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in client.headers["x-robots-tag"]
    assert "script-src 'self'" in client.headers["content-security-policy"]
    assert client.body.startswith(b"retry: ")
    assert client.retry == 3000
    client.close()


def test_first_connect_replays_whole_history_in_order(live, server):
    claim = live.claim()
    live.driver("stage", claim=claim["id"], stage="estimate")
    live.driver("stage", claim=claim["id"], stage="teardown")
    client = _open(server, claim["token"])
    events = client.wait_for(3)
    assert [(e.seq, e.event) for e in events] == [(1, "created"), (2, "stage"), (3, "stage")]
    assert events[2].data == {"from": "estimate", "to": "teardown", "to_name": "Teardown"}
    client.close()


def test_query_cursor_on_first_connect_skips_what_the_page_already_shows(live, server):
    claim = live.claim()
    live.driver("stage", claim=claim["id"], stage="estimate")
    client = SSEClient(server.port, f"/c/{claim['token']}/events?last_event_id=1")
    assert [e.seq for e in client.wait_for(1)] == [2]
    assert client.listen(0.5) and len(client.events) == 1
    client.close()


def test_changes_made_while_disconnected_replay_in_order_once(live, server):
    claim = live.claim()
    first = _open(server, claim["token"])
    first.wait_for(1)
    live.driver("stage", claim=claim["id"], stage="estimate")
    last_seen = first.wait_for(2)[-1].seq
    first.close()

    live.driver("stage", claim=claim["id"], stage="teardown")
    live.driver("note", claim=claim["id"], body="call adjuster")
    live.driver("eta", claim=claim["id"], days=12, reason="Waiting on a bumper")
    live.driver("stage", claim=claim["id"], stage="supp_sent")

    again = _open(server, claim["token"], last_event_id=last_seen)
    replayed = again.wait_for(3)
    assert [e.event for e in replayed] == ["stage", "eta", "stage"]
    assert [e.data.get("to") for e in replayed] == ["teardown", None, "supp_sent"]
    assert replayed[1].data["reason"] == "Waiting on a bumper"
    seqs = [e.seq for e in replayed]
    assert seqs == sorted(seqs) and seqs[0] > last_seen

    live.driver("stage", claim=claim["id"], stage="supp_appr")
    after = again.wait_for(4, timeout=3)
    assert after[-1].data["to"] == "supp_appr"
    again.listen(0.6)
    assert len(again.events) == 4, "every event exactly once"
    again.close()


def test_live_change_from_another_process_arrives_within_a_second(live, server):
    claim = live.claim()
    client = _open(server, claim["token"])
    client.wait_for(1)
    live.driver("stage", claim=claim["id"], stage="started")
    events = client.wait_for(2, timeout=1.5)
    assert events[-1].event == "stage" and events[-1].data["to"] == "started"
    client.close()


def test_events_of_another_claim_never_arrive(live, server):
    mine, theirs = live.claim(), live.claim(name="Someone Else")
    client = _open(server, mine["token"])
    client.wait_for(1)
    live.driver("stage", claim=theirs["id"], stage="teardown")
    live.driver("message", claim=theirs["id"], body="Your car is ready, Someone")
    live.driver("stage", claim=mine["id"], stage="estimate")
    client.wait_for(2)
    client.listen(0.6)
    assert [e.seq for e in client.events] == [1, 2]
    assert b"Someone" not in client.body
    client.close()


def test_hidden_fields_and_staff_only_events_never_reach_the_stream(live, server):
    claim = live.claim(internal_notes="Adjuster pushing back on labor rate.")
    client = _open(server, claim["token"])
    client.wait_for(1)
    live.driver("note", claim=claim["id"], body="Margin is thin on this one")
    live.driver("update", claim=claim["id"],
                changes={"show_estimate_total": False, "estimate_total": "9876.54",
                         "internal_notes": "carrier negotiation: offer 5% off"})
    live.driver("message", claim=claim["id"], body="We ordered the bumper",
                internal_cost="123.45")
    events = client.wait_for(3)
    client.listen(0.6)
    assert [e.event for e in client.events] == ["created", "visibility", "message"]
    assert client.events[1].data == {}
    assert client.events[2].data == {"body": "We ordered the bumper", "direction": "out",
                                     "sender": "Frank"}
    for secret in (b"Margin", b"labor rate", b"negotiation", b"9876", b"4250", b"123.45",
                   b"internal", b"estimate_total", b"note"):
        assert secret not in client.body, secret
    assert events[0].data == {"stage": "pictures"}
    client.close()


def test_revoked_token_closes_open_stream_within_seconds(live, server):
    claim = live.claim()
    client = _open(server, claim["token"])
    client.wait_for(1)
    live.driver("revoke", claim=claim["id"])
    assert client.wait_ended(timeout=3) < 3
    assert _open(server, claim["token"]).status == 404


def test_rotated_token_closes_old_streams_and_new_link_streams(live, server):
    claim = live.claim()
    old = _open(server, claim["token"])
    old.wait_for(1)
    new_token = live.driver("rotate", claim=claim["id"])["token"]
    old.wait_ended(timeout=3)
    assert _open(server, claim["token"]).status == 404
    fresh = _open(server, new_token, last_event_id=1)
    live.driver("stage", claim=claim["id"], stage="estimate")
    assert fresh.wait_for(1)[0].data["to"] == "estimate"
    fresh.close()


def test_unknown_malformed_and_revoked_tokens_get_the_same_404(live, server):
    revoked = live.claim()
    live.driver("revoke", claim=revoked["id"])
    answers = [
        _open(server, token)
        for token in ("A" * 22, "not-a-token", revoked["token"], "%2e%2e")
    ]
    assert {a.status for a in answers} == {404}
    assert {a.body for a in answers} == {b"Not found.\n"}
    assert all(a.headers["referrer-policy"] == "no-referrer" for a in answers)


def test_garbled_last_event_id_is_ignored_after_the_token_check(live, server):
    claim = live.claim()
    for junk in ("abc", "\u00b2", "1" * 40):
        client = SSEClient(server.port, f"/c/{claim['token']}/events?last_event_id=abc",
                           last_event_id=junk)
        assert client.status == 200, junk
        assert [e.seq for e in client.wait_for(1)] == [1]  # replayed from the start
        client.close()
    # Junk never skips the token check: an unknown token is the same uniform 404.
    stranger = SSEClient(server.port, "/c/" + "A" * 22 + "/events", last_event_id="\u00b2")
    assert (stranger.status, stranger.body) == (404, b"Not found.\n")


def test_other_methods_are_refused_and_other_portal_paths_still_reach_django(live, server):
    claim = live.claim()
    posted = _open(server, claim["token"], method="POST")
    assert posted.status == 405
    assert posted.headers["allow"] == "GET"
    health = httpx.get(f"{server.origin}/healthz")
    assert health.status_code == 200
    slash = httpx.get(f"{server.origin}/c/{claim['token']}/events/")
    assert slash.status_code == 404  # Django's answer: only the exact path streams


def test_cursor_beyond_the_claims_history_still_gets_new_events(live, server):
    claim = live.claim()
    client = _open(server, claim["token"], last_event_id=999)
    live.driver("stage", claim=claim["id"], stage="estimate")
    assert client.wait_for(1, timeout=3)[0].seq == 2
    client.close()
