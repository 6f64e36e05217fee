"""The QR helpers encode exactly the claim's live portal link."""

from __future__ import annotations

from claimory.claims.services import portal_token_rotate
from claimory.printables.qr import portal_url, qr_png, qr_svg
from tests.printables.qrimage import decode_png, decode_svg


def test_qr_png_decodes_to_the_portal_url(claim):
    url = portal_url(claim)
    assert url and "/c/" in url
    assert decode_png(qr_png(url)) == [url]


def test_qr_svg_decodes_to_the_portal_url(claim):
    url = portal_url(claim)
    assert decode_svg(qr_svg(url)) == [url]


def test_fluid_svg_has_a_viewbox_and_no_fixed_size(claim):
    svg = qr_svg(portal_url(claim), fluid=True, title="Código QR")
    assert "viewBox" in svg
    assert 'width="' not in svg.split(">", 1)[0]
    assert "<title>Código QR</title>" in svg
    assert decode_svg(svg) == [portal_url(claim)]


def test_rotating_the_link_changes_the_qr(claim, front_desk):
    before = portal_url(claim)
    portal_token_rotate(claim=claim, actor=front_desk)
    after = portal_url(claim)
    assert after != before
    assert decode_png(qr_png(after)) == [after]


def test_revoked_link_has_no_url(revoked_claim):
    assert portal_url(revoked_claim) is None
