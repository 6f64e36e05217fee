"""The watched folder: files that stopped changing are imported by a real `claimory worker`
and moved to processed/ or rejected/ with a .result.txt; a half-copied file waits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

from claimory.claims.models import Claim
from claimory.estimates import folders
from claimory.estimates.models import ImportFolder
from tests.estimates.conftest import BMS, EMS
from tests.realtime.live import ROOT, scratch_env


def test_scan_waits_for_stable_files_then_files_them_away(location, media, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = ImportFolder.objects.create(location=location, path=str(inbox))
    shutil.copy(BMS / "est1-original.xml", inbox)
    for path in EMS.glob("NOVEH001.*"):
        shutil.copy(path, inbox)
    assert folders.scan(folder) == 0  # first sight: maybe still being copied
    folder.refresh_from_db()
    assert folders.scan(folder) == 7
    assert Claim.objects.count() == 1
    assert (inbox / "processed" / "est1-original.xml").exists()
    assert (inbox / "processed" / "est1-original.xml.result.txt").read_text().strip() == \
        "est1-original.xml: created claim ACM-2026-118842"
    assert (inbox / "rejected" / "NOVEH001.ENV").exists()
    assert "missing VEH table" in (inbox / "rejected" / "NOVEH001.result.txt").read_text()
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []


def test_a_growing_file_is_not_read(location, media, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = ImportFolder.objects.create(location=location, path=str(inbox))
    data = (BMS / "est1-original.xml").read_bytes()
    (inbox / "est1.xml").write_bytes(data[:500])
    folders.scan(folder)
    folder.refresh_from_db()
    (inbox / "est1.xml").write_bytes(data)  # the copy finished meanwhile
    assert folders.scan(folder) == 0
    folder.refresh_from_db()
    assert folders.scan(folder) == 1
    assert Claim.objects.count() == 1


def _rig(env, *args):
    done = subprocess.run([sys.executable, "-m", "tests.estimates.folder_rig", *args],  # noqa: S603
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_real_worker_imports_what_lands_in_the_folder(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with scratch_env(tmp_path / "data") as env:
        env.pop("CLAIMORY_TESTING", None)
        env.update(CLAIMORY_WORK_SWEEP_SECONDS="1")
        _rig(env, "seed", str(inbox))
        log = tmp_path / "worker.log"
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "claimory.cli", "worker", "--interval", "0.2"], cwd=ROOT,
            env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        try:
            for path in EMS.glob("8B0D0001.*"):
                shutil.copy(path, inbox)
            found = _rig(env, "wait", "4S4BSANC6K3212345", "60")
            assert found.get("total") == "4321.10", log.read_text()
            deadline = time.monotonic() + 10
            while not (inbox / "processed" / "8B0D0001.result.txt").exists():
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    assert "created claim RO-5521" in (inbox / "processed" / "8B0D0001.result.txt").read_text()
