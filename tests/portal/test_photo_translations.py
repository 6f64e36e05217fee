"""The portal's photo and upload sections in Spanish, from the photos app's own catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claimory.claims.services import portal_token
from claimory.photos.models import Kind, Source
from claimory.photos.services import photo_receive
from tests.photos import samples

PO = Path(settings.BASE_DIR) / "photos/locale/es/LC_MESSAGES/django.po"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_every_string_has_a_translation_and_the_catalogue_is_compiled():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert re.findall(r'\nmsgid "(.+)"\nmsgstr ""\n', text) == []
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime - 1


def test_gallery_and_uploads_read_in_spanish(claim):
    photo_receive(claim=claim, upload=samples.jpeg_with_gps(), source=Source.BAY, name="a.jpg")
    photo_receive(claim=claim, upload=samples.minimal_pdf(), source=Source.CUSTOMER,
                  kind=Kind.INSURANCE_CARD, name="poliza.pdf")
    html = Client().get(f"/c/{portal_token(claim)}?lang=es").content.decode()
    for spanish in ("Fotos del taller", "1 foto de su auto", 'alt="Foto del taller, ',
                    'data-label="Visor de fotos"', "Envíenos una foto o un documento",
                    "¿Qué es?", "Tarjeta del seguro", "Lo que nos envió", "Enviar al taller",
                    "Hasta 10 archivos a la vez."):
        assert spanish in html, spanish


def test_a_refused_file_is_explained_in_spanish(claim):
    fake = SimpleUploadedFile("auto.jpg", b"texto, no una foto\n" * 10)
    response = Client().post(f"/c/{portal_token(claim)}/uploads?lang=es",
                             {"kind": "damage", "files": [fake]})
    assert response.status_code == 400
    assert ("«auto.jpg» no se envió: Este archivo no es una foto (JPEG, PNG, HEIC o WebP) ni "
            "un PDF: no es una imagen legible.") in response.content.decode()
