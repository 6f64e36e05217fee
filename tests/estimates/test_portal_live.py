"""After a supplement import, an open portal learns of it (estimate event on the stream,
naming the money block, no amounts) and the cached page is not served stale."""

from __future__ import annotations

import re

from claimory.claims.models import Claim
from claimory.claims.services import portal_token
from claimory.portal.page import FRAGMENTS_FOR_EVENT
from claimory.realtime import store
from tests.portal.conftest import fresh_page_cache  # noqa: F401


def _money(client, claim) -> str:
    response = client.get(f"/c/{portal_token(claim)}")
    assert response.status_code == 200
    return re.search(r'<section id="money".*?</section>', response.content.decode(),
                     re.S).group(0)


def test_supplement_import_updates_the_cached_portal_money_block(client, run_import):
    [first] = run_import("bms/est1-original.xml")
    claim = Claim.objects.get(pk=first.claim_id)
    claim.show_estimate_total = True
    claim.save(update_fields=["show_estimate_total"])
    before = _money(client, claim)
    assert _money(client, claim) == before  # served from the page cache
    assert "$4,321.10" in before and "Supplement 1" not in before
    seen = Claim.objects.get(pk=claim.pk).event_seq
    run_import("bms/est1-supp1.xml")
    after = _money(client, claim)
    assert "$4,933.85" in after
    assert "Supplement 1" in after and "pill-pending" in after
    opened = store.stream_open(portal_token(claim), seen)
    assert b"event: estimate\n" in opened.replay
    assert b"event: supplement\n" in opened.replay
    assert b"4933" not in opened.replay and b"4,933" not in opened.replay


def test_estimate_events_refresh_the_money_fragment():
    assert FRAGMENTS_FOR_EVENT["estimate"] == ("money",)
