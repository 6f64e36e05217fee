"""Whether text says anything a person can see.

Required text (a message, a note, the reason an ETA moved, a name) must contain at least one
visible character. Spaces, control characters and Unicode format characters (zero-width
space, joiners, BOM, bidi marks…) and the Hangul fillers render as nothing, so text made only
of them is as empty as "" to the reader.

The set is spelled out as code-point ranges so the API schema's pattern (api/schemas.py) and
the services use the very same rule; tests/core/test_text.py checks the ranges against
unicodedata (categories Cc, Cf, Zs, Zl, Zp plus the fillers).
"""

from __future__ import annotations

import re

# Unicode 14 (Python 3.11): Cc, Cf, Zs, Zl, Zp, and U+115F, U+1160, U+3164, U+FFA0 (fillers).
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0020), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x0600, 0x0605),
    (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891),
    (0x08E2, 0x08E2), (0x115F, 0x1160), (0x1680, 0x1680), (0x180E, 0x180E),
    (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F),
    (0x3000, 0x3000), (0x3164, 0x3164), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
FILLERS = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0})
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _class_item(cp: int) -> str:
    # \uXXXX reads the same in Python and ECMA-262 regexes; astral characters go in literally
    # (Python has no \u{...}, and JSON carries them fine).
    return f"\\u{cp:04x}" if cp <= 0xFFFF else chr(cp)


def _class_body() -> str:
    return "".join(_class_item(lo) if lo == hi else f"{_class_item(lo)}-{_class_item(hi)}"
                   for lo, hi in INVISIBLE_RANGES)


# One visible character, as a regex (the OpenAPI document publishes it in patterns).
VISIBLE_CHAR = f"[^{_class_body()}]"
_VISIBLE = re.compile(VISIBLE_CHAR)


def has_visible_text(value: str | None) -> bool:
    """True when ``value`` has at least one character a reader would see."""
    return bool(value) and _VISIBLE.search(value) is not None
