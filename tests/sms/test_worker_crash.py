"""A worker killed with SIGKILL in the middle of a send, and another started: the text is
sent exactly once. Real processes (`claimory worker`), a real database file, the fake Telnyx
on loopback holding the first send's answer until the worker is dead."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.realtime.live import ROOT, scratch_env

MARKER = "Crash-test text: your car is ready."


@pytest.fixture
def worker_env(tmp_path, fake_telnyx_server):
    with scratch_env(tmp_path) as env:
        env.pop("CLAIMORY_TESTING", None)  # the database task backend, as in production
        env.update(TELNYX_API_KEY=fake_telnyx_server.api_key,
                   TELNYX_API_BASE=fake_telnyx_server.base_url,
                   TELNYX_PUBLIC_KEY=fake_telnyx_server.public_key_b64,
                   CLAIMORY_WORK_LEASE_SECONDS="2", CLAIMORY_WORK_SWEEP_SECONDS="1",
                   CLAIMORY_WORK_GRACE_SECONDS="1")
        yield env


def _rig(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.sms.worker_rig", *args],  # noqa: S603
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "claimory.cli", "worker", "--interval", "0.2"], cwd=ROOT,
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_worker_killed_mid_send_and_restarted_sends_exactly_once(
        tmp_path, worker_env, fake_telnyx_server):
    fake = fake_telnyx_server
    fake.hold_next_send(60, containing=MARKER)  # take the text, keep the answer back
    seeded = _rig(worker_env, "seed", MARKER)

    first = _worker(worker_env, tmp_path / "worker1.log")
    try:
        assert fake.wait_for_send(timeout=90), (tmp_path / "worker1.log").read_text()
        os.kill(first.pid, signal.SIGKILL)  # Telnyx has the text; the worker never hears back
        first.wait(timeout=10)
    finally:
        _stop(first)
    assert first.returncode == -signal.SIGKILL
    assert _rig(worker_env, "show", str(seeded["delivery"]))["state"] == "sending"

    second = _worker(worker_env, tmp_path / "worker2.log")
    try:
        row = _rig(worker_env, "wait", str(seeded["delivery"]), "60")
    finally:
        _stop(second)

    ours = [m for m in fake.messages if m.idempotency_key == seeded["key"]]
    assert len(ours) == 1, fake.messages
    assert row["state"] == "sent", (row, (tmp_path / "worker2.log").read_text())
    assert row["provider_id"] == ours[0].id
    assert row["attempts"] == 2  # the killed attempt and the one that finished
    # Every text the fake took, it took once (no key was accepted twice).
    keys = [m.idempotency_key for m in fake.messages]
    assert len(keys) == len(set(keys))
    # The second worker did ask again, with the same key, and got the first answer.
    assert [a["idempotency_key"] for a in fake.attempts].count(seeded["key"]) == 2
