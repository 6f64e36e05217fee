"""How many SMS segments a text costs: GSM-7 (GSM 03.38 basic + extension table) or UCS-2."""

from __future__ import annotations

# The GSM 03.38 basic character set (ESC at 0x1B left out: it only introduces the extension).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (ESC + the character).
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
# (single segment, per segment of a multipart message): the UDH takes 6 bytes of each part.
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


def _units(text: str) -> tuple[str, list[int]]:
    """The encoding and the size of each character in its units (septets or UTF-16 units)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        return GSM7, [2 if ch in GSM_EXTENSION else 1 for ch in text]
    return UCS2, [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> tuple[str, int, int]:
    """(encoding, characters in that encoding's units, segments) for ``text``.

    An extension character counts 2 and an emoji outside the BMP counts 2 (a surrogate
    pair); neither is ever split across two parts, as phones join parts whole.
    """
    encoding, sizes = _units(text)
    total = sum(sizes)
    single, part = LIMITS[encoding]
    if total == 0:
        return encoding, 0, 0
    if total <= single:
        return encoding, total, 1
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return encoding, total, count
