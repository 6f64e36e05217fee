"""Static files as production serves them: hashed names, immutable caching, brotli and gzip,
collected once and not again until a source file changes."""

from __future__ import annotations

import os

import brotli
import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command as real_call_command

from claimory.core import static

PRODUCTION = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "claimory.core.static.StaticStorage"},
}


@pytest.mark.django_db
def test_collected_assets_are_hashed_compressed_and_cached_for_a_year(settings, tmp_path,
                                                                      client):
    settings.STORAGES = PRODUCTION
    settings.STATIC_ROOT = collected = tmp_path / "static"
    settings.WHITENOISE_AUTOREFRESH = True  # find files collected after the app started
    static.collect()  # one run for the whole test: it compresses ~400 files
    css = staticfiles_storage.url("portal/portal.css")
    assert css.startswith("/static/portal/portal.") and css != "/static/portal/portal.css"
    name = css.removeprefix("/static/")
    for suffix in ("", ".br", ".gz"):
        assert (collected / (name + suffix)).is_file()
    assert not (collected / "portal" / "portal.css").exists()  # hashed copies only

    response = client.get(css, headers={"accept-encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response[
        "Cache-Control"]
    body = b"".join(response.streaming_content)
    source = (settings.BASE_DIR / "static" / "portal" / "portal.css").read_bytes()
    assert brotli.decompress(body) == source and len(body) < len(source) / 3


def test_collect_runs_again_only_when_a_source_file_changed(settings, tmp_path, monkeypatch):
    source = tmp_path / "src"
    source.mkdir()
    (source / "extra.css").write_text("body { color: red }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, source]
    settings.STATIC_ROOT = tmp_path / "static"
    runs = []
    monkeypatch.setattr(static, "call_command",
                        lambda *a, **kw: runs.append(a) or real_call_command(*a, **kw))
    static.collect()
    static.collect()
    assert len(runs) == 1
    edited = source / "extra.css"
    edited.write_text("body { color: blue; margin: 0 }")
    later = edited.stat().st_mtime + 5  # collectstatic compares whole seconds
    os.utime(edited, (later, later))
    static.collect()
    assert len(runs) == 2
    assert (settings.STATIC_ROOT / "extra.css").read_text().endswith("margin: 0 }")


def test_a_file_missing_from_the_manifest_gets_its_plain_url_not_a_500(settings, tmp_path):
    settings.STORAGES = PRODUCTION
    settings.STATIC_ROOT = tmp_path / "never-collected"
    assert staticfiles_storage.url("portal/live.js") == "/static/portal/live.js"
