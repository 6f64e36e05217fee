"""requirements.lock (what `make` installs, with hashes) agrees with pyproject.toml.

Offline: every requirement of pyproject.toml (the dev extra included) is pinned in the lock at
a version its range allows, everything those need in turn (read from the installed packages'
metadata, extras included) is pinned too, and every pin carries hashes. `make lock` rewrites
the lock after a change to pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(text: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for each pinned block of a pip requirements file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif line and not line.startswith((" ", "#")):
            current = None
    return pins


def _project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]
            + project["optional-dependencies"]["dev"]]


@pytest.fixture(scope="module")
def pins():
    return _pins((ROOT / "requirements.lock").read_text())


def test_every_pin_has_hashes(pins):
    assert len(pins) > 20
    assert [name for name, (_v, hashes) in pins.items() if hashes == 0] == []


def test_every_project_requirement_is_pinned_within_its_range(pins):
    problems = []
    for req in _project_requirements():
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req} is not in requirements.lock")
        elif not req.specifier.contains(Version(pins[name][0]), prereleases=True):
            problems.append(f"{req}: the lock pins {pins[name][0]}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def _needs(req: Requirement, extras: frozenset[str]) -> list[Requirement]:
    """What ``req``'s installed distribution requires on this platform with ``extras``."""
    found = []
    for raw in metadata.requires(req.name) or []:
        dep = Requirement(raw)
        if dep.marker is None or any(
                dep.marker.evaluate({**default_environment(), "extra": extra})
                for extra in (extras or {""})):
            found.append(dep)
    return found


def test_everything_the_requirements_need_is_pinned(pins):
    """The closure of what pyproject.toml asks for, extras included (psycopg[pool],
    uvicorn[standard], ...), so a new extra or dependency cannot slip past the lock."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [r for r in _project_requirements()
            if r.marker is None or r.marker.evaluate()]
    missing = []
    while todo:
        req = todo.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        if key[0] not in pins:
            missing.append(str(req))
            continue
        try:
            todo.extend(_needs(req, frozenset(req.extras)))
        except metadata.PackageNotFoundError:
            missing.append(f"{req} (not installed)")
    assert missing == [], "run `make lock`: not pinned: " + ", ".join(sorted(missing))


def test_pins_parser_reads_blocks_and_hashes():
    text = ("# header\nfoo==1.2 ; sys_platform == 'win32' \\\n    --hash=sha256:aa \\\n"
            "    --hash=sha256:bb\n    # via bar\nbaz-qux==3.0 \\\n    --hash=sha256:cc\n")
    assert _pins(text) == {"foo": ("1.2", 2), "baz-qux": ("3.0", 1)}
