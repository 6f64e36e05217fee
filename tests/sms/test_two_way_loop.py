"""The whole two-way loop on Telnyx, as it runs in production: `claimory serve` and
`claimory worker` as separate processes on one scratch database, the fake Telnyx API on
loopback. An API reply is texted through Telnyx once; Telnyx's signed receipt marks it
delivered; the customer's signed inbound text threads back to the claim."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from tests.api.conftest import claim_body
from tests.realtime.live import ROOT, Server, scratch_env

SHOP_NUMBER = "+15125550199"
CUSTOMER = "+15125550177"  # claim_body()'s customer
SEED = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from claimory.shops.services import apikey_create
from tests.factories import make_location
location = make_location(slug="loop", name="Loop Collision", sms_number="SHOP_NUMBER")
print(apikey_create(location=location, name="loop test")[1])
""".replace("SHOP_NUMBER", SHOP_NUMBER)


@pytest.fixture
def loop_env(tmp_path, fake_telnyx_server):
    with scratch_env(tmp_path) as env:
        env.pop("CLAIMORY_TESTING", None)  # the database task backend, as in production
        env.update(TELNYX_API_KEY=fake_telnyx_server.api_key,
                   TELNYX_API_BASE=fake_telnyx_server.base_url,
                   TELNYX_PUBLIC_KEY=fake_telnyx_server.public_key_b64,
                   CLAIMORY_WORK_SWEEP_SECONDS="1")
        yield env


def _until(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_reply_texted_receipt_and_customer_text_come_back(tmp_path, loop_env,
                                                         fake_telnyx_server):
    fake = fake_telnyx_server
    key = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=loop_env, check=True,
                         capture_output=True, text=True, timeout=120).stdout.strip().split()[-1]
    server = Server(loop_env, tmp_path / "server.log")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "claimory.cli", "worker", "--interval", "0.2"], cwd=ROOT,
        env=loop_env, stdout=(tmp_path / "worker.log").open("w"), stderr=subprocess.STDOUT)
    api = httpx.Client(base_url=server.origin, headers={"Authorization": f"Bearer {key}"},
                       timeout=20)
    try:
        created = api.post("/api/v1/claims", json=claim_body())
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        sent = api.post(f"/api/v1/claims/{claim_id}/messages",
                        json={"body": "Su auto está listo a las 4."})
        assert sent.status_code == 201, sent.text

        text = _until(lambda: next((m for m in fake.messages if "listo a las 4" in m.text),
                                   None), "the text at Telnyx", 60)
        assert text.to == CUSTOMER and text.body["from"] == SHOP_NUMBER
        answer = fake.post_webhook(f"{server.origin}/webhooks/telnyx",
                                   fake.receipt(text, "delivered"))
        assert answer.status_code == 200, answer.text
        inbound = fake.inbound(from_number=CUSTOMER, to_number=SHOP_NUMBER,
                               text="Gracias, paso a las 4")
        for _ in range(2):  # Telnyx may deliver the same event twice
            assert fake.post_webhook(f"{server.origin}/webhooks/telnyx",
                                     inbound).status_code == 200

        def timeline():
            events = api.get(f"/api/v1/claims/{claim_id}/timeline").json()
            delivered = [e for e in events if e["type"] == "delivery"
                         and e["data"]["state"] == "delivered"]
            replies = [e for e in events if e["type"] == "message"
                       and e["data"].get("direction") == "in"]
            return (delivered, replies) if delivered and replies else None

        delivered, replies = _until(timeline, "the receipt and the customer's text", 60)
        assert [r["data"]["body"] for r in replies] == ["Gracias, paso a las 4"]
        assert replies[0]["channel"] == "sms"
        assert len([m for m in fake.messages if "listo a las 4" in m.text]) == 1
    finally:
        api.close()
        worker.terminate()
        worker.wait(timeout=10)
        server.stop()
