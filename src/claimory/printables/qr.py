"""Portal links and their QR codes (segno): the URL printed on every work order."""

from __future__ import annotations

import io

import segno
from django.conf import settings

from claimory.claims.models import Claim
from claimory.claims.services import portal_token


def base_url() -> str:
    """The public origin for links. Never taken from the request's Host header."""
    return settings.BASE_URL or "http://127.0.0.1:8000"


def portal_path(token: str) -> str:
    return f"/c/{token}"


def portal_url(claim: Claim) -> str | None:
    """Absolute portal URL of the claim's live link, or None when the link is revoked."""
    token = portal_token(claim)
    return f"{base_url()}{portal_path(token)}" if token else None


def qr_code(url: str) -> segno.QRCode:
    # Error correction M survives a scuffed work order; the URL is short enough for v3-v4.
    return segno.make_qr(url, error="m")


def qr_svg(url: str, *, scale: int = 4, dark: str = "#000",
           title: str = "QR code: scan to follow your repair", fluid: bool = False) -> str:
    """Standalone SVG markup (no XML declaration) that can be inlined in HTML.

    ``fluid`` leaves out width and height (only the viewBox stays) so CSS sizes the code,
    as the print pages do in inches.
    """
    buffer = io.BytesIO()
    size = {"omitsize": True} if fluid else {"unit": "px"}
    qr_code(url).save(buffer, kind="svg", scale=scale, dark=dark, xmldecl=False, svgns=True,
                      title=title, **size)
    return buffer.getvalue().decode()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_terminal(url: str) -> str:
    """The QR drawn with block characters, for `claimory demo`'s console."""
    buffer = io.StringIO()
    qr_code(url).terminal(out=buffer, compact=True)
    return buffer.getvalue()
