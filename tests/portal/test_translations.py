import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale/es/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def test_every_portal_string_has_a_spanish_translation():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    empty = re.findall(r'\nmsgid "(.+)"\nmsgstr ""\n', text)
    assert empty == []


def test_compiled_catalogue_is_committed_and_loaded():
    assert MO.exists() and MO.stat().st_size > 1000
    with translation.override("es"):
        assert translation.gettext("Repair progress") == "Avance de la reparación"
