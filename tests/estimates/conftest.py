"""Sample estimates (copied from the shared sample set) and a helper that imports one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimory.estimates.intake import batch_start, file_receive, import_file_run
from claimory.estimates.models import Channel
from claimory.estimates.sources import units_for_path

DATA = Path(__file__).parent / "data"
BMS = DATA / "bms"
EMS = DATA / "ems"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def sample_path(key: str) -> Path:
    """expected.json's key ("bms/x.xml", "ems/BASE.*") as one file of the sample."""
    if key.endswith(".*"):
        stem = key[len("ems/"):-2]
        return next(p for p in sorted(EMS.iterdir()) if p.stem == stem)
    return DATA / key


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def run_import(location, media, tmp_path):
    """Import one sample (by expected.json key or path) the way the command does; returns
    the outcomes."""

    def run(key_or_path, *, at=None, channel=Channel.COMMAND):
        from claimory.estimates.intake import bundle

        path = key_or_path if isinstance(key_or_path, Path) else sample_path(key_or_path)
        target = at or location
        batch = batch_start(location=target, channel=channel)
        scratch = tmp_path / f"scratch-{batch.pk}"
        scratch.mkdir()
        units = units_for_path(path, scratch)
        outcomes = []
        for unit in units:
            if unit.kind == "ems":
                data = bundle({p.name: p.read_bytes() for p in unit.files()})
                name = f"{path.stem}.zip"
            else:
                data, name = (unit.data or path.read_bytes()), path.name
            row = file_receive(batch=batch, name=name, data=data, queue=False)
            outcomes.extend(import_file_run(row))
        return outcomes

    return run
