"""What the printables show, gathered once from a claim so HTML and PDF print the same."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from claimory.claims.models import Claim
from claimory.core.phones import display_phone
from claimory.portal.shop import logo_url as logo_url_for
from claimory.printables.qr import portal_url
from claimory.shops.models import Location


@dataclass(frozen=True)
class Shop:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    tagline: str
    logo_url: str
    logo_path: str


@dataclass(frozen=True)
class Printable:
    """One claim as printed: shop, customer, vehicle, insurance, dates and the portal link.

    Staff documents handed to the customer, so the customer's own money (deductible) is on
    them, but internal notes and anything about carrier negotiation never are.
    """

    claim_id: int
    language: str
    shop: Shop
    ro: str  # what identifies the car on the lot: RO number, else claim number, else id
    ro_number: str
    claim_number: str
    carrier: str
    adjuster: str
    date_in: dt.date
    eta: dt.date | None
    deductible: Decimal | None
    customer_name: str
    customer_surname: str
    customer_phone: str
    customer_email: str
    vehicle: str
    vehicle_color: str
    vin: str
    plate: str
    portal_url: str | None  # None: the link is revoked, print no QR
    short_url: str

    @property
    def ro_size(self) -> str:
        """Size class for the RO on the 2.9 in wide hang tag (HTML cannot shrink to fit)."""
        return _size_class(self.ro, [(6, "xl"), (8, "l"), (10, "m"), (13, "s")])

    @property
    def surname_size(self) -> str:
        return _size_class(self.customer_surname, [(11, "xl"), (14, "l"), (18, "m")])

    @property
    def deductible_display(self) -> str:
        # US shops: dollars in US notation whatever the customer's language.
        return f"${self.deductible:,.2f}" if self.deductible is not None else ""

    @property
    def filename_stem(self) -> str:
        """A filesystem-safe name for downloads, e.g. ``RO-1042``."""
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", self.ro).strip("-.")
        return stem or f"claim-{self.claim_id}"


def _size_class(text: str, steps: list[tuple[int, str]]) -> str:
    """The first class whose length limit ``text`` fits, else "xs" (which may ellipsize)."""
    return next((name for limit, name in steps if len(text) <= limit), "xs")


def shop_for_print(location: Location) -> Shop:
    city_line = " ".join(p for p in [location.region, location.postal_code] if p)
    city_line = ", ".join(p for p in [location.city, city_line] if p)
    address = tuple(p for p in [location.address_line1, location.address_line2, city_line] if p)
    logo_url = logo_path = ""
    # Logos are a Professional-and-above feature; a missing file must not break printing.
    if location.logo and location.workspace.has_branding:
        try:
            logo_url = logo_url_for(location)
            logo_path = location.logo.path if Path(location.logo.path).is_file() else ""
        except (ValueError, NotImplementedError, OSError):
            logo_url = logo_path = ""
    return Shop(name=location.name, address_lines=address, phone=display_phone(location.phone),
                email=location.email, tagline=location.tagline, logo_url=logo_url,
                logo_path=logo_path)


def surname(name: str) -> str:
    """The family name to print big on the hang tag: before a comma, else the last word."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    return (name.split() or [""])[-1]


def short_url(url: str | None) -> str:
    """The link as a person would type it: no scheme (every phone adds it)."""
    if not url:
        return ""
    return re.sub(r"^https?://", "", url)


def local_date(location: Location, moment: dt.datetime) -> dt.date:
    try:
        tz = ZoneInfo(location.timezone)
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return moment.astimezone(tz).date()


def printable_for_claim(claim: Claim) -> Printable:
    """Everything the three printables show (expects location, customer, vehicle loaded)."""
    location = claim.location
    customer = claim.customer
    vehicle = claim.vehicle
    url = portal_url(claim)
    adjuster = " · ".join(p for p in [claim.adjuster_name, display_phone(claim.adjuster_phone)]
                          if p)
    return Printable(
        claim_id=claim.pk,
        language=customer.language or "en",
        shop=shop_for_print(location),
        ro=claim.ro_number or claim.claim_number or f"#{claim.pk}",
        ro_number=claim.ro_number,
        claim_number=claim.claim_number,
        carrier=claim.carrier,
        adjuster=adjuster,
        date_in=local_date(location, claim.created_at),
        eta=claim.eta,
        deductible=claim.deductible,
        customer_name=customer.name,
        customer_surname=surname(customer.name),
        customer_phone=display_phone(customer.phone),
        customer_email=customer.email,
        vehicle=" ".join(str(p) for p in [vehicle.year, vehicle.make, vehicle.model] if p),
        vehicle_color=vehicle.color,
        vin=vehicle.vin,
        plate=vehicle.plate,
        portal_url=url,
        short_url=short_url(url),
    )
