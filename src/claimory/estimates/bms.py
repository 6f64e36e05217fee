"""CIECA BMS XML (``VehicleDamageEstimateAddRq``, as CCC Secure Share and Mitchell send it).

The parser is hardened before it sees a byte: no entity resolution, no DTD loading, no
network, no huge trees; and a document that declares entities or an external DTD at all is
refused before parsing, so an XXE or "billion laughs" file costs a few microseconds and a
few KB. Reasons never quote the document.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

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

NAMESPACE = "http://www.cieca.com/BMS"
ROOT = "VehicleDamageEstimateAddRq"
MAX_BYTES = 5 * 1024 * 1024  # a 300-line estimate is ~150 KB
MAX_LINES = 5000
# Anything that makes a parser fetch or expand: refused, never "handled".
_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_VENDORS = {"CCC": "CCC ONE", "C": "CCC ONE", "MITCHELL": "Mitchell", "M": "Mitchell",
            "MIT": "Mitchell", "AUDATEX": "Audatex", "A": "Audatex", "ADP": "Audatex"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def _head_as_ascii(data: bytes) -> bytes:
    """The first KB with UTF-16/32 zero bytes dropped, so ``<!DOCTYPE`` is found whatever the
    encoding of the declaration."""
    return data[:4096].replace(b"\x00", b"")


def looks_like_bms(data: bytes) -> bool:
    head = _head_as_ascii(data).lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    return head.startswith(b"<")


def parse_bms(data: bytes) -> Estimate:
    """Read one BMS estimate or raise ``EstimateRefused``."""
    if len(data) > MAX_BYTES:
        raise EstimateRefused(f"the XML file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if _DANGEROUS.search(data.replace(b"\x00", b"")):
        raise EstimateRefused("the XML declares a DOCTYPE or entities, which estimates never "
                              "do; refused for safety")
    root = _root(data)
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise EstimateRefused("the XML declares a DOCTYPE, which estimates never do; refused "
                              "for safety")
    qname = etree.QName(root)
    if qname.localname != ROOT or qname.namespace not in (NAMESPACE, None):
        raise EstimateRefused(f"not an estimate: the root element is {text(qname.localname, 60)}"
                              f", expected {ROOT}")
    return _estimate(_Doc(root, qname.namespace or "")).with_fingerprint()


def _root(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        recoded = _as_cp1252(data) if "encoding" in str(exc).lower() or \
            "utf-8" in str(exc).lower() else None
        if recoded is not None:
            try:
                return etree.fromstring(recoded, parser=_parser())
            except etree.XMLSyntaxError:
                pass
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise EstimateRefused(f"not well-formed XML{where}: the file is damaged or cut "
                              "short") from None


def _as_cp1252(data: bytes) -> bytes | None:
    """Windows exporters sometimes declare UTF-8 and write cp1252 (Peña as one byte):
    read it as cp1252 rather than refuse the estimate."""
    try:
        data.decode("utf-8")
        return None  # valid UTF-8: the error was something else
    except UnicodeDecodeError:
        pass
    try:
        decoded = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    decoded = re.sub(r"^<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-8"?>', decoded)
    return decoded.encode("utf-8")


class _Doc:
    """Namespaced lookups with plain paths: ``doc.text("ClaimInfo/ClaimNum")``."""

    def __init__(self, root: etree._Element, namespace: str) -> None:
        self.root = root
        self.ns = f"{{{namespace}}}" if namespace else ""

    def q(self, path: str) -> str:
        return "/".join(part if part in (".", "..", "") else self.ns + part
                        for part in path.split("/"))

    def find(self, path: str, node: etree._Element | None = None) -> etree._Element | None:
        return (self.root if node is None else node).find(self.q(path))

    def findall(self, path: str, node: etree._Element | None = None) -> list[etree._Element]:
        return (self.root if node is None else node).findall(self.q(path))

    def text(self, path: str, node: etree._Element | None = None, limit: int = 120) -> str:
        found = self.find(path, node)
        return text(found.text, limit) if found is not None else ""


def _person(doc: _Doc, party: etree._Element | None) -> Person:
    if party is None:
        return Person()
    name = full_name(doc.text("PersonInfo/PersonName/FirstName", party),
                     doc.text("PersonInfo/PersonName/LastName", party),
                     doc.text("OrgInfo/CompanyName", party))
    phones: dict[str, str] = {}
    email = ""
    for comm in doc.findall(".//Communications", party):
        qualifier = doc.text("CommQualifier", comm)
        if doc.text("CommPhone", comm):
            phones.setdefault(qualifier, doc.text("CommPhone", comm, 30))
        if doc.text("CommEmail", comm) and not email:
            email = doc.text("CommEmail", comm, 254)
    # Cell first: it is the number that takes texts.
    phone = next((phones[q] for q in ("CP", "HP", "WP") if q in phones),
                 next(iter(phones.values()), ""))
    return Person(name=name, phone=phone, email=email)


def _owner(doc: _Doc) -> Person:
    """The owner; when the owner is missing or nameless, the policy holder, then the
    insured (systems fill one and leave the other blank)."""
    for path in ("AdminInfo/Owner/Party", "AdminInfo/PolicyHolder/Party",
                 "AdminInfo/Insured/Party"):
        person = _person(doc, doc.find(path))
        if person.name:
            return person
    return Person()


def _total(doc: _Doc, kinds: tuple[str, ...]) -> Decimal | None:
    for summary in doc.findall(".//RepairTotalsInfo/SummaryTotalsInfo"):
        kind = doc.text("TotalType", summary).replace(" ", "").lower()
        if kind in kinds:
            return money(doc.text("TotalAmt", summary, 20))
    return None


def _supplement(doc: _Doc) -> int:
    code = doc.text("DocumentInfo/DocumentVerCode", limit=10).upper()
    number = doc.text("DocumentInfo/DocumentVerNum", limit=10)
    if not code.startswith("S"):
        return 0
    digits = re.sub(r"\D", "", number) or re.sub(r"\D", "", code)
    return min(int(digits), 99) if digits else 1


def _estimate(doc: _Doc) -> Estimate:
    vin = "".join(doc.text("VehicleInfo/VINInfo/VIN/VINNum", limit=40).split()).upper()
    if doc.find("VehicleInfo") is None or not vin:
        raise EstimateRefused("no vehicle VIN in the estimate (VehicleInfo/VINInfo is missing)")
    desc = "VehicleInfo/VehicleDesc/"
    mileage = doc.text(desc + "OdometerInfo/OdometerReading", limit=10)
    vehicle = VehicleFacts(
        vin=vin, year=model_year(doc.text(desc + "ModelYear", limit=8)),
        make=doc.text(desc + "MakeDesc", limit=40), model=doc.text(desc + "ModelName", limit=60),
        color=doc.text("VehicleInfo/Paint/Exterior/Color/ColorName", limit=40),
        plate=doc.text("VehicleInfo/License/LicensePlateNum", limit=12),
        mileage=int(mileage) if mileage.isdigit() else None)
    lines = doc.findall(".//DamageLineInfo")
    if len(lines) > MAX_LINES:
        raise EstimateRefused(f"more than {MAX_LINES} estimate lines")
    labor = sum((hours(doc.text("LaborInfo/LaborHours", line, 12)) for line in lines),
                Decimal("0"))
    deductible = money(doc.text(".//ClaimInfo/PolicyInfo/CoverageInfo/Coverage/DeductibleInfo"
                                "/DeductibleAmt", limit=20)) or _total(doc, ("deductible",))
    vendor = doc.text("DocumentInfo/VendorCode", limit=20).upper()
    ro = doc.text(".//DocumentInfo/ReferenceInfo/RepairOrderID", limit=40) or \
        doc.text(".//RepairOrderNum", limit=40)
    return Estimate(
        source="BMS", system=_VENDORS.get(vendor, text(vendor, 20)),
        estimate_id=doc.text("DocumentInfo/DocumentID", limit=60),
        claim_number=doc.text("ClaimInfo/ClaimNum", limit=40), ro_number=ro,
        vehicle=vehicle, owner=_owner(doc),
        insurer=doc.text("AdminInfo/InsuranceCompany/Party/OrgInfo/CompanyName", limit=80),
        policy=doc.text("ClaimInfo/PolicyInfo/PolicyNum", limit=40),
        deductible=deductible,
        total=_total(doc, ("grandtotal", "grand", "tot", "total")),
        supplement=_supplement(doc), line_count=len(lines), labor_hours=labor)
