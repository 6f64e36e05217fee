"""The one rule for "says something": at least one character a reader can see."""

import re
import sys
import unicodedata

import pytest

from claimory.api import schemas
from claimory.core.text import (
    FILLERS,
    INVISIBLE_CATEGORIES,
    INVISIBLE_RANGES,
    VISIBLE_CHAR,
    has_visible_text,
)


def test_the_spelled_out_ranges_are_exactly_the_invisible_categories_and_fillers():
    # If Python's Unicode data moves on, regenerate INVISIBLE_RANGES from this definition.
    expected = {cp for cp in range(sys.maxunicode + 1)
                if unicodedata.category(chr(cp)) in INVISIBLE_CATEGORIES or cp in FILLERS}
    listed = {cp for lo, hi in INVISIBLE_RANGES for cp in range(lo, hi + 1)}
    assert listed == expected, unicodedata.unidata_version


@pytest.mark.parametrize("text", [
    "", None, " ", "\t\n\r", "\u00a0\u2003\u3000", "\u200b", "\u200b\u200c\u200d",
    "\u2060\ufeff", "\u3164", "\u115f\u1160", "\ufeff \u200b\n", "\u202e\u2066",
    "\U000e0041\U000e007f", "\x00\x7f\x85",
])
def test_only_invisible_characters_say_nothing(text):
    assert not has_visible_text(text)


@pytest.mark.parametrize("text", ["a", " \u200bx\u200b ", "é", "😀", "\u0301", "—", "中",
                                  "\u200b1"])
def test_one_visible_character_is_enough(text):
    assert has_visible_text(text)


@pytest.mark.parametrize("text", ["\u200b", "\u3164\u115f", "a", " \u2060😀 ", "\ufeff"])
def test_the_published_pattern_agrees_with_the_services(text):
    assert bool(re.fullmatch(schemas.SOME_TEXT, text)) == has_visible_text(text)
    assert schemas.VISIBLE == VISIBLE_CHAR
