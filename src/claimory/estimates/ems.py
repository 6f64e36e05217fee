"""CIECA EMS file sets: dBase tables sharing one basename (``8B0D0001.ENV``, ``.AD1``, …).

CCC ONE and Mitchell write them to an export folder; extensions come in either case, text
is cp1252, memo sidecars may be missing. Each table is checked to be a well-formed dBase
file (header sizes add up) before dbfread reads it, so a renamed text file is refused with
a reason instead of an exception.
"""

from __future__ import annotations

import struct
from decimal import Decimal
from pathlib import Path

from dbfread import DBF

from claimory.estimates.parsed import (
    Estimate,
    EstimateRefused,
    Person,
    VehicleFacts,
    full_name,
    hours,
    model_year,
    money,
    text,
)

# Every table an EMS export may hold; an estimate cannot be read without the REQUIRED ones.
TABLES = ("ENV", "AD1", "AD2", "VEH", "LIN", "TTL", "STL", "PFL", "PFM", "PFT", "PFH", "PFO",
          "PFP", "RFP")
MEMOS = ("DBT", "FPT")
REQUIRED = ("ENV", "AD1", "VEH", "TTL")
MAX_TABLE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20000
_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB,
             0xF5, 0xFB}
_SYSTEMS = {"C": "CCC ONE", "M": "Mitchell", "A": "Audatex", "W": "Web-Est"}


def table_of(name: str) -> str:
    """The table a file name is (``"VEH"``), or "" when it is no EMS table."""
    suffix = Path(name).suffix.lstrip(".").upper()
    return suffix if suffix in TABLES or suffix in MEMOS else ""


def set_members(path: Path) -> dict[str, Path]:
    """The EMS set ``path`` belongs to: every sibling with the same basename (any case),
    by table name."""
    stem = path.stem.upper()
    members: dict[str, Path] = {}
    for sibling in sorted(path.parent.iterdir()):
        if sibling.is_file() and sibling.stem.upper() == stem and table_of(sibling.name):
            members.setdefault(table_of(sibling.name), sibling)
    return members


def _check_dbf(table: str, path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise EstimateRefused(f"the {table} table is larger than "
                              f"{MAX_TABLE_BYTES // (1024 * 1024)} MB")
    with path.open("rb") as handle:
        head = handle.read(32)
    if len(head) < 32 or head[0] not in _VERSIONS:
        raise EstimateRefused(f"{table} is not a dBase table")
    records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    if header_len < 33 or record_len < 1 or records > MAX_ROWS or \
            header_len + records * record_len > size:
        raise EstimateRefused(f"{table} is not a dBase table (its header does not match its "
                              "size)")


def _rows(table: str, path: Path) -> list[dict]:
    _check_dbf(table, path)
    try:
        dbf = DBF(str(path), encoding="cp1252", ignore_missing_memofile=True,
                  char_decode_errors="replace")
        return [dict(row) for row in dbf]
    except Exception:  # dbfread raises many types on damaged tables; all mean the same
        raise EstimateRefused(f"{table} is not a readable dBase table") from None


def _first(rows: list[dict]) -> dict:
    return rows[0] if rows else {}


def _supplement(value: object) -> int:
    raw = text(value, 10).upper()
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.startswith("E") or not digits:
        return 0
    return min(int(digits), 99)


def _owner(ad1: dict) -> Person:
    """OWNR_*, or the insured's INSD_* when the owner was left blank (systems swap them)."""
    for prefix in ("OWNR", "INSD"):
        name = full_name(ad1.get(f"{prefix}_FN"), ad1.get(f"{prefix}_LN"),
                         ad1.get(f"{prefix}_CO_NM"))
        if name:
            phone = text(ad1.get(f"{prefix}_PH1"), 30) or text(ad1.get(f"{prefix}_PH2"), 30)
            return Person(name=name, phone=phone, email=text(ad1.get(f"{prefix}_EA"), 254))
    return Person()


def parse_ems(members: dict[str, Path]) -> Estimate:
    """Read one EMS set (table name → file) or raise ``EstimateRefused``."""
    for table, path in members.items():
        if table not in MEMOS:
            _check_dbf(table, path)
    for table in REQUIRED:
        if table not in members:
            raise EstimateRefused(f"missing {table} table")
    env = _first(_rows("ENV", members["ENV"]))
    ad1 = _first(_rows("AD1", members["AD1"]))
    veh = _first(_rows("VEH", members["VEH"]))
    ttl = _first(_rows("TTL", members["TTL"]))
    lines = _rows("LIN", members["LIN"]) if "LIN" in members else []
    vin = "".join(text(veh.get("V_VIN"), 40).split()).upper()
    if not vin:
        raise EstimateRefused("no vehicle VIN in the VEH table")
    mileage = veh.get("V_MILEAGE")
    vehicle = VehicleFacts(
        vin=vin, year=model_year(veh.get("V_MODEL_YR")),
        make=text(veh.get("V_MAKEDESC"), 40) or text(veh.get("V_MAKECODE"), 40),
        model=text(veh.get("V_MODEL"), 60), color=text(veh.get("V_COLOR"), 40),
        plate=text(veh.get("PLATE_NO"), 12),
        mileage=int(mileage) if isinstance(mileage, int | float) and mileage >= 0 else None)
    labor = sum((hours(line.get("MOD_LB_HRS") or 0) for line in lines), Decimal("0"))
    created = env.get("CREATE_DT")
    return Estimate(
        source="EMS", system=_SYSTEMS.get(text(env.get("EST_SYSTEM"), 4).upper(), ""),
        estimate_id=text(env.get("ESTFILE_ID"), 60) or text(env.get("UNQFILE_ID"), 60),
        claim_number=text(ad1.get("CLM_NO"), 40), ro_number=text(env.get("RO_ID"), 40),
        vehicle=vehicle, owner=_owner(ad1), insurer=text(ad1.get("INS_CO_NM"), 80),
        policy=text(ad1.get("POLICY_NO"), 40),
        deductible=money(ad1.get("DED_AMT")) or money(ttl.get("G_DED_AMT")),
        total=money(ttl.get("G_TTL_AMT")), supplement=_supplement(env.get("SUPP_NO")),
        line_count=len(lines), labor_hours=labor,
        created=created if hasattr(created, "isoformat") else None,
    ).with_fingerprint()
