"""live.js and its hooks on the page: loaded the CSP way, wired to the server's fragment map,
and the whole shell small enough for a phone on a slow link."""

import gzip
import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from claimory.messaging.services import message_receive, message_send
from claimory.portal.page import FRAGMENTS, FRAGMENTS_FOR_EVENT

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static/portal"
LIVE_JS = STATIC / "live.js"
PHOTOS_JS = STATIC / "photos.js"


def attribute(html, element_id, name):
    tag = re.search(rf'<[a-z]+ id="{element_id}"[^>]*>', html).group(0)
    return htmllib.unescape(re.search(rf'{name}="([^"]*)"', tag).group(1))


def test_script_is_external_and_deferred(client, portal_path):
    html = client.get(portal_path).content.decode()
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/portal/live.js" defer>']
    # photos.js (viewer, upload progress) is fetched by live.js on first use.
    assert 'data-photos-js="/static/portal/photos.js"' in html


def test_page_hands_the_script_the_fragment_map_and_event_cursor(client, claim, portal_path):
    html = client.get(portal_path).content.decode()
    assert json.loads(attribute(html, "main", "data-fragments")) == {
        name: list(names) for name, names in FRAGMENTS_FOR_EVENT.items()}
    claim.refresh_from_db()
    assert attribute(html, "main", "data-seq") == str(claim.event_seq)


def test_every_event_fragment_has_a_target_on_the_page(client, portal_path):
    html = client.get(portal_path).content.decode()
    for names in FRAGMENTS_FOR_EVENT.values():
        for name in names:
            assert name in FRAGMENTS and f'id="{name}"' in html


def test_status_and_announcer_are_polite_live_regions_in_the_customers_language(client,
                                                                               portal_path):
    html = client.get(portal_path, {"lang": "es"}).content.decode()
    status = re.search(r'<p id="live-status"[^>]*>', html).group(0)
    assert 'aria-live="polite"' in status and " hidden" in status
    assert attribute(html, "live-status", "data-live") == "En vivo"
    assert attribute(html, "live-status", "data-reconnecting") == "Reconectando…"
    assert attribute(html, "live-status", "data-updating") == "Actualizando…"
    assert attribute(html, "live-announce", "data-stage") == "Novedad de la reparación: {stage}"


def test_form_is_labelled_and_works_without_script(client, portal_path):
    html = client.get(portal_path).content.decode()
    form = re.search(r'<form class="compose".*?</form>', html, re.S).group(0)
    assert f'method="post" action="{portal_path}/messages"' in form
    assert '<label class="compose-label" for="message-body">Write to the shop</label>' in form
    assert '<textarea id="message-body" name="body"' in form
    assert '<button class="btn btn-primary send" type="submit">Send</button>' in form
    assert "csrfmiddlewaretoken" not in form  # the token in the path is the credential


def test_script_uses_the_stream_fragments_and_seen_endpoints_and_nothing_risky():
    source = LIVE_JS.read_text()
    for needed in ("new EventSource(", "/events?last_event_id=", "/fragments/", "/seen",
                   "IntersectionObserver", "setStatus"):
        assert needed in source
    for banned in ("eval(", "new Function", "replaceState", "pushState", "document.write",
                   "localStorage", "http://", "https://"):
        assert banned not in source


def test_photo_script_uses_no_framework_and_nothing_risky():
    source = PHOTOS_JS.read_text()
    for needed in ("showModal(", "aria-modal", "ArrowLeft", "ArrowRight", "touchend",
                   "upload.addEventListener(\"progress\"", "application/json"):
        assert needed in source
    for banned in ("eval(", "new Function", "document.write", "localStorage", "http://",
                   "https://", "import "):
        assert banned not in source


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
@pytest.mark.parametrize("script", [LIVE_JS, PHOTOS_JS], ids=["live", "photos"])
def test_script_parses(script):
    done = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_shell_with_a_full_thread_is_under_30kb_compressed(client, claim, front_desk,
                                                           portal_path):
    for n in range(25):
        message_receive(claim=claim, body=f"Question {n}: when will the car be ready? " * 2)
        message_send(claim=claim, body=f"Answer {n}: see https://example.com/track/{n}",
                     actor=front_desk)
    page = client.get(portal_path).content
    assert page.count(b'class="bubble ') == 50
    sizes = [len(gzip.compress(data)) for data in
             (page, (STATIC / "portal.css").read_bytes(), LIVE_JS.read_bytes(),
              PHOTOS_JS.read_bytes())]
    assert sum(sizes) < 30_000, sizes


def test_fragment_says_which_event_it_includes(client, claim, portal_path, front_desk):
    from claimory.claims.services import claim_note_add

    response = client.get(f"{portal_path}/fragments/vehicle")
    claim.refresh_from_db()
    assert response["X-Claimory-Seq"] == str(claim.event_seq)
    # Internal events move the seq too, so a render is never older than any event it shows.
    claim_note_add(claim=claim, body="Checked the frame", actor=front_desk)
    claim.refresh_from_db()
    response = client.get(f"{portal_path}/fragments/eta")
    assert response["X-Claimory-Seq"] == str(claim.event_seq)


def test_revoked_link_note_is_in_the_flow_and_says_to_call_the_shop(client, claim,
                                                                    portal_path):
    html = client.get(portal_path).content.decode()
    note = re.search(r'<div id="live-gone"[^>]*>.*?</div>', html, re.S).group(0)
    assert ' hidden' in note and 'role="alert"' in note
    phone = claim.location.phone
    assert f'href="tel:{phone}"' in note and claim.location.name in note
    assert "no longer active" in note
    css = (STATIC / "portal.css").read_text()
    rule = re.search(r"\.gone-note \{[^}]*\}", css).group(0)
    assert "absolute" not in rule  # it pushes the cards down instead of covering one


def test_script_retries_fragments_and_is_live_only_when_current():
    source = LIVE_JS.read_text()
    for needed in ("X-Claimory-Seq", "retryLater", "Retry-After", '"updating"', "live-gone"):
        assert needed in source
