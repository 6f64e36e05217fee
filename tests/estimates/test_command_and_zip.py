"""`claimory import-estimate` and zips: result lines, exit codes, unsafe archives refused
before anything is extracted."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command

from claimory.claims.models import Claim
from claimory.cli import ALIASES
from claimory.estimates import zipfile_safe
from claimory.estimates.parsed import EstimateRefused
from tests.estimates.conftest import BMS, EMS


def _run(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("import_estimate", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip().splitlines()


def test_the_hyphenated_name_runs_the_command():
    assert ALIASES["import-estimate"] == "import_estimate"


def test_command_imports_a_bms_file_and_an_ems_set_by_one_file(location, media):
    code, lines = _run("--location", "northside", str(BMS / "est1-original.xml"),
                       str(EMS / "1F3A0002.veh"), str(EMS / "1F3A0002.env"))
    assert code == 0
    assert lines == [f"{BMS / 'est1-original.xml'}: created claim ACM-2026-118842",
                     f"{EMS / '1F3A0002.veh'}: created claim RO-5530"]
    assert Claim.objects.count() == 2


def test_command_exits_non_zero_when_any_is_rejected(location, media):
    code, lines = _run("--location", "northside", str(BMS / "est2-original.xml"),
                       str(EMS / "NOVEH001.ENV"), str(BMS / "missing.xml"))
    assert code == 1
    assert lines[0].endswith("created claim SFG-99-301177")
    assert lines[1].endswith("rejected: missing VEH table")
    assert lines[2].endswith("rejected: no such file")
    assert Claim.objects.count() == 1


def test_command_unknown_location_is_an_error(location, media):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No location"):
        call_command("import_estimate", "--location", "nowhere", str(BMS / "est1-original.xml"))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_of_an_ems_set_in_a_folder_imports(location, media, tmp_path):
    sample = _zip({f"export/{p.name}": p.read_bytes() for p in EMS.glob("8B0D0001.*")})
    path = tmp_path / "set.zip"
    path.write_bytes(sample)
    code, lines = _run("--location", "northside", str(path))
    assert code == 0
    assert lines == [f"{path}: created claim RO-5521"]


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "C:/x/evil.xml",
                                  "a/../../evil.xml"])
def test_zip_with_an_unsafe_path_is_refused_before_extracting(tmp_path, name):
    data = _zip({name: b"<x/>"})
    with pytest.raises(EstimateRefused, match="unsafe path"):
        zipfile_safe.extract(data, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_zip_with_too_many_members_or_a_nested_zip_is_refused(tmp_path):
    many = _zip({f"f{i}.xml": b"<x/>" for i in range(zipfile_safe.MAX_MEMBERS + 1)})
    with pytest.raises(EstimateRefused, match="more than"):
        zipfile_safe.extract(many, tmp_path)
    nested = _zip({"inner.zip": _zip({"a.xml": b"<x/>"})})
    with pytest.raises(EstimateRefused, match="another archive"):
        zipfile_safe.extract(nested, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = _zip({"big.xml": b"\0" * (zipfile_safe.MAX_TOTAL_BYTES + 1)})
    assert len(bomb) < 200_000
    with pytest.raises(EstimateRefused):
        zipfile_safe.extract(bomb, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_zip_in_the_command_with_traversal_is_rejected(location, media, tmp_path):
    path = tmp_path / "evil.zip"
    path.write_bytes(_zip({"../../evil.xml": (BMS / "est1-original.xml").read_bytes()}))
    code, lines = _run("--location", "northside", str(path))
    assert code == 1
    assert "unsafe path" in lines[0]
    assert not (tmp_path.parent / "evil.xml").exists()
    assert not Claim.objects.exists()
